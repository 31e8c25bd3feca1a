/**
 * Worker thread entry of `analyze`'s parse stage (started by parse-thread.ts): reads the inputs, splits and parses
 * the lines, normalises them into events, runs the tokenisers on them (pure per event, so they find here what they
 * would find on the main thread), and sends each batch to the main thread encoded (event-codec.ts) with what the
 * tokenisers found. Reading and parsing were about a third of a large analyze's main-thread time; here they run
 * beside detection.
 *
 * Protocol in parse-worker-protocol.ts. Bad lines are sampled here and logged by the main thread; counters travel
 * with each batch.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Detection } from '../core/index.js';
import { tokeniserDetector } from '../detect/index.tokenise.js';
import { FileReadSource, type ReadProgress, type SourceBatch } from '../ingest/index.js';
import { BadLineSampler, PipelineMetrics, buildIngest, encodeEvents, parseBatch, transferablesOf } from '../pipeline/index.parse.js';
import { toWorkerError } from './worker-error.js';
import { PARSE_AHEAD, type FoundInBatch, type ParseToMain, type ParseToWorker, type ParseWorkerData } from './parse-worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('parse-worker.ts runs as a worker thread (new Worker), not as a script');
const post = (m: ParseToMain, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer);
const data = workerData as ParseWorkerData;

let credits = PARSE_AHEAD;
let wake: (() => void) | null = null;
port.on('message', (m: ParseToWorker) => {
  if (m.kind !== 'taken') return;
  credits++;
  wake?.();
  wake = null;
});

async function run(): Promise<void> {
  const ingest = buildIngest(data.config);
  const metrics = new PipelineMetrics();
  const sampler = new BadLineSampler({ warn: (obj, msg) => post({ kind: 'warn', obj, msg }) });
  let progress: ReadProgress | null = null;
  const source = new FileReadSource({
    id: data.sourceId,
    inputs: data.inputs,
    batchLines: data.batchLines,
    ...(data.progress ? { onProgress: (p: ReadProgress) => (progress = p) } : {}),
  });
  const deps = { format: ingest.format, normalise: ingest.normalise, metrics, sampler };
  const tokens = data.tokens ? tokeniserDetector() : null;
  const tokenState = tokens?.createState();
  let first = true;
  for await (const batch of source.batches()) {
    for (const piece of first ? pieces(batch, FIRST_PIECE_LINES) : [batch]) {
      const parsed = parseBatch(piece, deps);
      const events = encodeEvents(parsed.events);
      const found = tokens ? foundIn(tokens.detect(parsed.events, tokenState!)) : null;
      while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
      credits--;
      post({ kind: 'batch', events, tokens: found, counters: metrics.takeDelta(data.sourceId), progress }, transferablesOf(events));
    }
    first = false;
  }
  post({ kind: 'done', progress });
}

/**
 * The first batch goes out in pieces of this many lines: the main thread, idle until it has events, starts detecting
 * after a fifth of the first batch's parse instead of all of it (cold code parses slowly).
 */
const FIRST_PIECE_LINES = 1000;

/** `batch` as consecutive batches of at most `lines` lines, its losses counted with the first. */
function pieces(batch: SourceBatch, lines: number): SourceBatch[] {
  if (batch.lines.length <= lines) return [batch];
  const out: SourceBatch[] = [];
  for (let i = 0; i < batch.lines.length; i += lines) {
    const piece: SourceBatch = { sourceId: batch.sourceId, lines: batch.lines.slice(i, i + lines), checkpoints: [] };
    if (i === 0 && batch.lost) piece.lost = batch.lost;
    out.push(piece);
  }
  return out;
}

/** The events with detections, sparse: on clean traffic nearly every event has none. */
function foundIn(detections: Detection[][]): FoundInBatch {
  const at: number[] = [];
  const found: Detection[][] = [];
  for (let i = 0; i < detections.length; i++) {
    if (detections[i]!.length > 0) {
      at.push(i);
      found.push(detections[i]!);
    }
  }
  return { at, detections: found };
}

run().then(
  () => port.close(),
  (err: unknown) => {
    post({ kind: 'failed', error: toWorkerError(err) });
    port.close();
  },
);
