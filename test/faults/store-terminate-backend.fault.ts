/**
 * Fault: the server terminates serve's connections (pg_terminate_backend) 40 times during a bulk catch-up of
 * 150,000 lines. Only this run's backends are terminated, found by the application_name set in its URL. Expected:
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
    const admin = new pg.Client({ connectionString: pgUrl! });
    await admin.connect();
    cleanups.push(() => admin.end());

    const p = await startServe(['--database-url', url.toString(), '--log', log, '--from-start', '--no-demo'], { LOG_LEVEL: 'info' });
    cleanups.push(() => p.stop('SIGKILL'));
    let terminations = 0;
    let backends = 0;
    while (terminations < TERMINATIONS) {
      const { rows } = await admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = $1 AND state = 'active') t`,
        [app],
      );
      if (rows[0]!.n > 0) {
        terminations++;
        backends += rows[0]!.n;
        await new Promise((r) => setTimeout(r, 300));
      } else await new Promise((r) => setTimeout(r, 10));
      expect(p.child.exitCode).toBeNull();
    }
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
        recoveryMs: { max: Math.max(...downMs), mean: Math.round(downMs.reduce((a, b) => a + b, 0) / Math.max(1, downMs.length)) },
      }),
    );
    expect(counts).toEqual({ rows: LINES, distinctLines: LINES, rolledUp: LINES });
    expect(done.storeAvailability.outages).toBeGreaterThanOrEqual(1);
    expect(await p.stop()).toBe(0);
  });
});
