/**
 * Worker thread entry of `serve`'s ingest (started by ingest-thread.ts): the file tails, parse and detect,
 * the detection's state (behaviour windows, site knowledge, good-bot verification with its DNS look-ups).
 * Parse and detect are most of ingest's CPU and GC; here they no longer share an event loop with /health.
 *
 * Protocol in ingest-worker-protocol.ts. The worker builds its stages at once (a bad rule or format is
 * reported as `failed` and stops start-up), reports `ready`, and opens its sources on `start` with the
 * checkpoints the main thread read from the store. Each source batch is parsed and detected whole, sent in
 * parts, and the source is not pulled again while MAX_IN_FLIGHT of its batches wait for their commit.
 */
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { DiskCache } from '../core/index.js';
import { loadedRuleIds, notApplicableIds } from './applicability.js';
import { FileTailSource, type Source } from '../ingest/index.js';
import {
  BadLineSampler,
  PipelineMetrics,
  decodeEvents,
  detectWithVerdicts,
  encodeEvents,
  prepareBatch,
  transferablesOf,
  type PreparedBatch,
  type ReloadOutcome,
} from '../pipeline/index.js';
import { MAX_IN_FLIGHT, PART_EVENTS, type DetectedThreat, type DetectionView, type IngestWorkerData, type ToMain, type ToWorker } from './ingest-worker-protocol.js';
import { buildStages, type Stages } from './stages.js';
import { toWorkerError } from './worker-error.js';

const port = parentPort;
if (!port) throw new Error('ingest-worker.ts runs as a worker thread (new Worker), not as a script');
const post = (m: ToMain, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer);
const data = workerData as IngestWorkerData;

/**
 * How much nicer this thread is than the one that started it. On Linux the nice value belongs to the thread,
 * so this lowers ingest alone: when every core is busy the main thread (/health, the API, commits) runs first
 * and ingest takes the rest; with a core free it costs ingest nothing. Elsewhere it would lower the whole
 * process, so it is not applied there.
 */
const INGEST_NICE = 10;
if (process.platform === 'linux') {
  try {
    setPriority(Math.min(19, getPriority() + INGEST_NICE));
  } catch {
    // A container may forbid it; ingest then runs at the process's priority, as before.
  }
}

// Log lines go to the main thread's logger (its bindings, its destination), one message each.
const logger = pino({ level: data.logLevel, base: { thread: 'ingest' } }, { write: (line: string) => post({ kind: 'log', line }) });

function view(stages: Stages): DetectionView {
  const { engine, ruleCount } = stages.detection;
  return { ruleIds: loadedRuleIds(engine.detectors), notApplicable: notApplicableIds(engine.detectors, data.config, true), ruleCount, allowlist: engine.allowlist.stats() };
}

let stages: Stages;
try {
  stages = buildStages(data.config, data.configFile, logger, data.cacheDir ? new DiskCache(data.cacheDir) : undefined);
} catch (err) {
  const error = toWorkerError(err);
  post({ kind: 'failed', error });
  port.close();
  throw err;
}
// serve keeps the hits site knowledge holds back in its store, with the batch that held them (kill -9 loses none).
stages.detection.engine.site?.trackHeld();
post({ kind: 'ready', view: view(stages) });

const metrics = new PipelineMetrics();
const sampler = new BadLineSampler(logger);
const deps = {
  format: stages.ingest.format,
  normalise: stages.ingest.normalise,
  evaluator: stages.detection.engine,
  metrics,
  sampler,
};
const sources: Source[] = [];
const loops: Promise<void>[] = [];
/** Per source: batches sent and not yet committed, and who waits for a slot. */
const inFlight = new Map<string, { count: number; wake: (() => void) | null }>();
let stopping = false;
let lastView = 0;


/** One per part sent and not yet taken by the main thread, in sending order (parts of several sources interleave). */
const partsTaken: (() => void)[] = [];

/**
 * The batch in parts, then its end with the checkpoints and what its parse and detect counted (taken, so each is
 * sent once). A part is sent once the previous one was taken: the main thread deserialises every queued message in
 * one turn of its loop, so parts posted at once would hold /health as long as one big message.
 */
async function send(prepared: PreparedBatch): Promise<void> {
  const { sourceId, write } = prepared;
  const { events, threats } = write;
  const windows = write.windows ?? [];
  const parts = Math.max(1, Math.ceil(events.length / PART_EVENTS));
  const threatsPer = Math.ceil(threats.length / parts);
  const windowsPer = Math.ceil(windows.length / parts);
  for (let i = 0; i < parts; i++) {
    const part: Extract<ToMain, { kind: 'part' }> = {
      kind: 'part',
      sourceId,
      events: encodeEvents(events.slice(i * PART_EVENTS, (i + 1) * PART_EVENTS)),
      threats: threats.slice(i * threatsPer, (i + 1) * threatsPer),
      windows: windows.slice(i * windowsPer, (i + 1) * windowsPer),
    };
    post(part, transferablesOf(part.events));
    // Every part is answered, in order; the end needs no wait.
    const taken = new Promise<void>((resolve) => partsTaken.push(resolve));
    if (i < parts - 1) await taken;
  }
  post({ kind: 'end', sourceId, checkpoints: write.checkpoints, counters: metrics.takeDelta(sourceId), ...(write.held ? { held: write.held } : {}) });
  // Allowlist counters move with traffic: the API's copy is refreshed at most once a second.
  const now = Date.now();
  if (now - lastView >= 1000) {
    lastView = now;
    post({ kind: 'view', view: view(stages) });
  }
}

