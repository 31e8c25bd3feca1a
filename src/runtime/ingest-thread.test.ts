/**
 * serve's ingest worker (read -> parse -> detect in a worker thread, commits on this one): the seam's
 * guarantees across the thread boundary. A worker that dies mid-catch-up is logged once and replaced, and
 * every line ends up stored exactly once with the checkpoint at the end of the file; a store that does not
 * answer stops the worker after MAX_IN_FLIGHT batches; counters and the detection's view reach this thread.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { mixedLine } from '../../test/e2e/log-lines.js';
import { validateConfig } from '../config/index.js';
import { PipelineMetrics, ThreatSinks, type StoreConnection } from '../pipeline/index.js';
import { createStore, openPgliteWorker } from '../store/index.js';
import { MAX_IN_FLIGHT } from './ingest-worker-protocol.js';
import { startIngestWorker, type IngestRunOptions } from './ingest-thread.js';

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function logFile(lines: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-ingest-thread-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'access.log');
  let text = '';
  for (let i = 0; i < lines; i++) text += mixedLine(i) + '\n';
  writeFileSync(file, text);
  return file;
}

function capturingLogger() {
  const records: { level: number; msg: string; thread?: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void records.push(JSON.parse(line) as (typeof records)[number]) });
  return { logger, records };
}

function watchedSpawn() {
  const workers: Worker[] = [];
  const spawn = (entry: URL | string, options: WorkerOptions) => {
    const w = new Worker(entry, options);
    workers.push(w);
    return w;
  };
  return { workers, spawn };
}

const noOutage = { failed: () => {}, succeeded: () => {} };

describe('ingest worker', () => {
  // The nice value is per thread on Linux (/proc/self/task/<tid>/stat, field 19).
  const niceOf = (tid: string): number => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[16]);
  const nices = (): number[] => readdirSync('/proc/self/task').map(niceOf);

  it.runIf(process.platform === 'linux')('runs ingest at a lower priority than the main thread, so /health wins a busy core', { timeout: 100_000 }, async () => {
    const before = nices();
    const main = niceOf(String(process.pid));
    const { logger } = capturingLogger();
    const ingest = await startIngestWorker({ config: validateConfig({}), configFile: null, cacheDir: null, logger });
    cleanups.push(() => ingest.close());
    const lowered = (all: number[]) => all.filter((n) => n === Math.min(19, main + 10)).length;
    expect(lowered(nices())).toBe(lowered(before) + 1);
    expect(niceOf(String(process.pid))).toBe(main);
  });

  it('replaces a worker that dies mid-catch-up: logged once, every line stored once, checkpoint at the end', { timeout: 400_000 }, async () => {
    const lines = 12_000;
    const file = logFile(lines);
    const sql = await openPgliteWorker('memory://');
    cleanups.push(() => sql.close());
    const store = createStore(sql);
    const migrations = await store.schema.migrate();
    const config = validateConfig({ ingest: { batchLines: 500 } });
    const { logger, records } = capturingLogger();
    const { workers, spawn } = watchedSpawn();
    const metrics = new PipelineMetrics();
    const ingest = await startIngestWorker({ config, configFile: null, cacheDir: null, logger, spawn, restartDelayMs: 10 });
    const link: StoreConnection = { ready: Promise.resolve({ migrations, checkpoints: [] }) };
    const run: IngestRunOptions = {
      patterns: [file],
      startAt: 'start',
      store,
      link,
      metrics,
      annotate: undefined,
      sinks: new ThreatSinks([], metrics),
      outage: noOutage,
      signal: new AbortController().signal,
    };
    const thread = ingest.run(run);
    const stored = () => metrics.snapshot().sources[file]?.stored ?? 0;
    await until('a quarter stored', () => stored() >= lines / 4);
    await workers[0]!.terminate();
    const count = async () => (await sql.query<{ n: number }>('SELECT count(DISTINCT id)::int AS n FROM requests')).rows[0]!.n;
    await until('every line stored', async () => (await count()) === lines);
    const size = statSync(file).size;
    await until('the checkpoint at the end', async () => {
      const { rows } = await sql.query<{ off: string }>('SELECT byte_offset::text AS off FROM checkpoints');
      return rows[0]?.off === String(size);
    });
    await thread.stop();

    const { rows } = await sql.query<{ n: number; ids: number; paths: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids, count(DISTINCT path || '?' || query)::int AS paths FROM requests`,
    );
    expect(rows[0]).toEqual({ n: lines, ids: lines, paths: lines });
    expect(workers).toHaveLength(2);
    expect(thread.restarts).toBe(1);
    const crashes = records.filter((r) => r.level >= 50);
    expect(crashes.map((r) => r.msg)).toEqual(['ingest worker stopped unexpectedly; restarting it from the last stored checkpoints']);
    // Parse and detect counted in the worker, summed here; the rules it loaded are listed for the API.
    const snap = metrics.snapshot();
    expect(snap.sources[file]!.read).toBeGreaterThanOrEqual(lines);
    expect(snap.stages.detect.events).toBeGreaterThanOrEqual(lines);
    expect(thread.view().ruleIds.length).toBeGreaterThan(100);
    // The worker's own log lines come through this thread's logger, marked as the worker's.
    expect(records.some((r) => r.thread === 'ingest')).toBe(true);
  });

  it('stops pulling a source while MAX_IN_FLIGHT of its batches wait for a store that does not answer', { timeout: 200_000 }, async () => {
    const batchLines = 200;
    const file = logFile(batchLines * 20);
    const config = validateConfig({ ingest: { batchLines } });
    const { logger } = capturingLogger();
    const metrics = new PipelineMetrics();
    const ingest = await startIngestWorker({ config, configFile: null, cacheDir: null, logger });
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    let writes = 0;
    const writer = {
      write: async () => {
        writes++;
        await blocked;
      },
    };
    const abort = new AbortController();
    const store = { writer, checkpoints: { load: async () => [] }, siteKnowledge: { load: async () => [] }, heldThreats: { load: async () => [] } } as unknown as IngestRunOptions['store'];
    const thread = ingest.run({
      patterns: [file],
      startAt: 'start',
      store,
      link: { ready: Promise.resolve({ migrations: { applied: [], pending: [] } as never, checkpoints: [] }) },
      metrics,
      annotate: undefined,
      sinks: new ThreatSinks([], metrics),
      outage: noOutage,
      signal: abort.signal,
    });
    const read = () => metrics.snapshot().sources[file]?.read ?? 0;
    await until('the first batches', () => read() >= MAX_IN_FLIGHT * batchLines);
    // Time for the worker to run ahead if it could.
    await sleep(1500);
    expect(read()).toBe(MAX_IN_FLIGHT * batchLines);
    expect(writes).toBe(1);
    // What /metrics shows as the store writer's queue: every batch handed over and not committed.
    expect(metrics.storePending).toBe(MAX_IN_FLIGHT);
    release();
    await until('the whole file read', () => read() === batchLines * 20);
    abort.abort();
    await thread.stop();
    expect(metrics.storePending).toBe(0);
  });

  it('fails start-up with the config error of a bad rule pack, naming the key', { timeout: 100_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-ingest-thread-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const pack = join(dir, 'bad.yaml');
    writeFileSync(pack, 'pack: bad\ncategory: sqli\nrules:\n  - id: broken\n    match: { regex: "(" }\n');
    const config = validateConfig({ detect: { rules: { paths: [pack] } } });
    const { logger } = capturingLogger();
    await expect(startIngestWorker({ config, configFile: null, cacheDir: null, logger })).rejects.toThrow(/bad\.yaml/);
  });

});
