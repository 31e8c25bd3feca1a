/**
 * Fault: the PostgreSQL server stops for 60 s while serve follows a live log (a private server, never the
 * shared one). Expected: serve stays up (/health 200, /ready 503 naming the store), the tail pauses, and once the
 * server is back ingest resumes without a restart: every line appended before, during and after is stored once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServe, waitFor } from '../e2e/serve-process.js';
import { appendLines, countPostgres, logEntries } from './fault-run.js';
import { postgresBin, privatePostgres, type PrivatePostgres } from './private-postgres.js';

const bin = postgresBin();
if (!bin) console.warn('SKIP private postgres: no /usr/lib/postgresql/*/bin/initdb');
const cleanups: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const DOWN_MS = 60_000;

describe.skipIf(!bin)('PostgreSQL stopped for 60 s during a live tail', () => {
  it('loses nothing, duplicates nothing, and recovers without a restart', async () => {
    const server: PrivatePostgres = await privatePostgres(bin!);
    cleanups.push(() => server.remove());
    const dir = mkdtempSync(join(tmpdir(), 'rampart-fault-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const log = join(dir, 'access.log');
    writeFileSync(log, '');

    const p = await startServe(['--database-url', server.url, '--log', log, '--from-start', '--no-demo'], { LOG_LEVEL: 'info' });
    cleanups.push(() => p.stop('SIGKILL'));
    await waitFor('ready', async () => ((await p.get('/ready')).status === 200 ? true : undefined), 60_000);

    // 200 lines/s, in 20-line appends, for the whole run.
    let written = 0;
    const appender = setInterval(() => {
      appendLines(log, written, written + 20);
      written += 20;
    }, 100);
    cleanups.push(() => clearInterval(appender));
    await new Promise((r) => setTimeout(r, 5_000));

    await server.stop();
    const stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, 5_000));
    const health = await p.get('/health');
    const ready = await p.get('/ready');
    expect(health.status).toBe(200);
    expect(ready.status).toBe(503);
    expect(ready.body.checks.store.detail).toMatch(/^postgres unavailable for \d+ s/);
    await new Promise((r) => setTimeout(r, DOWN_MS - (Date.now() - stoppedAt)));

    await server.start();
    const startedAt = Date.now();
    await waitFor(
      'the store back in the metrics',
      async () => ((await p.get('/api/metrics/pipeline')).body.storeAvailability.downSince === null ? true : undefined),
      60_000,
      50,
    );
    const recoveryMs = Date.now() - startedAt;
    await new Promise((r) => setTimeout(r, 5_000));
    clearInterval(appender);
    const total = written;
    const caughtUp = await waitFor(
      'every line stored',
      async () => {
        const { body } = await p.get('/api/metrics/pipeline');
        return body.totals.stored >= total ? body : undefined;
      },
      120_000,
    );
    expect(p.child.exitCode).toBeNull(); // the same process all along
    const counts = await countPostgres(server.url);
    const logs = logEntries(p.stdout());
    const warned = logs.filter((l) => l.level === 40 && /unavailable/.test(l.msg)).length;
    const recovered = logs.filter((l) => l.level === 30 && /available again/.test(l.msg));
    console.log(
      JSON.stringify({
        fault: 'private postgres stopped 60 s during a live tail',
        lines: total,
        stored: counts,
        lost: total - counts.distinctLines,
        duplicated: counts.rows - counts.distinctLines,
        recoveryMs,
        storeAvailability: caughtUp.storeAvailability,
        warnLines: warned,
      }),
    );
    expect(counts).toEqual({ rows: total, distinctLines: total, rolledUp: total });
    expect(caughtUp.totals.stored).toBe(total);
    expect(caughtUp.storeAvailability.outages).toBe(warned);
    expect(recovered).toHaveLength(warned);
    expect(warned).toBeGreaterThanOrEqual(1);
    expect(recoveryMs).toBeLessThan(15_000);
    expect(await p.stop()).toBe(0);
  });
});
