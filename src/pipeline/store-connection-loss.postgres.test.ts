/**
 * Issue 9.1: the server drops Rampart's connections (pg_terminate_backend) in the middle of a bulk write.
 * The process must survive (an unhandled 'error' on a checked-out pg client used to kill it), every batch
 * must be retried until stored, and nothing may be stored twice. Only this test's own backends are
 * terminated, found by a random application_name.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.js';
import { createTestSchema, probePostgres, type TestSchema } from '../store/testing/postgres.js';
import { PipelineMetrics } from './metrics.js';
import { runSource, type PipelineDeps } from './pipeline.js';
import { BadLineSampler } from './sampler.js';
import { StoreOutage } from './store-outage.js';
import { generatedSource } from './testing/generated-source.js';
import { defaultStages } from './testing/default-stages.js';

const url = await probePostgres('connection loss during a write');
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

function deps(store: Store, metrics: PipelineMetrics): PipelineDeps {
  return {
    ...defaultStages(),
    sink: store.writer,
    metrics,
    sampler: new BadLineSampler({ warn: () => {} }),
  };
}

describe.skipIf(!url)('pg_terminate_backend during a bulk write', () => {
  it('survives, retries, and stores every line exactly once', async () => {
    const s: TestSchema = await createTestSchema(url!);
    cleanups.push(() => s.drop());
    const app = `rampart_test_${randomBytes(6).toString('hex')}`;
    const store = await openStore({ databaseUrl: s.url, schema: s.schema, applicationName: app });
    cleanups.push(() => store.close());
    const admin = new pg.Client({ connectionString: s.url });
    await admin.connect();
    cleanups.push(() => admin.end());

    const batches = 60;
    const batchLines = 500;
    const metrics = new PipelineMetrics();
    const logs: { level: string; msg: string }[] = [];
    const log = (level: string) => (_o: object, msg: string) => void logs.push({ level, msg });
    const outage = new StoreOutage('postgres', { warn: log('warn'), info: log('info'), error: log('error') }, metrics.storeAvailability);

    let done = false;
    let terminated = 0;
    const run = runSource(generatedSource({ batches, batchLines }), deps(store, metrics), { outage, retryDelayMs: 20, maxRetryDelayMs: 200 })
      .finally(() => {
        done = true;
      });
    // Terminate our backends whenever one is busy, up to MAX_TERMINATIONS times: a batch's transaction (a dozen
    // statements since the day, category and rule rollups) outlasts the 15 ms between looks on a quiet machine, so
    // terminating until the run ends could kill every commit and never let it finish.
    const MAX_TERMINATIONS = 40;
    while (!done && terminated < MAX_TERMINATIONS) {
      const { rows } = await admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = $1 AND state = 'active') t`,
        [app],
      );
      terminated += rows[0]!.n;
      await new Promise((r) => setTimeout(r, 15));
    }
    await run;

    const { rows } = await admin.query<{ n: number; distinct_ids: number; rolled: number; cp: string }>(
      `SELECT (SELECT count(*)::int FROM ${s.schema}.requests) AS n,
              (SELECT count(DISTINCT id)::int FROM ${s.schema}.requests) AS distinct_ids,
              (SELECT sum(requests)::int FROM ${s.schema}.rollup_minute) AS rolled,
              (SELECT byte_offset::text FROM ${s.schema}.checkpoints WHERE source = 'generated') AS cp`,
    );
    expect(terminated).toBeGreaterThan(0);
    expect(rows[0]).toEqual({ n: batches * batchLines, distinct_ids: batches * batchLines, rolled: batches * batchLines, cp: String(batches * batchLines * 200) });
    const snap = metrics.snapshot();
    expect(snap.sources.generated).toMatchObject({ stored: batches * batchLines, dropped: 0 });
    expect(snap.storeAvailability.outages).toBeGreaterThan(0);
    expect(snap.storeAvailability.downSince).toBeNull();
    // One warn per outage, one info per recovery, nothing at error: a lost connection is not a failed statement.
    expect(logs.filter((l) => l.level === 'warn')).toHaveLength(snap.storeAvailability.outages);
    expect(logs.filter((l) => l.level === 'info')).toHaveLength(snap.storeAvailability.outages);
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
  }, 120_000);
});
