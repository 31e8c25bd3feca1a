/**
 * `serve`'s ingest in a worker thread (ingest-worker.ts reads, parses and detects), the store writes and the
 * sinks on the main thread, beside the API. Before, parse and detect ran on the loop that answers /health and
 * held it for up to ~60 ms per slice during a catch-up (docs/reliability.md).
 *
 * Guarantees of the seam (src/pipeline/types.ts) across the thread boundary:
 * - Ordering: a source's batches arrive in order and are committed one after another (commitWithRetry).
 * - Checkpoint only after commit: checkpoints come with a batch's `end` and are stored in its transaction;
 *   the worker is told `committed` afterwards and never persists anything.
 * - Back-pressure: the worker stops pulling a source while MAX_IN_FLIGHT of its batches are not committed,
 *   so a slow or failing store holds the file reader, not a growing queue.
 * - A worker that dies is logged once (error), the batches it had finished are still committed, the parts of
 *   an unfinished one are dropped, and a new worker starts from the checkpoints in the store: no line is lost,
 *   and a line read twice has the same event id. The detection state it held (open behaviour windows, site
 *   knowledge since the last save, good-bot verdicts) starts again from the store or from nothing.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { RampartError, workerEntry, type Detection, type HttpEvent, type ThreatEvent } from '../core/index.js';
import type { AllowEntryStats, IpWindow, SiteSnapshot } from '../detect/index.js';
import type { Checkpoint } from '../ingest/index.js';
import {
  commitWithRetry,
  decodeEvents,
  encodeEvents,
  transferablesOf,
  type Annotator,
  type CommitDeps,
  type EventBatch,
  type PipelineMetrics,
  type PreparedBatch,
  type StoreConnection,
  type StoreRetryObserver,
  type ThreatSinks,
} from '../pipeline/index.js';
import type { Store } from '../store/index.js';
import type { DetectionView, IngestWorkerData, ToMain, ToWorker } from './ingest-worker-protocol.js';
import { fromWorkerError } from './worker-error.js';

/** What the worker is started with, before the store opens (so a bad rule or format stops start-up first). */
export interface IngestWorkerOptions {
  config: Config;
  /** The config file read, if any (logged with the stages). */
  configFile: string | null;
  cacheDir: string | null;
  logger: Logger;
  /** Starts the worker; tests replace it to reach the Worker (to terminate it). */
  spawn?: (entry: URL | string, options: WorkerOptions) => Worker;
  /** First wait before a restart after a crash (doubling to 30 s while crashes follow each other). */
  restartDelayMs?: number;
}

/** What the ingest needs once the store and the outputs are there. */
export interface IngestRunOptions {
  /** Log patterns to follow. */
  patterns: string[];
  startAt: Config['ingest']['startAt'];
  store: Pick<Store, 'writer' | 'checkpoints' | 'siteKnowledge' | 'heldThreats'>;
  link: StoreConnection;
  metrics: PipelineMetrics;
  annotate: Annotator | undefined;
  sinks: ThreatSinks;
  outage: StoreRetryObserver;
  signal: AbortSignal;
}

/** A started worker with its stages built: `run` gives it the sources and the store. */
export interface IngestWorker {
  view(): DetectionView;
  run(opts: IngestRunOptions): IngestThread;
  /** Ends the worker when start-up fails before `run`. */
  close(): Promise<void>;
}

export interface IngestThread {
  /** Ids of the sources open in the worker and not ended (after a crash, kept until the new worker reopens them). */
  readonly running: ReadonlySet<string>;
  /** Rule ids, rule count and allowlist counters, as the worker last reported them. */
  view(): DetectionView;
  allowlist(): AllowEntryStats[];
  /** Reloads rule packs and profiles in the worker; rejects with the reason when the worker keeps its rules. */
  reload(): Promise<{ ruleCount: number; allowlistEntries: number }>;
  /** What site knowledge the worker holds now; null before the worker has started on the store's knowledge. */
  siteSnapshot(): Promise<SiteSnapshot[] | null>;
  /**
   * Detects ready-made events (the ingest API) in the worker, between its source batches, with the same engine;
   * geo is added here. Rejects with a store_unavailable RampartError while the worker is restarting.
   */
  detect(batch: EventBatch, verdicts: readonly (Detection | null)[]): Promise<PreparedBatch>;
  /** Workers started after a crash. */
  readonly restarts: number;
  /** Stops the sources, commits every batch the worker prepared, then its open windows and held threats. */
  stop(): Promise<void>;
}

