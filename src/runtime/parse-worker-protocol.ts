/**
 * Messages between `analyze`'s main thread (parse-thread.ts: detect, summary, store) and its parse worker
 * (parse-worker.ts: read -> parse, and the tokenisers, which are pure per event). Parsed batches cross as EncodedEvents (src/pipeline/event-codec.ts), their typed
 * arrays transferred; the worker is at most PARSE_AHEAD batches ahead of what the main thread has taken, so memory
 * stays bounded when detection is the slower side.
 */
import type { Config } from '../config/index.js';
import type { Detection } from '../core/index.js';
import type { ReadProgress } from '../ingest/index.js';
import type { CounterDelta, EncodedEvents } from '../pipeline/index.js';
import type { WorkerError } from './worker-error.js';

/** Batches parsed and not yet taken by the main thread before the worker waits. */
export const PARSE_AHEAD = 8;

export interface ParseWorkerData {
  config: Config;
  /** File paths; `-` reads the worker's stdin, which the main thread feeds from its own. */
  inputs: string[];
  sourceId: string;
  batchLines: number;
  /** Whether to send read progress with each batch (a progress bar is drawn). */
  progress: boolean;
  /** Whether to run the tokenisers on each batch and send what they found (PrecomputedDetector on the main thread). */
  tokens: boolean;
}

/** A detector's findings in one batch: the indexes of the events it found something in, and what. */
export interface FoundInBatch {
  at: number[];
  detections: Detection[][];
}

export type ParseToMain =
  | { kind: 'batch'; events: EncodedEvents; tokens: FoundInBatch | null; counters: CounterDelta; progress: ReadProgress | null }
  | { kind: 'warn'; obj: object; msg: string }
  | { kind: 'done'; progress: ReadProgress | null }
  | { kind: 'failed'; error: WorkerError };

export type ParseToWorker = { kind: 'taken' };
