/**
 * SqlClient over PGlite running in a worker thread (pglite-worker.ts). PGlite executes each statement
 * synchronously in WebAssembly; on the main thread a 250-row insert held /health for 10-35 ms (more under
 * load). Here the main thread only posts the statement and its parameters and receives the rows.
 *
 * PGlite has one connection, so the client serialises: a transaction holds a lock from BEGIN to COMMIT
 * while its statements go straight to the worker, and a query from outside waits for the lock, as
 * PGlite's own transaction() does. Inside fn, use the `tx` client: the outer one would wait for the
 * transaction it is in. The lock lets waiting queries (reads) go before a waiting transaction, for a bounded
 * time (pglite-lock.ts), so an API read during a catch-up waits for one write transaction, not a queue of them.
 *
 * A worker that dies (an uncaught error, a WebAssembly abort, terminated) fails the statements in flight
 * with a SqlError whose cause has code 57P02 (PostgreSQL's crash shutdown), which the store's callers treat
 * as a lost connection and retry; the next statement starts a new worker on the same data folder. An
 * in-memory database died with its worker, so there a new worker is not started and every later
 * statement fails.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { workerEntry } from '../core/index.js';
import { SqlError } from './errors.js';
import { ReadFirstLock, type LockKind } from './pglite-lock.js';
import { fromWireError, type Reply, type Request, type RequestBody, type WorkerMemory, type WorkerOpen } from './pglite-worker-protocol.js';
import type { SqlClient } from './types.js';

export interface PgliteWorkerClient extends SqlClient {
  /** The worker's WebAssembly heap and JS heap, bytes (for memory figures). */
  workerMemory(): Promise<WorkerMemory>;
}

export interface PgliteWorkerOptions {
  /** Starts the worker; tests replace it to reach the Worker (to terminate it) or to run a stand-in. */
  spawn?: (entry: URL | string, options: WorkerOptions) => Worker;
  /** How long queries may go ahead of a waiting transaction (pglite-lock.ts). */
  readPhaseMs?: number;
}

/** The worker dies: what the statements in flight, and the ones after it on an in-memory database, fail with. */
export class PgliteWorkerError extends Error {
  readonly code = '57P02';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'PgliteWorkerError';
  }
}

type Pending = { resolve: (reply: Reply) => void; reject: (err: Error) => void };

