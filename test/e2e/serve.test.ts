/**
 * End to end: `rampart serve` as a real process over a real log file. Appended attacks show in the API
 * within 2 s; kill -9 mid-stream loses and duplicates nothing; both rotation styles lose no line.
 * Runs on embedded PGlite and, when reachable, on the PostgreSQL server.
 */
import { appendFileSync, copyFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema, probePostgres, type TestSchema } from '../../src/store/testing/postgres.js';
import { attackLine, benignLine, mixedLine } from './log-lines.js';
import { startServe, waitFor, type ServeProcess } from './serve-process.js';

const pgUrl = await probePostgres('serve end to end');

interface Backend {
  name: string;
  /** Extra serve arguments and env for a fresh, empty store. */
  fresh(): Promise<{ args: string[]; env: NodeJS.ProcessEnv; cleanup: () => Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'pglite',
    fresh: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rampart-e2e-data-'));
      return { args: ['--data-dir', dir], env: {}, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
];
if (pgUrl) {
  backends.push({
    name: 'postgres',
    fresh: async () => {
      const schema: TestSchema = await createTestSchema(pgUrl, 'rampart_e2e');
      const url = new URL(pgUrl);
      url.searchParams.set('options', `-c search_path=${schema.schema}`);
      return { args: ['--database-url', url.toString()], env: {}, cleanup: () => schema.drop() };
    },
  });
}

function lines(from: number, to: number, make: (i: number) => string = mixedLine): string {
  let s = '';
  for (let i = from; i < to; i++) s += make(i) + '\n';
  return s;
}

/**
 * Requests stored, from /api/stats: an answer of the analytics cache, which for requests alone (no new threat) can
 * trail by its TTL (10 s), so the waits on it below leave room for a few refreshes.
 */
async function totalRequests(p: ServeProcess): Promise<number> {
  const { body } = await p.get('/api/stats?range=1h');
  return body.total_requests as number;
}

async function threatsFrom(p: ServeProcess, ip: string): Promise<number> {
  const { body } = await p.get(`/api/threats?ip=${ip}&limit=1`);
  return body.total as number;
}

describe.each(backends)('serve end to end on $name', { timeout: 180_000 }, (backend) => {
  let dir: string;
  const cleanups: (() => Promise<void>)[] = [];
  const running: ServeProcess[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-e2e-'));
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop('SIGKILL')));
    for (const c of cleanups) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(log: string, store: { args: string[]; env: NodeJS.ProcessEnv }): Promise<ServeProcess> {
    const p = await startServe(['--no-demo', '--log', log, ...store.args], store.env);
    running.push(p);
    await waitFor('ready', async () => ((await p.get('/ready')).status === 200 ? true : undefined), 30_000);
    return p;
  }

  async function freshStore() {
    const s = await backend.fresh();
    cleanups.push(s.cleanup);
    return s;
  }

  it('shows appended attacks in /api/threats within 2 s', async () => {
    const log = join(dir, 'live.log');
    writeFileSync(log, lines(0, 100, benignLine));
    const p = await start(log, await freshStore());
    const appended = Date.now();
    appendFileSync(log, lines(100, 120, benignLine) + attackLine(1, '192.0.2.77') + '\n');
    await waitFor('the attack in /api/threats', async () => ((await threatsFrom(p, '192.0.2.77')) === 1 ? true : undefined), 2000, 50);
    expect(Date.now() - appended).toBeLessThanOrEqual(2000);
    // Live tails start at the end: the 100 lines present at start-up are not read.
    const metrics = (await p.get('/api/metrics/pipeline')).body;
    expect(metrics.totals.read).toBe(21);
    expect(metrics.totals.unparsed).toBe(0);
    await p.stop();
  });

  it('loses and duplicates nothing across kill -9 mid-stream and a restart', async () => {
    const log = join(dir, 'killed.log');
    writeFileSync(log, '');
    const store = await freshStore();
    const total = 20_000;
    let p = await start(log, store);
    // Append in chunks while it runs, kill it mid-stream, keep appending while it is down.
    let written = 0;
    const chunk = 500;
    while (written < total / 2) {
      appendFileSync(log, lines(written, written + chunk));
      written += chunk;
      await new Promise((r) => setTimeout(r, 10));
    }
    await waitFor('some lines stored', async () => ((await totalRequests(p)) > 0 ? true : undefined), 20_000, 20);
    expect(await p.stop('SIGKILL')).toBeNull();
    const storedBeforeKill = written; // an upper bound; the restart must fill the gap exactly
    while (written < total) {
      appendFileSync(log, lines(written, written + chunk));
      written += chunk;
    }
    p = await start(log, store);
    // Two minutes: under the whole suite on two cores the restart and catch-up have taken over one.
    await waitFor(`all ${total} requests stored`, async () => ((await totalRequests(p)) === total ? true : undefined), 120_000, 100);
    // Give a duplicate the chance to show, then check again: exactly once.
    await new Promise((r) => setTimeout(r, 500));
    expect(await totalRequests(p)).toBe(total);
    expect(await threatsFrom(p, '203.0.113.66')).toBe(total / 50);
    // The restart resumed from the checkpoint instead of re-reading the file from its start.
    const metrics = (await p.get('/api/metrics/pipeline')).body;
    expect(metrics.totals.read).toBeLessThan(total);
    expect(metrics.totals.read).toBeGreaterThanOrEqual(total - storedBeforeKill);
    await p.stop();
  });

  it('follows rotation by rename-and-create and by copytruncate without losing a line', async () => {
    const log = join(dir, 'rotated.log');
    writeFileSync(log, '');
    const p = await start(log, await freshStore());
    appendFileSync(log, lines(0, 1000));
    // rename-and-create, with a few lines still written to the renamed file (as nginx does until reopened)
    renameSync(log, log + '.1');
    appendFileSync(log + '.1', lines(1000, 1010));
    writeFileSync(log, lines(1010, 2000));
    await waitFor('2000 stored after rename', async () => ((await totalRequests(p)) === 2000 ? true : undefined), 60_000);
    // copytruncate: copy away, truncate in place, keep writing
    copyFileSync(log, log + '.2');
    truncateSync(log, 0);
    appendFileSync(log, lines(2000, 3000));
    await waitFor('3000 stored after copytruncate', async () => ((await totalRequests(p)) === 3000 ? true : undefined), 60_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(await totalRequests(p)).toBe(3000);
    await p.stop();
  });
});
