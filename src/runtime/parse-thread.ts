/**
 * `analyze`'s parse stage on its own thread (parse-worker.ts): the main thread receives parsed batches as events and
 * runs detection on them while the worker reads and parses the next ones. On two cores a large log takes about a
 * fifth less wall time than with both stages on one thread, for more CPU and memory (docs/benchmarks.md); a small
 * one does not repay the worker's start, so `parseThreadWanted` decides by input size.
 *
 * Same results as in-process: the worker runs the same FileReadSource and parseBatch, batches arrive in order, and the
 * counters each batch added travel with it into the caller's metrics.
 */
import { setFlagsFromString } from 'node:v8';
import type { Readable } from 'node:stream';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { Config } from '../config/index.js';
import { workerEntry } from '../core/index.js';
import type { PrecomputedDetector } from '../detect/index.js';
import { estimatedLogBytes, type ReadProgress } from '../ingest/index.js';
import { decodeEvents, type EventBatch, type PipelineMetrics } from '../pipeline/index.js';
import type { ParseToMain, ParseToWorker, ParseWorkerData } from './parse-worker-protocol.js';
import { fromWorkerError } from './worker-error.js';

/**
 * Below this much input (log bytes; gzip counted at 8 times its size) parsing stays on the main thread: the worker's
 * start and a second isolate's warm-up cost what the overlap saves up to about here (paired runs on two cores: 0.98
 * of one thread's wall time at 17 MB, 0.94 at 34 MB, 0.80 at 136 MB; docs/benchmarks.md).
 */
export const PARSE_THREAD_MIN_BYTES = 32 * 1024 * 1024;

/**
 * The worker's semi-space, in MiB. Its garbage is a batch's lines, short-lived. Paired on the 1M benign log against
 * the launcher's 64 MiB (bin/rampart.js, for detection on this thread): 32 cost no wall time (1.00) for 54 MB less
 * peak RSS, 16 another 11 MB less within the noise (1.03, spread 0.87-1.14); with 1M distinct IPs tracked, 16 keeps
 * the peak under 400 MB (399 against 412 MB at 32); 8 ran 5% slower.
 */
const WORKER_SEMI_SPACE_MB = 16;

/**
 * Whether `analyze` of `inputs` parses in a worker: when they add up to PARSE_THREAD_MIN_BYTES, or stdin is among them
 * (its size is unknown and a pipe is usually a large log). RAMPART_PARSE_THREAD=0 or 1 decides instead.
 */
export function parseThreadWanted(inputs: readonly string[], env: NodeJS.ProcessEnv, sizeOf?: (path: string) => number | null): boolean {
  if (env.RAMPART_PARSE_THREAD === '0') return false;
  if (env.RAMPART_PARSE_THREAD === '1') return true;
  return estimatedLogBytes(inputs, PARSE_THREAD_MIN_BYTES, sizeOf) >= PARSE_THREAD_MIN_BYTES;
}

export interface ParseThreadOptions {
  config: Config;
  /** File paths; `-` reads `stdin`. */
  inputs: string[];
  stdin: Readable;
  sourceId: string;
  batchLines: number;
  /** Receives the counters of each batch (read, parsed, unparsed, overlong; the parse stage). */
  metrics: PipelineMetrics;
  /** Sampled bad lines (BadLineSampler's output in the worker). */
  warn: (obj: object, msg: string) => void;
  onProgress?: (p: ReadProgress) => void;
  /**
   * Stands in the detection engine for the tokeniser detector: the worker runs the tokenisers and their findings are
   * put here, keyed by decoded event, before the batch is yielded. Balances the two threads (detection is the slower).
   */
  tokens?: PrecomputedDetector;
  /** Starts the worker (tests). */
  spawn?: (entry: URL | string, options: WorkerOptions) => Worker;
}

/**
 * Sets V8's semi-space size for the next isolate created (a worker's) and returns what puts the flag back.
 *
 * Why a flag: a command-line V8 flag wins over a worker's `resourceLimits.maxYoungGenerationSizeMb` (measured: 128 MiB
 * of new space in the worker whatever the limit), and the launcher gives the process 64 MiB. An isolate reads the flag
 * once, when it is created; the main thread's heap, configured at start, keeps its size (measured too).
 */
