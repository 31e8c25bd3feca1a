/**
 * Issue 9.1: `serve` with its PostgreSQL down at start. It must not exit: /health answers 200, /ready 503 naming
 * the store and the retry; once the database answers it migrates, starts its sources and stores every line,
 * logging the outage once at warn and the recovery at info. "Down" is a TCP gate in front of the shared server,
 * closed then opened, so the shared server is never touched.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestSchema, probePostgres } from '../../src/store/testing/postgres.js';
import { tcpGate } from '../../src/store/testing/tcp-gate.js';
import { mixedLine } from './log-lines.js';
import { startServe, waitFor, type ServeProcess } from './serve-process.js';

const pgUrl = await probePostgres('serve with the database down at start');
const cleanups: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe.skipIf(!pgUrl)('serve with the database down at start', () => {
  it('serves /health, reports the store in /ready, and ingests once the database is up', { timeout: 120_000 }, async () => {
    const schema = await createTestSchema(pgUrl!, 'rampart_e2e');
    cleanups.push(() => schema.drop());
    const target = new URL(pgUrl!);
    const gate = await tcpGate(Number(target.port || 5432), target.hostname);
    cleanups.push(() => gate.close());
    const url = new URL(pgUrl!);
    url.port = String(gate.port);
    url.searchParams.set('options', `-c search_path=${schema.schema}`);

    const dir = mkdtempSync(join(tmpdir(), 'rampart-down-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const log = join(dir, 'access.log');
    const n = 300;
    let text = '';
    for (let i = 0; i < n; i++) text += mixedLine(i) + '\n';
    writeFileSync(log, text);

    const p: ServeProcess = await startServe(['--database-url', url.toString(), '--log', log, '--from-start', '--no-demo'], { LOG_LEVEL: 'info' });
    cleanups.push(() => p.stop('SIGKILL'));

    expect((await p.get('/health')).status).toBe(200);
    const notReady = await p.get('/ready');
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks.store.ok).toBe(false);
    expect(notReady.body.checks.store.detail).toMatch(/^postgres unavailable for \d+ s \(connection refused\); retrying; next retry in \d+ s$/);
    // Several retries while down: still one warn.
    await new Promise((r) => setTimeout(r, 2_500));

    const opened = Date.now();
    await gate.open();
    await waitFor('ready', async () => ((await p.get('/ready')).status === 200 ? true : undefined), 30_000);
    const stored = await waitFor(
      'every line stored',
      async () => {
        const { body } = await p.get('/api/metrics/pipeline');
        return body.totals.stored === n ? body : undefined;
      },
      30_000,
    );
    console.log(`store down at start: ready ${Date.now() - opened} ms after the database came up`);
    expect(stored.storeAvailability).toMatchObject({ outages: 1, downSince: null, lastError: null });
    expect(stored.storeAvailability.retries).toBeGreaterThan(0);
    expect((await p.get('/api/stats?range=30d')).body.total_requests).toBe(n);

    const logs = p.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(logs.filter((l) => l.level === 40 && /unavailable/.test(l.msg))).toHaveLength(1);
    expect(logs.filter((l) => l.level === 30 && /available again/.test(l.msg))).toHaveLength(1);
    expect(logs.filter((l) => l.level >= 50)).toEqual([]);
    expect(await p.stop()).toBe(0);
  });
});
