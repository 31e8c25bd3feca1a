/**
 * The hot path: source batch -> parse -> normalise -> detect -> sink, with counters.
 *
 * Detection of batch N+1 overlaps the store write of batch N, but writes stay strictly in order, so
 * a checkpoint is saved only after every earlier batch is stored: nothing accepted is lost, and a
 * restart resumes exactly after the last stored line.
 */
import type { ThreatEvent, HttpEvent } from '../core/index.js';
import type { IpWindow } from '../detect/index.js';
import type { LogFormat, RawLine, Source, SourceBatch } from '../ingest/index.js';
import type { WriteBatch } from '../store/index.js';
import type { PipelineMetrics } from './metrics.js';
import { backoffDelay } from './store-outage.js';
import type { BadLineSampler } from './sampler.js';

export type Normaliser = (record: import('../ingest/index.js').LogRecord, line: RawLine) => HttpEvent | { error: string };

export interface Evaluator {
  /** Detections for a batch, as flagged events (a subset of `events`). Pure: no I/O. */
  evaluate(events: readonly HttpEvent[]): ThreatEvent[];
  /** Per-IP windows closed so far (taken: each is returned once), stored with the batch that closed them. */
  drainWindows?(): IpWindow[];
}

export interface Sink {
  write(batch: WriteBatch): Promise<void>;
}

export interface PipelineDeps {
  format: LogFormat;
  normalise: Normaliser;
  evaluator: Evaluator;
  sink: Sink;
  metrics: PipelineMetrics;
  sampler: BadLineSampler;
  /** Optional, synchronous: adds what local lookups know to each threat (geo/ASN) before it is stored. */
  annotate?: (threats: readonly ThreatEvent[]) => void;
  /** Called after a batch is stored, with what it flagged (live alerts, analyze output). */
  onStored?: (threats: readonly ThreatEvent[], events: readonly HttpEvent[]) => void;
}

export interface PreparedBatch {
  write: WriteBatch;
  sourceId: string;
}

/** Parse, normalise and detect one batch. Synchronous and pure apart from counters and sampled logging. */
export function prepareBatch(batch: SourceBatch, deps: PipelineDeps): PreparedBatch {
  const counters = deps.metrics.source(batch.sourceId);
  const { parse, detect } = deps.metrics.stages;
  const t0 = performance.now();
  const events: HttpEvent[] = [];
  // Hoisted: one property load per batch instead of per line. Counters are summed locally and added
  // once after the loop; prepareBatch is synchronous, so nothing can observe them mid-batch.
  const { format, normalise, sampler } = deps;
  const lines = batch.lines;
  let unparsed = 0;
  let overlong = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.overlong === true) {
      overlong++;
      unparsed++;
      sampler.report(line.origin.source, lineNumber(line), 'line longer than 64 KiB', line.text);
      continue;
    }
    const result = format.parse(line.text);
    if (!result.ok) {
      unparsed++;
      sampler.report(line.origin.source, lineNumber(line), result.reason, line.text);
      continue;
    }
    const event = normalise(result.record, line);
    if ('error' in event) {
      unparsed++;
      sampler.report(line.origin.source, lineNumber(line), event.error, line.text);
      continue;
    }
    events.push(event);
  }
  counters.read += lines.length;
  if (batch.lost) {
    counters.losses += batch.lost.count;
    counters.lostBytes += batch.lost.bytes;
  }
  counters.overlong += overlong;
  counters.unparsed += unparsed;
  counters.parsed += events.length;
  const t1 = performance.now();
  parse.ms += t1 - t0;
  parse.events += batch.lines.length;
  parse.batches++;

  const threats = deps.evaluator.evaluate(events);
  // Counted in the detect stage: it is part of turning events into stored threats.
  if (threats.length > 0) deps.annotate?.(threats);
  const t2 = performance.now();
  detect.ms += t2 - t1;
  detect.events += events.length;
  detect.batches++;
  counters.detected += threats.length;
  for (const t of threats) if (t.score > 0) counters.threats++;

  // Windows closed by this batch ride in its transaction: stored exactly when the events that closed them are.
  const windows = deps.evaluator.drainWindows?.() ?? [];
  const write: WriteBatch = { events, threats, checkpoints: batch.checkpoints };
  if (windows.length > 0) write.windows = windows;
  return { sourceId: batch.sourceId, write };
}

