/**
 * Fault: serve is killed with SIGKILL three times while it catches up on a 60,000-line log, then restarted to the
 * end, on both stores (embedded PGlite and the shared PostgreSQL server, in a schema of its own). The checkpoint
 * commits with its events, so every line must be stored exactly once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestSchema, probePostgres } from '../../src/store/testing/postgres.js';
import { startServe, waitFor, type ServeProcess } from '../e2e/serve-process.js';
import { appendLines, countPglite, countPostgres, type StoreCounts } from './fault-run.js';

const pgUrl = await probePostgres('kill -9 mid-ingest');
const cleanups: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const LINES = 60_000;
const KILL_AT = [10_000, 25_000, 40_000];

interface Backend {
  name: string;
  args: string[];
  count(): Promise<StoreCounts>;
}

async function pgliteBackend(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-kill9-data-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return { name: 'pglite', args: ['--data-dir', dir], count: () => countPglite(join(dir, 'pglite')) };
}

async function postgresBackend(): Promise<Backend> {
  const schema = await createTestSchema(pgUrl!, 'rampart_fault');
  cleanups.push(() => schema.drop());
  const url = new URL(pgUrl!);
  url.searchParams.set('options', `-c search_path=${schema.schema}`);
  return { name: 'postgres', args: ['--database-url', url.toString()], count: () => countPostgres(url.toString()) };
}

async function storedSoFar(p: ServeProcess): Promise<number> {
  return (await p.get('/api/stats?range=24h')).body.total_requests as number;
}

describe.each([
  { name: 'pglite', open: pgliteBackend },
  ...(pgUrl ? [{ name: 'postgres', open: postgresBackend }] : []),
])('kill -9 mid-ingest on $name', ({ open }) => {
  it('loses nothing and duplicates nothing over three kills', async () => {
    const backend = await open();
    const dir = mkdtempSync(join(tmpdir(), 'rampart-kill9-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const log = join(dir, 'access.log');
    writeFileSync(log, '');
    appendLines(log, 0, LINES);
    const args = [...backend.args, '--log', log, '--from-start', '--no-demo'];

    const killedAt: number[] = [];
    const restartMs: number[] = [];
    for (const at of KILL_AT) {
      const started = Date.now();
      const p = await startServe(args, {}, 300_000);
      cleanups.push(() => p.stop('SIGKILL'));
      const resumed = await waitFor('ingest to resume', async () => ((await storedSoFar(p)) > (killedAt.at(-1) ?? 0) ? true : undefined), 120_000, 50);
      if (resumed) restartMs.push(Date.now() - started);
      await waitFor(`${at} lines stored`, async () => ((await storedSoFar(p)) >= at ? true : undefined), 300_000, 20);
      await p.stop('SIGKILL');
      killedAt.push(await backend.count().then((c) => c.rows));
    }
    const p = await startServe(args, {}, 300_000);
    const final = await waitFor('every line stored', async () => ((await storedSoFar(p)) >= LINES ? true : undefined), 300_000);
    expect(final).toBe(true);
    expect(await p.stop()).toBe(0);
    const counts = await backend.count();
    console.log(
      JSON.stringify({
        fault: `kill -9 mid-ingest x${KILL_AT.length} on ${backend.name}`,
        lines: LINES,
        storedAtKills: killedAt,
        stored: counts,
        lost: LINES - counts.distinctLines,
        duplicated: counts.rows - counts.distinctLines,
        restartToIngestMs: restartMs,
      }),
    );
    expect(counts).toEqual({ rows: LINES, distinctLines: LINES, rolledUp: LINES });
  });
});