/** One worker: posts requests, matches replies by id, fails everything in flight when the worker dies. */
class WorkerConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private lastError: unknown;
  dead: PgliteWorkerError | null = null;
  private readonly exited: Promise<void>;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: Reply) => {
      if (reply.kind === 'ready' || reply.kind === 'open-failed') return;
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      p.resolve(reply);
    });
    // An uncaught exception in the worker: 'exit' follows and fails what is in flight.
    worker.on('error', (err) => {
      this.lastError = err;
    });
    this.exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        const why = this.lastError === undefined ? '' : `: ${this.lastError instanceof Error ? this.lastError.message : String(this.lastError)}`;
        this.dead = new PgliteWorkerError(`pglite worker exited (code ${code})${why}`, this.lastError);
        for (const p of this.pending.values()) p.reject(this.dead);
        this.pending.clear();
        resolve();
      }),
    );
  }

  /** Starts a worker on `open` and waits until PGlite is open in it. */
  static async start(open: WorkerOpen, spawn: NonNullable<PgliteWorkerOptions['spawn']>): Promise<WorkerConnection> {
    const { entry, evalEntry } = workerEntry(import.meta.url, './pglite-worker.js', './pglite-worker.ts');
    const worker = spawn(entry, { workerData: open, eval: evalEntry });
    const conn = new WorkerConnection(worker);
    await new Promise<void>((resolve, reject) => {
      const onMessage = (reply: Reply): void => {
        if (reply.kind === 'ready') done(null);
        else if (reply.kind === 'open-failed') done(fromWireError(reply.error));
      };
      const onExit = (): void => done(conn.dead ?? new PgliteWorkerError('pglite worker exited while opening'));
      const done = (err: Error | null): void => {
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        if (err) reject(new PgliteWorkerError(`opening PGlite (${open.dataDir}) failed: ${err.message}`, err));
        else resolve();
      };
      worker.on('message', onMessage);
      // After the connection's own exit listener, so conn.dead is set.
      worker.once('exit', onExit);
    });
    return conn;
  }

  request(req: RequestBody): Promise<Reply> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id } as Request);
    });
  }

  async close(): Promise<void> {
    if (!this.dead) {
      const closing = this.request({ op: 'close' });
      const timer = setTimeout(() => void this.worker.terminate(), 10_000);
      await closing.catch(() => undefined);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

/** Starts the worker on `dataDir` (a folder, created when missing, or `memory://`) and waits until PGlite is open. */
export async function openPgliteWorker(dataDir: string, opts: PgliteWorkerOptions = {}): Promise<PgliteWorkerClient> {
  const spawn = opts.spawn ?? ((entry, options) => new Worker(entry, options));
  const open: WorkerOpen = { dataDir };
  let conn = await WorkerConnection.start(open, spawn);
  let closed = false;
  const lock = new ReadFirstLock({ readPhaseMs: opts.readPhaseMs });

  /** The live worker; after a crash, a new one on the same folder. */
  const connection = async (): Promise<WorkerConnection> => {
    if (closed) throw new PgliteWorkerError('pglite client is closed');
    if (conn.dead && dataDir !== 'memory://') conn = await WorkerConnection.start(open, spawn);
    return conn;
  };
  // A query outside a transaction is one statement: it goes as a read (ahead of waiting transactions).
  const locked = <T>(kind: LockKind, fn: () => Promise<T>): Promise<T> => lock.run(kind, fn);

  const client: PgliteWorkerClient = {
    dialect: 'pglite',
    query: (text, params) => locked('read', async () => query(await connection().catch(sqlError(text)), text, params)),
    exec: (script) => locked('write', async () => exec(await connection().catch(sqlError(script)), script)),
    transaction: (fn) =>
      locked('write', async () => {
        const c = await connection().catch(sqlError('BEGIN'));
        await exec(c, 'BEGIN');
        try {
          const out = await fn(txClient(c));
          await exec(c, 'COMMIT');
          return out;
        } catch (err) {
          // A dead worker took the transaction with it; anything else is rolled back here.
          await exec(c, 'ROLLBACK').catch(() => undefined);
          throw err;
        }
      }),
    close: () =>
      locked('write', async () => {
        if (closed) return;
        closed = true;
        await conn.close();
      }),
    workerMemory: () =>
      locked('read', async () => {
        const reply = await (await connection()).request({ op: 'memory' });
        if (reply.kind === 'failed') throw fromWireError(reply.error);
        if (reply.kind !== 'memory') throw new PgliteWorkerError(`unexpected reply ${reply.kind} to a memory request`);
        return reply.memory;
      }),
  };
  return client;
}

function txClient(c: WorkerConnection): SqlClient {
  const self: SqlClient = {
    dialect: 'pglite',
    query: (text, params) => query(c, text, params),
    exec: (script) => exec(c, script),
    // Nested calls join the transaction already open.
    transaction: (fn) => fn(self),
    close: () => Promise.reject(new Error('close() inside a transaction')),
  };
  return self;
}

function sqlError(statement: string): (err: unknown) => never {
  return (err) => {
    throw new SqlError(statement, err);
  };
}

async function query<R>(c: WorkerConnection, text: string, params?: readonly unknown[]): Promise<{ rows: R[] }> {
  const reply = await c.request({ op: 'query', text, params: params ? [...params] : undefined }).catch(sqlError(text));
  if (reply.kind === 'failed') throw new SqlError(text, fromWireError(reply.error));
  if (reply.kind !== 'result') throw new SqlError(text, new PgliteWorkerError(`unexpected reply ${reply.kind}`));
  return { rows: reply.rows as R[] };
}

async function exec(c: WorkerConnection, script: string): Promise<void> {
  const reply = await c.request({ op: 'exec', script }).catch(sqlError(script));
  if (reply.kind === 'failed') throw new SqlError(script, fromWireError(reply.error));
}