/**
 * Closes the evaluator's open windows and stores them (end of a replay, shutdown), in one write with no events.
 * Call after every source has stopped, so no batch closes a window after this.
 */
export async function flushWindows(
  sink: Sink,
  evaluator: { drainWindows(opts?: { flush?: boolean }): IpWindow[] },
): Promise<number> {
  const windows = evaluator.drainWindows({ flush: true });
  if (windows.length > 0) await sink.write({ events: [], threats: [], checkpoints: [], windows });
  return windows.length;
}

async function commit(prepared: PreparedBatch, deps: PipelineDeps): Promise<void> {
  const counters = deps.metrics.source(prepared.sourceId);
  const stage = deps.metrics.stages.store;
  const t0 = performance.now();
  try {
    await deps.sink.write(prepared.write);
  } catch (err) {
    stage.errors++;
    throw err;
  }
  stage.ms += performance.now() - t0;
  stage.events += prepared.write.events.length;
  stage.batches++;
  counters.batches++;
  counters.stored += prepared.write.events.length;
  let newest = counters.newestEventTime ?? -Infinity;
  for (const e of prepared.write.events) if (e.time > newest) newest = e.time;
  if (newest !== -Infinity) counters.newestEventTime = newest;
  deps.onStored?.(prepared.write.threats, prepared.write.events);
}

/** What runSource tells about store failures and recoveries (a StoreOutage, in serve). */
export interface StoreRetryObserver {
  failed(err: unknown, what: string, retryInMs: number): void;
  succeeded(what: string): void;
}

export interface RunSourceOptions {
  signal?: AbortSignal;
  /** First retry delay after a failed write (doubling up to maxRetryDelayMs). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  onError?: (err: unknown) => void;
  outage?: StoreRetryObserver;
}

/**
 * Runs one source to its end (or until it stops). A store failure is retried with capped backoff rather
 * than dropping the batch: the source is not pulled meanwhile, so the pressure reaches the reader, and
 * ingest resumes by itself when the store is back. A retried batch is not duplicated: its checkpoint
 * commits with it, and its rows carry stable ids inserted with ON CONFLICT DO NOTHING.
 */
export async function runSource(source: Source, deps: PipelineDeps, opts: RunSourceOptions = {}): Promise<void> {
  let inFlight: Promise<void> | null = null;
  for await (const batch of source.batches()) {
    const prepared = prepareBatch(batch, deps);
    if (inFlight) await inFlight;
    inFlight = commitWithRetry(prepared, deps, opts);
    if (opts.signal?.aborted) break;
  }
  if (inFlight) await inFlight;
}

async function commitWithRetry(prepared: PreparedBatch, deps: PipelineDeps, opts: RunSourceOptions): Promise<void> {
  const first = opts.retryDelayMs ?? 250;
  const max = opts.maxRetryDelayMs ?? 5_000;
  const what = `ingest of ${prepared.sourceId}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await commit(prepared, deps);
      if (attempt > 0) opts.outage?.succeeded(what);
      return;
    } catch (err) {
      const delay = backoffDelay(attempt, first, max);
      opts.onError?.(err);
      opts.outage?.failed(err, what, delay);
      if (opts.signal?.aborted) {
        deps.metrics.source(prepared.sourceId).dropped += prepared.write.events.length;
        return;
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

function lineNumber(line: RawLine): number {
  return line.origin.kind === 'file' ? line.origin.line : 0;
}