async function slot(sourceId: string): Promise<void> {
  const s = inFlight.get(sourceId)!;
  while (s.count >= MAX_IN_FLIGHT && !stopping) await new Promise<void>((resolve) => (s.wake = resolve));
}

async function run(source: Source): Promise<void> {
  inFlight.set(source.id, { count: 0, wake: null });
  for await (const batch of source.batches()) {
    await send(prepareBatch(batch, deps));
    inFlight.get(source.id)!.count++;
    await slot(source.id);
  }
}

function start(msg: Extract<ToWorker, { kind: 'start' }>): void {
  const { site } = stages.detection.engine;
  if (site && msg.site.length > 0) site.restore(msg.site);
  if (site && msg.held.length > 0) logger.info({ held: site.restoreHeld(msg.held) }, 'held site-knowledge hits restored');
  const { ingest } = data.config;
  for (const pattern of msg.patterns) {
    const source = new FileTailSource({
      id: pattern,
      patterns: [pattern],
      checkpoints: msg.checkpoints,
      startAt: msg.startAt,
      pollIntervalMs: ingest.pollIntervalMs,
      batchLines: ingest.batchLines,
      rotationGlobs: ingest.rotation.glob,
      logger,
      onOpen: () => post({ kind: 'source-open', sourceId: pattern }),
    });
    sources.push(source);
    loops.push(
      run(source).then(
        () => post({ kind: 'source-ended', sourceId: source.id }),
        (err: unknown) => post({ kind: 'source-ended', sourceId: source.id, error: err instanceof Error ? err.message : String(err) }),
      ),
    );
  }
}

/** Sources stop after their batch in flight; then the open windows and held threats go out as one last write. */
async function stop(): Promise<void> {
  stopping = true;
  for (const s of inFlight.values()) s.wake?.();
  await Promise.all(sources.map((s) => s.stop()));
  await Promise.allSettled(loops);
  const { engine, botVerification } = stages.detection;
  const threats = engine.releaseHeld();
  post({ kind: 'flush', windows: engine.drainWindows({ flush: true }), threats, site: engine.site?.snapshot() ?? null, held: engine.takeHeldChanges() });
  if (botVerification) {
    logger.info({ botVerification: botVerification.stats() }, 'stopping good-bot verification');
    await botVerification.close();
  }
  post({ kind: 'stopped' });
  port!.close();
}

port.on('message', (msg: ToWorker) => {
  switch (msg.kind) {
    case 'start':
      start(msg);
      break;
    case 'part-taken':
      partsTaken.shift()?.();
      break;
    case 'committed': {
      const s = inFlight.get(msg.sourceId);
      if (!s) break;
      s.count--;
      const wake = s.wake;
      s.wake = null;
      wake?.();
      break;
    }
    case 'reload': {
      // Logged by the main thread, which asked (SIGHUP, a changed pack).
      let outcome: ReloadOutcome;
      try {
        outcome = { ok: true, ...stages.detection.reload() };
      } catch (err) {
        outcome = { ok: false, error: (err as Error).message };
      }
      // The view first: whoever hears the reply may read the rule ids at once.
      post({ kind: 'view', view: view(stages) });
      post({ kind: 'reply', id: msg.id, reload: outcome });
      break;
    }
    case 'site-snapshot':
      post({ kind: 'reply', id: msg.id, site: stages.detection.engine.site?.snapshot() ?? [] });
      break;
    case 'detect': {
      // Between two source batches (prepareBatch is synchronous): the API's events meet the same windows and rules.
      const events = decodeEvents(msg.events);
      const { write } = detectWithVerdicts({ sourceId: msg.sourceId, events, checkpoints: [] }, msg.verdicts, deps);
      const at = new Map(events.map((e, i) => [e, i]));
      const threats = write.threats.map(({ event, ...rest }): DetectedThreat => {
        const i = at.get(event);
        return i === undefined ? { ...rest, at: -1, event } : { ...rest, at: i };
      });
      post({ kind: 'reply', id: msg.id, detected: { threats, windows: [...(write.windows ?? [])], counters: metrics.takeDelta(msg.sourceId) } });
      break;
    }
    case 'stop':
      void stop();
      break;
  }
});
