/**
 * The hot path: source batch -> parse -> detect -> store -> sinks, with counters (contract in types.ts).
 *
 * Detection of batch N+1 overlaps the store write of batch N, but writes stay strictly in order, so
 * a checkpoint is saved only after every earlier batch is stored: nothing accepted is lost, and a
 * restart resumes exactly after the last stored line.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { HttpEvent, ThreatEvent } from '../core/index.js';
import type { HeldChanges, IpWindow } from '../detect/index.js';
import type { Source, SourceBatch } from '../ingest/index.js';
import { detectBatch, type DetectDeps } from './detect.js';
import { parseBatch, type ParseDeps } from './parse.js';
import type { ThreatSinks } from './sinks.js';
import { backoffDelay } from './store-outage.js';
import type { EventBatch, PreparedBatch, Sink } from './types.js';

export type { Evaluator, Normaliser, PreparedBatch, Sink } from './types.js';

/** What committing needs: the store, the counters, and what hears about committed batches. */
export interface CommitDeps {
  sink: Sink;
  metrics: ParseDeps['metrics'];
  /** The isolated outputs (live bus, IOC collector): each committed batch with threats is offered. */
  sinks?: ThreatSinks;
  /**
   * Called synchronously after a batch is stored, with what it flagged, before the next commit: for a
   * caller that must see every batch (analyze's summary and JSON lines). Outputs that may be slow or
   * fail belong in `sinks`.
   */
  onStored?: (threats: readonly ThreatEvent[], events: readonly HttpEvent[]) => void;
}

export type PipelineDeps = ParseDeps & DetectDeps & CommitDeps;

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

/** Parse and detect one batch. Synchronous and pure apart from counters and sampled logging. */
export function prepareBatch(batch: SourceBatch, deps: ParseDeps & DetectDeps): PreparedBatch {
  return detectBatch(parseBatch(batch, deps), deps);
}

/**
 * Closes the evaluator's open windows and stores them (end of a replay, shutdown), in one write with no events,
 * with the threats site knowledge still held back (judged now). Call after every source has stopped, so no batch
 * closes a window after this.
 */
export async function flushWindows(
  sink: Sink,
  evaluator: { drainWindows(opts?: { flush?: boolean }): IpWindow[]; releaseHeld?(): ThreatEvent[]; takeHeldChanges?(): HeldChanges | null },
): Promise<number> {
  const windows = evaluator.drainWindows({ flush: true });
  const threats = evaluator.releaseHeld?.() ?? [];
  const held = evaluator.takeHeldChanges?.() ?? null;
  if (windows.length > 0 || threats.length > 0 || held !== null) {
    await sink.write({ events: [], threats, checkpoints: [], windows, ...(held ? { held } : {}) });
  }
  return windows.length;
}

/** Stores one prepared batch, counts it, and offers its threats to the sinks; throws what the store threw (no retry). */
export async function commitBatch(prepared: PreparedBatch, deps: CommitDeps): Promise<void> {
  const counters = deps.metrics.source(prepared.sourceId);
  const stage = deps.metrics.stages.store;
  const t0 = performance.now();
  try {
    await deps.sink.write(prepared.write);
  } catch (err) {
    stage.errors++;
    throw err;
  }
  const ms = performance.now() - t0;
  stage.ms += ms;
  deps.metrics.onStoreWrite?.(ms);
  deps.metrics.countDetections(prepared.write.threats);
  stage.events += prepared.write.events.length;
  stage.batches++;
  counters.batches++;
  counters.stored += prepared.write.events.length;
  let newest = counters.newestEventTime ?? -Infinity;
  for (const e of prepared.write.events) if (e.time > newest) newest = e.time;
  if (newest !== -Infinity) counters.newestEventTime = newest;
  deps.sinks?.offer({ sourceId: prepared.sourceId, threats: prepared.write.threats });
  deps.onStored?.(prepared.write.threats, prepared.write.events);
}

/**
 * Runs one source to its end (or until it stops): its lines are parsed as they are pulled, then go
 * through runEventBatches. A store failure is retried with capped backoff rather than dropping the
 * batch: the source is not pulled meanwhile, so the pressure reaches the reader, and ingest resumes by
 * itself when the store is back. A retried batch is not duplicated: its checkpoint commits with it,
 * and its rows carry stable ids inserted with ON CONFLICT DO NOTHING.
 */
export async function runSource(source: Source, deps: PipelineDeps, opts: RunSourceOptions = {}): Promise<void> {
  await runEventBatches(parsed(source, deps), deps, opts);
}