type Pending = { resolve: (m: Extract<ToMain, { kind: 'reply' }>) => void; reject: (err: Error) => void };

/** One worker's life: what it sent, what waits for its replies. */
interface Connection {
  worker: Worker;
  dead: boolean;
  started: boolean;
  parts: Map<string, { events: HttpEvent[]; threats: ThreatEvent[]; windows: IpWindow[] }>;
  pending: Map<number, Pending>;
  stopped: Promise<Extract<ToMain, { kind: 'flush' }> | null>;
  exited: Promise<{ code: number; error: unknown }>;
}


/** Starts the worker and waits until its stages are built: a bad rule, format or zone fails here, as in-process. */
export async function startIngestWorker(base: IngestWorkerOptions): Promise<IngestWorker> {
  const { logger } = base;
  const spawn = base.spawn ?? ((entry, options) => new Worker(entry, options));
  // Set by run(); no batch arrives before (the sources open with `start`, sent by run).
  let opts!: IngestRunOptions;
  let metrics!: PipelineMetrics;
  let signal!: AbortSignal;
  let commitDeps!: CommitDeps;
  const running = new Set<string>();
  const chains = new Map<string, Promise<void>>();
  let currentView: DetectionView = { ruleIds: [], notApplicable: [], ruleCount: 0, allowlist: [] };
  let nextId = 1;
  let stopping = false;
  let restarts = 0;
  let lastSite: SiteSnapshot[] | null = null;

  const data: IngestWorkerData = { config: base.config, configFile: base.configFile, cacheDir: base.cacheDir, logLevel: logger.level };

  function relog(line: string): void {
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const { level, msg, time: _time, pid: _pid, hostname: _hostname, ...rest } = rec;
    const label = typeof level === 'number' ? logger.levels.labels[level] : undefined;
    const log = label && label in logger ? (logger[label as 'info'] as Logger['info']).bind(logger) : logger.info.bind(logger);
    log(rest, typeof msg === 'string' ? msg : '');
  }

  function onBatch(conn: Connection, end: Extract<ToMain, { kind: 'end' }>): void {
    const { sourceId } = end;
    const parts = conn.parts.get(sourceId) ?? { events: [], threats: [], windows: [] };
    conn.parts.delete(sourceId);
    metrics.addDelta(sourceId, end.counters);
    const write: PreparedBatch['write'] = { events: parts.events, threats: parts.threats, checkpoints: end.checkpoints };
    if (parts.windows.length > 0) write.windows = parts.windows;
    if (end.held) write.held = end.held;
    const prepared: PreparedBatch = { sourceId, write };
    const previous = chains.get(sourceId) ?? Promise.resolve();
    metrics.storePending++;
    chains.set(
      sourceId,
      previous
        .then(() => commitWithRetry(prepared, commitDeps, { signal, outage: opts.outage }))
        .finally(() => metrics.storePending--)
        .then(() => {
          if (!conn.dead) conn.worker.postMessage({ kind: 'committed', sourceId } satisfies ToWorker);
        })
        .catch((err: unknown) => logger.error({ err, source: sourceId }, 'storing a batch failed')),
    );
  }

  function connect(): Connection {
    const { entry, evalEntry } = workerEntry(import.meta.url, './ingest-worker.js', './ingest-worker.ts');
    const worker = spawn(entry, { workerData: data, eval: evalEntry });
    let resolveStopped!: (m: Extract<ToMain, { kind: 'flush' }> | null) => void;
    let flush: Extract<ToMain, { kind: 'flush' }> | null = null;
    let lastError: unknown;
    const conn: Connection = {
      worker,
      dead: false,
      started: false,
      parts: new Map(),
      pending: new Map(),
      stopped: new Promise((r) => (resolveStopped = r)),
      exited: new Promise((resolve) =>
        worker.once('exit', (code) => {
          conn.dead = true;
          const err = new Error(`ingest worker exited (code ${code})`);
          for (const p of conn.pending.values()) p.reject(err);
          conn.pending.clear();
          resolveStopped(flush);
          resolve({ code, error: lastError });
        }),
      ),
    };
    worker.on('error', (err) => {
      lastError = err;
    });
    worker.on('message', (m: ToMain) => {
      switch (m.kind) {
        case 'log':
          relog(m.line);
          break;
        case 'view':
        case 'ready':
          currentView = m.view;
          break;
        case 'part': {
          let parts = conn.parts.get(m.sourceId);
          if (!parts) conn.parts.set(m.sourceId, (parts = { events: [], threats: [], windows: [] }));
          // Geo/ASN from the local databases stays here: one copy of them in memory, microseconds per threat.
          if (m.threats.length > 0) opts.annotate?.(m.threats);
          for (const e of decodeEvents(m.events)) parts.events.push(e);
          for (const t of m.threats) parts.threats.push(t);
          for (const w of m.windows) parts.windows.push(w);
          // After a turn of the loop, so a waiting /health is answered between two parts.
          setImmediate(() => {
            if (!conn.dead) conn.worker.postMessage({ kind: 'part-taken' } satisfies ToWorker);
          });
          break;
        }
        case 'end':
          onBatch(conn, m);
          break;
        case 'source-open':
          running.add(m.sourceId);
          break;
        case 'source-ended':
          running.delete(m.sourceId);
          if (m.error !== undefined) logger.error({ err: m.error, source: m.sourceId }, 'source stopped');
          break;
        case 'reply': {
          const p = conn.pending.get(m.id);
          conn.pending.delete(m.id);
          p?.resolve(m);
          break;
        }
        case 'flush':
          flush = m;
          break;
        case 'stopped':
          resolveStopped(flush);
          break;
        case 'failed':
          break;
      }
    });
    return conn;
  }

  /** Waits for `ready`, or throws what stopped the worker building its stages (a ConfigError stays one). */
  async function ready(conn: Connection): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: ToMain) => {
        if (m.kind === 'ready') done(null);
        else if (m.kind === 'failed') {
          done(fromWorkerError(m.error));
        }
      };
      const onExit = (code: number) => done(new Error(`ingest worker exited while starting (code ${code})`));
      const done = (err: Error | null) => {
        conn.worker.off('message', onMessage);
        conn.worker.off('exit', onExit);
        if (err) reject(err);
        else resolve();
      };
      conn.worker.on('message', onMessage);
      conn.worker.on('exit', onExit);
    });
  }

  /** Checkpoints and site knowledge from the store, then the sources open in the worker. */
  function begin(conn: Connection, checkpoints: Checkpoint[]): void {
    void (async () => {
      let site: SiteSnapshot[] = [];
      try {
        site = await opts.store.siteKnowledge.load();
        logger.info({ sites: site.length }, 'site knowledge restored');
      } catch (err) {
        logger.warn({ err }, 'loading site knowledge failed; it is learned again from traffic');
      }
      let held: unknown[] = [];
      try {
        held = await opts.store.heldThreats.load(base.config.detect.site.maxHeld);
      } catch (err) {
        logger.warn({ err }, 'loading the held site-knowledge hits failed; they are not reported');
      }
      if (conn.dead || stopping) return;
      conn.worker.postMessage({ kind: 'start', patterns: opts.patterns, startAt: opts.startAt, checkpoints, site, held } satisfies ToWorker);
      conn.started = true;
    })();
  }

  /** After a crash: commit what the dead worker finished, then a new one from the stored checkpoints. */
  async function restart(crashes: number): Promise<void> {
    await Promise.allSettled([...chains.values()]);
    const delay = Math.min(30_000, (base.restartDelayMs ?? 1_000) * 2 ** Math.min(crashes, 5));
    await new Promise((r) => setTimeout(r, delay));
    if (stopping || signal.aborted) return;
    const next = connect();
    await ready(next);
    if (stopping || signal.aborted) {
      await next.worker.terminate();
      return;
    }
    restarts++;
    conn = next;
    watch(next);
    for (let attempt = 0; ; attempt++) {
      if (stopping || signal.aborted || next.dead) return;
      try {
        begin(next, await opts.store.checkpoints.load());
        return;
      } catch {
        // The store is down too: its outage is logged by the writes; wait for it.
        await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * 2 ** attempt)));
      }
    }
  }

  let crashes = 0;
  function watch(c: Connection): void {
    void c.exited.then(async ({ code, error }) => {
      if (stopping) return;
      logger.error({ code, err: error }, 'ingest worker stopped unexpectedly; restarting it from the last stored checkpoints');
      try {
        await restart(crashes++);
      } catch (err) {
        logger.error({ err }, 'ingest worker could not be restarted; ingest has stopped');
        running.clear();
      }
    });
  }

  let conn = connect();
  try {
    await ready(conn);
  } catch (err) {
    await conn.worker.terminate();
    throw err;
  }

  type Request = { kind: 'reload' } | { kind: 'site-snapshot' } | Omit<Extract<ToWorker, { kind: 'detect' }>, 'id'>;
  const request = (body: Request, transfer?: ArrayBuffer[]): Promise<Extract<ToMain, { kind: 'reply' }>> => {
    const c = conn;
    if (c.dead) return Promise.reject(new Error('the ingest worker is restarting'));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      c.pending.set(id, { resolve, reject });
      c.worker.postMessage({ ...body, id } satisfies ToWorker, transfer);
    });
  };

  const thread: IngestThread = {
    running,
    view: () => currentView,
    allowlist: () => currentView.allowlist,
    get restarts() {
      return restarts;
    },
    async reload() {
      const reply = await request({ kind: 'reload' });
      const r = reply.reload;
      if (!r) throw new Error('the ingest worker did not answer the reload');
      if (!r.ok) throw new Error(r.error);
      return { ruleCount: r.ruleCount, allowlistEntries: r.allowlistEntries };
    },
    async detect(batch, verdicts) {
      const events = encodeEvents(batch.events);
      let reply: Extract<ToMain, { kind: 'reply' }>;
      try {
        reply = await request({ kind: 'detect', sourceId: batch.sourceId, events, verdicts: [...verdicts] }, transferablesOf(events));
      } catch (err) {
        throw new RampartError('store_unavailable', `the ingest worker could not detect the events: ${(err as Error).message}`, { cause: err });
      }
      const detected = reply.detected;
      if (!detected) throw new RampartError('store_unavailable', 'the ingest worker did not answer the detection');
      metrics.addDelta(batch.sourceId, detected.counters);
      const threats = detected.threats.map(({ at, event, ...rest }): ThreatEvent => ({ ...rest, event: at >= 0 ? batch.events[at]! : event! }));
      if (threats.length > 0) opts.annotate?.(threats);
      const write: PreparedBatch['write'] = { events: batch.events, threats, checkpoints: batch.checkpoints };
      if (detected.windows.length > 0) write.windows = detected.windows;
      return { sourceId: batch.sourceId, write };
    },
    async siteSnapshot() {
      if (stopping) return lastSite;
      if (!conn.started) return null;
      return (await request({ kind: 'site-snapshot' })).site ?? null;
    },
    async stop() {
      stopping = true;
      const c = conn;
      if (!c.dead) c.worker.postMessage({ kind: 'stop' } satisfies ToWorker);
      // A worker that does not finish its stop in time is ended: its batches are committed below, its windows lost.
      const timer = setTimeout(() => void c.worker.terminate(), 30_000);
      const flush = await c.stopped;
      await Promise.allSettled([...chains.values()]);
      if (flush) {
        lastSite = flush.site;
        if (flush.threats.length > 0) opts.annotate?.(flush.threats);
        if (flush.windows.length > 0 || flush.threats.length > 0 || flush.held !== null) {
          await opts.store.writer
            .write({ events: [], threats: flush.threats, checkpoints: [], windows: flush.windows, ...(flush.held ? { held: flush.held } : {}) })
            .catch((err: unknown) => logger.warn({ err }, 'storing the open IP windows failed'));
        }
      }
      // Nothing is left to do there: a handle a source left open must not hold the process.
      if (!c.dead) await c.worker.terminate();
      clearTimeout(timer);
    },
  };

  return {
    view: () => currentView,
    close: async () => {
      stopping = true;
      await conn.worker.terminate();
    },
    run(o) {
      opts = o;
      metrics = o.metrics;
      signal = o.signal;
      commitDeps = { sink: o.store.writer, metrics, sinks: o.sinks };
      watch(conn);
      void o.link.ready.then((up) => {
        if (up && !stopping) begin(conn, up.checkpoints);
      });
      return thread;
    },
  };
}
