/**
 * The embedded store's worker thread dies (here: terminated) in the middle of a bulk write. The process must
 * survive, the pipeline must see a lost connection (one warn per outage, nothing at error level), retry,
 * and store every line exactly once in a new worker on the same data folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore } from '../store/index.js';
import { openWatchedPgliteWorker } from '../store/testing/watched-pglite-worker.js';
import { PipelineMetrics } from './metrics.js';
import { runSource } from './pipeline.js';
import { BadLineSampler } from './sampler.js';
import { StoreOutage } from './store-outage.js';
import { defaultStages } from './testing/default-stages.js';
import { generatedSource } from './testing/generated-source.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('the PGlite worker dies during a bulk write', () => {
  it('retries, and stores every line exactly once in a new worker', { timeout: 400_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-worker-crash-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const { sql, workers } = await openWatchedPgliteWorker(join(dir, 'pglite'));
    cleanups.push(() => sql.close());
    const store = createStore(sql);
    await store.schema.migrate();

    const batches = 40;
    const batchLines = 500;
    const metrics = new PipelineMetrics();
    const logs: { level: string; msg: string }[] = [];
    const log = (level: string) => (_o: object, msg: string) => void logs.push({ level, msg });
    const outage = new StoreOutage('pglite', { warn: log('warn'), info: log('info'), error: log('error') }, metrics.storeAvailability);

    // The worker is ended only while a write is in flight, so each end fails a write (between writes the next
    // statement would just start a new worker).
    let writing = false;
    const sink = {
      write: async (batch: Parameters<typeof store.writer.write>[0]) => {
        writing = true;
        try {
          await store.writer.write(batch);
        } finally {
          writing = false;
        }
      },
    };
    let done = false;
    const run = runSource(
      generatedSource({ batches, batchLines }),
      { ...defaultStages(), sink, metrics, sampler: new BadLineSampler({ warn: () => {} }) },
      { outage, retryDelayMs: 20, maxRetryDelayMs: 200 },
    ).finally(() => {
      done = true;
    });
    // End the current worker twice, each once some more batches have been stored.
    let kills = 0;
    let lastStored = 0;
    while (!done && kills < 2) {
      const stored = metrics.snapshot().sources.generated?.stored ?? 0;
      if (writing && stored >= lastStored + 3 * batchLines) {
        lastStored = stored;
        await workers.at(-1)!.terminate();
        kills++;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await run;

    expect(kills).toBe(2);
    expect(workers.length).toBeGreaterThanOrEqual(3);
    const { rows } = await sql.query<{ n: number; distinct_ids: number; rolled: number; cp: string }>(
      `SELECT (SELECT count(*)::int FROM requests) AS n, (SELECT count(DISTINCT id)::int FROM requests) AS distinct_ids,
              (SELECT sum(requests)::int FROM rollup_minute) AS rolled,
              (SELECT byte_offset::text FROM checkpoints WHERE source = 'generated') AS cp`,
    );
    const lines = batches * batchLines;
    expect(rows[0]).toEqual({ n: lines, distinct_ids: lines, rolled: lines, cp: String(lines * 200) });
    const snap = metrics.snapshot();
    expect(snap.sources.generated).toMatchObject({ stored: lines, dropped: 0 });
    expect(snap.storeAvailability.outages).toBe(2);
    expect(snap.storeAvailability.downSince).toBeNull();
    // A worker that dies is a lost connection, not a rejected statement: warn once per outage, never error.
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
    expect(logs.filter((l) => l.level === 'warn')).toHaveLength(snap.storeAvailability.outages);
  });
});