function semiSpaceForNextIsolate(mb: number): () => void {
  let before = 0; // V8's default: sized from the heap
  for (const arg of [...(process.env.NODE_OPTIONS ?? '').split(/\s+/), ...process.execArgv]) {
    const m = /^--max-semi-space-size=(\d+)$/.exec(arg);
    if (m) before = Number(m[1]);
  }
  setFlagsFromString(`--max-semi-space-size=${mb}`);
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    setFlagsFromString(`--max-semi-space-size=${before}`);
  };
}

/** A started parse worker: its batches, in order, once. */
export interface ParseThread {
  /** The inputs' events, batch by batch. Ending the iteration early (or an error) stops the worker. */
  batches(): AsyncGenerator<EventBatch>;
  /** Stops the worker if `batches` was never iterated to its end. */
  stop(): Promise<void>;
}

/**
 * Starts the worker now, so that its start and first batches overlap whatever the caller does before it pulls
 * (building the detection stage takes longer than the worker's start).
 */
export function startParseThread(opts: ParseThreadOptions): ParseThread {
  // The bundled worker when running from dist/ (one file to load).
  const { entry, evalEntry } = workerEntry(import.meta.url, '../bundle/parse-worker.cjs', './parse-worker.ts');
  const usesStdin = opts.inputs.includes('-');
  const data: ParseWorkerData = {
    config: opts.config,
    inputs: opts.inputs,
    sourceId: opts.sourceId,
    batchLines: opts.batchLines,
    progress: opts.onProgress !== undefined,
    tokens: opts.tokens !== undefined,
  };
  const spawn = opts.spawn ?? ((e, o) => new Worker(e, o));
  const restoreSemiSpace = semiSpaceForNextIsolate(WORKER_SEMI_SPACE_MB);
  const worker = spawn(entry, { eval: evalEntry, workerData: data, stdin: usesStdin });
  // The worker's isolate reads the flag when its thread starts, after `new Worker` returns.
  worker.once('online', restoreSemiSpace);
  worker.once('exit', restoreSemiSpace);
  const queue: Exclude<ParseToMain, { kind: 'warn' }>[] = [];
  let failure: Error | null = null;
  let exitCode: number | null = null;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    wake?.();
    wake = null;
  };
  worker.on('message', (m: ParseToMain) => {
    if (m.kind === 'warn') opts.warn(m.obj, m.msg);
    else queue.push(m);
    notify();
  });
  worker.on('error', (err) => {
    failure ??= err;
    notify();
  });
  worker.on('exit', (code) => {
    // After a turn, so that messages the worker posted just before it ended are queued before its exit is.
    setImmediate(() => {
      exitCode = code;
      notify();
    });
  });
  if (usesStdin && worker.stdin) opts.stdin.pipe(worker.stdin);
  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    if (stopped === null) {
      if (usesStdin && worker.stdin) {
        opts.stdin.unpipe(worker.stdin);
        worker.stdin.destroy();
      }
      stopped = worker.terminate().then(() => undefined);
    }
    return stopped;
  };
  const take: ParseToWorker = { kind: 'taken' };
  async function* batches(): AsyncGenerator<EventBatch> {
    try {
      for (;;) {
        while (queue.length === 0 && failure === null && exitCode === null) await new Promise<void>((resolve) => (wake = resolve));
        const m = queue.shift();
        if (m === undefined) throw failure ?? new Error(`analyze: the parse thread stopped (exit code ${exitCode}) before the end of the input`);
        if (m.kind === 'failed') throw fromWorkerError(m.error);
        if (m.progress) opts.onProgress?.(m.progress);
        if (m.kind === 'done') return;
        worker.postMessage(take);
        opts.metrics.addDelta(opts.sourceId, m.counters);
        const events = decodeEvents(m.events);
        if (m.tokens && opts.tokens) {
          const { at, detections } = m.tokens;
          for (let k = 0; k < at.length; k++) opts.tokens.found.set(events[at[k]!]!, detections[k]!);
        }
        yield { sourceId: opts.sourceId, events, checkpoints: [] };
      }
    } finally {
      await stop();
    }
  }
  return { batches, stop };
}