async function* parsed(source: Source, deps: ParseDeps): AsyncGenerator<EventBatch> {
  for await (const batch of source.batches()) yield await parseInSlices(batch, deps);
}

/**
 * Lines parsed between two yields to the event loop (a cold 5,000-line parse held it 60-90 ms), where parse
 * shares its thread with the API (`analyze`, serve with RAMPART_INGEST_THREAD=main; serve's ingest worker
 * parses whole batches). With PGlite in its worker the slices are what is left between /health and the loop: 1,000/250 gave a
 * catch-up p99 of 33-38 ms, 400/100 27-32 ms, at the same catch-up time (quiet machine).
 */
export const PARSE_SLICE = 400;

/** parseBatch over a big batch in slices, yielding between them: the same events in order, the checkpoints once. */
async function parseInSlices(batch: SourceBatch, deps: ParseDeps): Promise<EventBatch> {
  if (batch.lines.length <= PARSE_SLICE) return parseBatch(batch, deps);
  const events: HttpEvent[] = [];
  for (let i = 0; i < batch.lines.length; i += PARSE_SLICE) {
    if (i > 0) await yieldToEventLoop();
    const lines = batch.lines.slice(i, i + PARSE_SLICE);
    // Losses are counted once, with the first slice.
    const slice: SourceBatch = { sourceId: batch.sourceId, lines, checkpoints: [] };
    if (i === 0 && batch.lost) slice.lost = batch.lost;
    for (const e of parseBatch(slice, deps).events) events.push(e);
  }
  return { sourceId: batch.sourceId, events, checkpoints: batch.checkpoints };
}

/**
 * The entry at the detect stage: ready-made events (an ingest API, the CrowdSec stream, a message bus),
 * with the guarantees of types.ts. Detects each batch, commits in order, retries a failing store.
 */
export async function runEventBatches(
  batches: AsyncIterable<EventBatch>,
  deps: DetectDeps & CommitDeps,
  opts: RunSourceOptions = {},
): Promise<void> {
  let inFlight: Promise<void> | null = null;
  for await (const batch of batches) {
    const prepared = await detectInSlices(batch, deps);
    if (inFlight) await inFlight;
    deps.metrics.storePending++;
    inFlight = commitWithRetry(prepared, deps, opts).finally(() => deps.metrics.storePending--);
    if (opts.signal?.aborted) break;
  }
  if (inFlight) await inFlight;
}

/**
 * Events detected between two yields to the event loop, so a big batch cannot hold /health for long:
 * 1,000 cold events held it 60-180 ms at the start of a catch-up.
 */
export const DETECT_SLICE = 100;

/**
 * detectBatch over a big batch in slices, yielding between them: the same events, threats, windows and
 * checkpoints in one write (one transaction), and the same order, so the seam's guarantees hold.
 */
async function detectInSlices(batch: EventBatch, deps: DetectDeps): Promise<PreparedBatch> {
  if (batch.events.length <= DETECT_SLICE) return detectBatch(batch, deps);
  const threats: ThreatEvent[] = [];
  const windows: IpWindow[] = [];
  for (let i = 0; i < batch.events.length; i += DETECT_SLICE) {
    if (i > 0) await yieldToEventLoop();
    const slice = batch.events.slice(i, i + DETECT_SLICE);
    const part = detectBatch({ sourceId: batch.sourceId, events: slice, checkpoints: [] }, deps).write;
    threats.push(...part.threats);
    if (part.windows) windows.push(...part.windows);
  }
  const write: PreparedBatch['write'] = { events: batch.events, threats, checkpoints: batch.checkpoints };
  if (windows.length > 0) write.windows = windows;
  return { sourceId: batch.sourceId, write };
}

/**
 * Commits one prepared batch, retrying a failing store with capped backoff until it is stored (or, once
 * `opts.signal` has fired, counting it dropped). Callers commit a producer's batches one after another, in
 * order, so a checkpoint never runs ahead of its events: runEventBatches here, and serve's ingest thread
 * for the batches its worker prepared.
 */
export async function commitWithRetry(prepared: PreparedBatch, deps: CommitDeps, opts: RunSourceOptions = {}): Promise<void> {
  const first = opts.retryDelayMs ?? 250;
  const max = opts.maxRetryDelayMs ?? 5_000;
  const what = `ingest of ${prepared.sourceId}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await commitBatch(prepared, deps);
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
