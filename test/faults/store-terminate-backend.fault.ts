/**
 * Fault: the server terminates serve's connections (pg_terminate_backend) 40 times during a bulk catch-up of
 * 150,000 lines, each after a batch was stored since the one before. Only this run's backends are terminated, found by the application_name set in its URL. Expected:
 * the process survives, every batch is retried until stored, nothing is stored twice.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestSchema, probePostgres } from '../../src/store/testing/postgres.js';
import { startServe, waitFor } from '../e2e/serve-process.js';
import { appendLines, countPostgres, logEntries } from './fault-run.js';

const pgUrl = await probePostgres('backend terminations during a bulk');
const cleanups: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const LINES = 150_000;
const TERMINATIONS = 40;

describe.skipIf(!pgUrl)('pg_terminate_backend 40 times during a bulk', () => {
  it('survives every one, loses nothing, duplicates nothing', async () => {
    const schema = await createTestSchema(pgUrl!, 'rampart_fault');
    cleanups.push(() => schema.drop());
    const app = `rampart_fault_${randomBytes(6).toString('hex')}`;
    const url = new URL(pgUrl!);
    url.searchParams.set('options', `-c search_path=${schema.schema}`);
    url.searchParams.set('application_name', app);
    const dir = mkdtempSync(join(tmpdir(), 'rampart-terminate-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const log = join(dir, 'access.log');
    writeFileSync(log, '');
    appendLines(log, 0, LINES);
    // 1,000-line batches: 150 writes, so 40 terminations each find a write in flight after the last recovery.
    const config = join(dir, 'rampart.yaml');
    writeFileSync(config, 'ingest:\n  batchLines: 1000\n');
    const admin = new pg.Client({ connectionString: pgUrl! });
    await admin.connect();
    cleanups.push(() => admin.end());

    const p = await startServe(['--config', config, '--database-url', url.toString(), '--log', log, '--from-start', '--no-demo'], { LOG_LEVEL: 'info' });
    cleanups.push(() => p.stop('SIGKILL'));
    // Each termination waits for a batch stored since the one before, so the 40 are 40 separate outages.
    let terminations = 0;
    let backends = 0;
    let storedBefore = -1;
    const stored = async () => (await p.get('/api/metrics/pipeline')).body.totals.stored as number;
    while (terminations < TERMINATIONS) {
      expect(p.child.exitCode).toBeNull();
      const now = await stored();
      if (now >= LINES) break;
      if (now <= storedBefore) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      const { rows } = await admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = $1 AND state = 'active') t`,
        [app],
      );
      if (rows[0]!.n > 0) {
        terminations++;
        backends += rows[0]!.n;
        storedBefore = await stored();
      } else await new Promise((r) => setTimeout(r, 5));
    }
    expect(terminations).toBe(TERMINATIONS);
    const done = await waitFor(
      'every line stored',
      async () => {
        const { body } = await p.get('/api/metrics/pipeline');
        return body.totals.stored >= LINES ? body : undefined;
      },
      600_000,
    );
    const counts = await countPostgres(url.toString());
    const downMs = logEntries(p.stdout())
      .filter((l) => /available again/.test(l.msg))
      .map((l) => l.downMs ?? 0);
    console.log(
      JSON.stringify({
        fault: `pg_terminate_backend x${TERMINATIONS} during a bulk`,
        lines: LINES,
        backendsTerminated: backends,
        stored: counts,
        lost: LINES - counts.distinctLines,
        duplicated: counts.rows - counts.distinctLines,
        storeAvailability: done.storeAvailability,
        recoveryMs: {
          outages: downMs.length,
          max: Math.max(...downMs),
          median: [...downMs].sort((a, b) => a - b)[Math.floor(downMs.length / 2)],
          mean: Math.round(downMs.reduce((a, b) => a + b, 0) / Math.max(1, downMs.length)),
        },
      }),
    );
    expect(counts).toEqual({ rows: LINES, distinctLines: LINES, rolledUp: LINES });
    // Most terminations hit a write (an outage each); one that hit only a ping or a read is retried unseen.
    expect(done.storeAvailability.outages).toBeGreaterThanOrEqual(TERMINATIONS / 2);
    expect(await p.stop()).toBe(0);
  });
});
