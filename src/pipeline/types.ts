/**
 * The pipeline's contract: two stages meet at an EventBatch, and the store's commit is followed by the
 * sinks.
 *
 *   Source --SourceBatch--> parse --EventBatch--> detect --PreparedBatch--> store --StoredBatch--> sinks
 *   (lines, checkpoints)    (parse.ts)            (detect.ts)               (commit)            (sinks.ts)
 *
 * `parse` turns raw lines into HttpEvents (log format, client-IP normaliser; bad lines are counted and
 * sampled, never passed on). `detect` turns events into scored threats and closed IP windows. Events
 * that are not log lines (an ingest API, the CrowdSec stream, a message bus between agents and workers)
 * enter at `detect` as EventBatches (`runEventBatches`), with no pretence of being lines.
 *
 * Guarantees at the seam, which every producer of EventBatches and every detect stage keeps:
 * - Ordering per source IP: within a batch events are in the order the source saw them, and batches of
 *   one producer reach detect in order. Behaviour windows are per IP and time-ordered, so all events of
 *   one IP go to one detect stage (one process; with several workers the transport partitions by IP).
 * - Checkpoint only after store commit: a batch's `checkpoints` are true once every event of the batch
 *   (and of every earlier batch) is stored. Detect passes them through untouched; the store saves them
 *   in the same transaction as the events; nothing upstream persists them. A batch is committed whole
 *   or retried whole, in order, so a checkpoint never runs ahead of its events.
 * - Idempotency by event id: `HttpEvent.id` is stable for the same input (derived from the line's key,
 *   or given by the producer), so a replay after a crash writes nothing twice (the store ignores ids it
 *   has). A producer that cannot give stable ids must not claim at-least-once delivery.
 * - Detect is synchronous and does no I/O; its only state is the engine's (per-IP windows).
 *
 * Across a thread boundary (`serve` runs source -> parse -> detect in a worker thread, src/runtime/ingest-thread.ts
 * and ingest-worker.ts; the store and the sinks stay on the main thread with the API), what crosses is a
 * PreparedBatch, as plain data: its events, threats and closed windows (in parts, so no single message takes the
 * main thread long to deserialise), then its checkpoints with the counters its parse and detect added. The same
 * guarantees hold: a source's batches are committed in the order they were prepared; the worker never persists or
 * advances a checkpoint, the main thread tells it when a batch is committed, and the worker does not pull a source
 * further while a bounded number of its batches wait for the store; a worker that dies is replaced and starts
 * from the checkpoints in the store (event ids make the re-read lines no-ops).
 *
 * `analyze` of a large input runs source -> parse in a worker (src/runtime/parse-thread.ts) and detect here: what
 * crosses is an EventBatch encoded by event-codec.ts (strings in one string, numbers and lengths in transferred typed
 * arrays), in order, the worker at most a bounded number of batches ahead; the same guarantees hold.
 *
 * Obligations of a sink (ThreatSink): it hears about batches already committed, one call at a time in
 * commit order, and may be slow or fail; the pipeline gives each sink its own bounded queue, so a sink
 * can lose its own oldest (or newest) batches, counted in the pipeline metrics, but never stalls ingest
 * or another sink. A sink is an output, never a store of record: what must not be lost goes through the
 * store's transaction.
 */
import type { HttpEvent, ThreatEvent } from '../core/index.js';
import type { HeldChanges, IpWindow } from '../detect/index.js';
import type { Checkpoint, LogRecord, RawLine } from '../ingest/index.js';
import type { WriteBatch } from '../store/index.js';

/** Events entering detect: from parse, or from any producer of ready-made HttpEvents. */
export interface EventBatch {
  /** The producer's id: the per-source counters' key (a log path, `ingest-api`, `crowdsec`...). */
  sourceId: string;
  events: HttpEvent[];
  /** Resume points to save with these events; empty for producers that keep no position here. */
  checkpoints: Checkpoint[];
}

/** What detect hands to the store: one transaction's worth (events, threats, windows, checkpoints). */
export interface PreparedBatch {
  write: WriteBatch;
  sourceId: string;
}

/**
 * A batch the store has committed, as the sinks see it: its threats only. A sink's queue may hold up to its
 * capacity of these while the sink is slow or stuck, so it must not pin the batch's events too (measured: 2.5 MB
 * per 5,000-line batch, 640 MB for a full 256-batch queue; docs/reliability.md, Memory).
 */
export interface StoredBatch {
  sourceId: string;
  threats: readonly ThreatEvent[];
}

/** Turns one parsed log record into an event, or says why it cannot. */
export type Normaliser = (record: LogRecord, line: RawLine) => HttpEvent | { error: string };

/** The detect stage's engine (DetectionEngine implements it). */
export interface Evaluator {
  /** Detections for a batch, as flagged events (a subset of `events`). Pure: no I/O. */
  evaluate(events: readonly HttpEvent[]): ThreatEvent[];
  /** Per-IP windows closed so far (taken: each is returned once), stored with the batch that closed them. */
  drainWindows?(): IpWindow[];
  /** Hits site knowledge held back or judged since the last call (taken), stored with the batch that changed them. */
  takeHeldChanges?(): HeldChanges | null;
}

/** Where committed batches go: the store (or nothing, for a dry run). */
export interface Sink {
  write(batch: WriteBatch): Promise<void>;
}

/** An output after the store commits: the live bus, the IOC collector; later decisions and notifiers. */
export interface ThreatSink {
  /** Key of its counters in the pipeline metrics. */
  readonly name: string;
  /** Only batches with at least one threat are offered. Called one at a time, in commit order. */
  write(batch: StoredBatch): void | Promise<void>;
}
