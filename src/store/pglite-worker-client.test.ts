/**
 * PGlite in a worker thread behind SqlClient: statements and errors cross intact, transactions are
 * serialised, and a worker that dies fails only what was in flight, as a store error with a connection-loss
 * label (which the pipeline retries), never as an unhandled exception.
 */
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionLoss } from './connection-errors.js';
import { SqlError, StoreError } from './errors.js';
import { openPgliteWorker, type PgliteWorkerClient } from './pglite-worker-client.js';
import { createStore } from './store.js';
import { makeEvent } from './testing/fixtures.js';
import { openWatchedPgliteWorker } from './testing/watched-pglite-worker.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('PGlite worker client (memory://)', () => {
  let sql: PgliteWorkerClient;
  beforeAll(async () => {
    sql = await openPgliteWorker('memory://');
    cleanups.push(() => sql.close());
    await sql.exec('CREATE TABLE t (id int PRIMARY KEY, name text, at timestamptz)');
  }, 180_000);

  it('passes parameters and returns typed rows', async () => {
    await sql.query('INSERT INTO t SELECT * FROM unnest($1::int[], $2::text[], $3::timestamptz[])', [
      [1, 2],
      ["o'brien", null],
      ['2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'],
    ]);
    const { rows } = await sql.query<{ id: number; name: string | null; at: Date }>('SELECT * FROM t ORDER BY id');
    expect(rows).toEqual([
      { id: 1, name: "o'brien", at: new Date('2026-01-01T00:00:00Z') },
      { id: 2, name: null, at: new Date('2026-01-02T00:00:00Z') },
    ]);
  });

  it('rejects a bad statement with a SqlError carrying the PostgreSQL code', async () => {
    const err = await sql.query('INSERT INTO t (id) VALUES (1)').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqlError);
    expect((err as SqlError).cause).toMatchObject({ code: '23505' });
    expect(connectionLoss(err)).toBeNull();
  });

  it('rolls a transaction back when fn throws, and keeps outside queries out until it ends', async () => {
    let outsideSaw: number | undefined;
    let outside: Promise<unknown> = Promise.resolve();
    const failing = sql.transaction(async (tx) => {
      await tx.query('INSERT INTO t (id) VALUES (10)');
      // Sent while the transaction is open: it must wait for the lock, not run inside the transaction.
      outside = sql.query<{ n: number }>('SELECT count(*)::int AS n FROM t WHERE id = 10').then((r) => (outsideSaw = r.rows[0]!.n));
      await new Promise((r) => setTimeout(r, 50));
      expect(outsideSaw).toBeUndefined();
      throw new Error('abandon');
    });
    await expect(failing).rejects.toThrow('abandon');
    await outside;
    expect(outsideSaw).toBe(0);
    await sql.transaction(async (tx) => {
      await tx.query('INSERT INTO t (id) VALUES (11)');
      await tx.transaction((inner) => inner.query('INSERT INTO t (id) VALUES (12)'));
    });
    expect((await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM t WHERE id IN (11, 12)')).rows[0]!.n).toBe(2);
  });

  it('runs a query sent during a transaction before the transaction queued after it began', async () => {
    await sql.exec('CREATE TABLE ordered (n int)');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = sql.transaction(async (tx) => {
      await tx.query('INSERT INTO ordered VALUES (1)');
      await gate;
    });
    // Queued while the first holds the lock: a second write transaction, then a read.
    const second = sql.transaction((tx) => tx.query('INSERT INTO ordered VALUES (2)'));
    const read = sql.query<{ ns: number[] }>('SELECT coalesce(array_agg(n ORDER BY n), $1::int[]) AS ns FROM ordered', [[]]);
    release();
    await Promise.all([first, second]);
    // The read saw the first transaction and not the second: it ran between them.
    expect((await read).rows[0]!.ns).toEqual([1]);
  });

  it('keeps the main thread free while a statement runs', async () => {
    let turns = 0;
    let running = true;
    const tick = (): void => {
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    await sql.query('SELECT count(*) FROM generate_series(1, 1000000)');
    running = false;
    // On the main thread the statement would run in one turn; in the worker the loop turns meanwhile.
    expect(turns).toBeGreaterThan(10);
  });
});

describe('a PGlite worker that dies', () => {
  // Starting a new worker on a data folder after the crash, and the retried write stored once, are covered by
  // src/pipeline/store-worker-crash.test.ts.
  it('fails the write in flight, and later statements, as store errors labelled a lost connection', { timeout: 300_000 }, async () => {
    const { sql, workers } = await openWatchedPgliteWorker('memory://');
    cleanups.push(() => sql.close());
    const store = createStore(sql);
    await store.schema.migrate();
    const checkpoint = { source: 'a.log', fileId: '1:2', offset: 10, line: 1, headHash: 'h' };
    await store.writer.write({ events: [makeEvent('kept')], threats: [], checkpoints: [checkpoint] });

    // The worker ends in the middle of a write's transaction.
    const write = store.writer.write({
      events: Array.from({ length: 3000 }, (_, i) => makeEvent(`lost-${i}`)),
      threats: [],
      checkpoints: [{ ...checkpoint, offset: 99, line: 2 }],
    });
    setImmediate(() => void workers[0]!.terminate());
    const err = await write.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(connectionLoss(err)).toBe('server crashed');
    // In memory, the data died with the worker: later statements fail the same way instead of starting an empty database.
    const after = await store.checkpoints.load().catch((e: unknown) => e);
    expect(connectionLoss(after)).toBe('server crashed');
    expect(workers).toHaveLength(1);
  });

  it('turns an uncaught exception in the worker into a rejected statement, not an unhandled error', async () => {
    // A stand-in worker that opens fine and throws on its first statement.
    const standIn = `const { parentPort } = require('node:worker_threads');
      parentPort.postMessage({ kind: 'ready' });
      parentPort.on('message', () => { throw new Error('wasm went away'); });`;
    const sql = await openPgliteWorker('memory://', { spawn: (_entry, options) => new Worker(standIn, { ...options, eval: true }) });
    const err = await sql.query('SELECT 1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqlError);
    expect((err as Error).message).toMatch(/pglite worker exited \(code 1\): wasm went away/);
    expect(connectionLoss(err)).toBe('server crashed');
    // In memory, the data died with the worker: later statements fail the same way instead of starting an empty database.
    await expect(sql.query('SELECT 1')).rejects.toBeInstanceOf(SqlError);
    await sql.close();
  });
});
