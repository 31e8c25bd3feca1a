/** SqlClient over a pg.Pool: queries take any pooled connection, a transaction holds one. */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ConfigError } from '../core/index.js';
import { SqlError } from './errors.js';
import type { StoreLogger } from './logger.js';
import type { SqlClient } from './types.js';

export interface PgClientOptions {
  /** Schema to work in (search_path of every connection); a plain identifier. */
  schema?: string;
  /** Pool size; the default suits one ingest writer plus API readers. */
  max?: number;
  /** application_name of every connection (what pg_stat_activity shows); default `rampart`. */
  applicationName?: string;
  /** How long to wait for a new connection before the operation fails (default 10 s). */
  connectTimeoutMs?: number;
  logger?: StoreLogger;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function openPg(databaseUrl: string, opts: PgClientOptions = {}): SqlClient {
  if (opts.schema !== undefined && !IDENTIFIER.test(opts.schema)) {
    throw new ConfigError('schema', `${JSON.stringify(opts.schema)} is not a plain lower-case identifier`);
  }
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    application_name: opts.applicationName ?? 'rampart',
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    // Detects a peer that vanished without a FIN (host down, network cut) instead of waiting forever.
    keepAlive: true,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  });
  // A connection the server drops (restart, pg_terminate_backend) emits 'error'; with no listener that
  // kills the process. The pool listens only while a client is idle and removes its listener on checkout,
  // so every client gets its own listener for life. The query in flight rejects as well, and that is what
  // callers act on (the pipeline retries and logs the outage once): here it is only worth a debug line.
  pool.on('connect', (client) => {
    client.on('error', (err) => opts.logger?.debug({ err }, 'postgres connection lost'));
  });
  pool.on('error', (err) => opts.logger?.debug({ err }, 'postgres idle connection lost'));
  return {
    dialect: 'postgres',
    query: (text, params) => run(pool, text, params),
    exec: (script) => run(pool, script).then(() => undefined),
    transaction: (fn) => transaction(pool, fn),
    close: () => pool.end(),
  };
}

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

async function run<R>(db: Queryable, text: string, params?: readonly unknown[]): Promise<{ rows: R[] }> {
  try {
    const res = await db.query(text, params ? [...params] : undefined);
    return { rows: res.rows as R[] };
  } catch (err) {
    throw new SqlError(text, err);
  }
}

async function transaction<T>(pool: pg.Pool, fn: (tx: SqlClient) => Promise<T>): Promise<T> {
  let conn: pg.PoolClient;
  try {
    conn = await pool.connect();
  } catch (err) {
    throw new SqlError('connect', err);
  }
  const tx: SqlClient = {
    dialect: 'postgres',
    query: (text, params) => run(conn, text, params),
    exec: (script) => run(conn, script).then(() => undefined),
    copyRows: (table, columns, rows) => copyInto(conn, table, columns, rows),
    transaction: (inner) => inner(tx),
    close: () => Promise.reject(new Error('close() inside a transaction')),
  };
  try {
    await run(conn, 'BEGIN');
    const result = await fn(tx);
    await run(conn, 'COMMIT');
    conn.release();
    return result;
  } catch (err) {
    try {
      await conn.query('ROLLBACK');
      conn.release();
    } catch (rollbackErr) {
      // A connection that cannot roll back is in an unknown state: destroy it rather than reuse it.
      conn.release(rollbackErr as Error);
    }
    throw err;
  }
}

/** Table and column names come from the store's own code, never from input; checked all the same. */
async function copyInto(conn: pg.PoolClient, table: string, columns: readonly string[], rows: string): Promise<void> {
  for (const name of [table, ...columns]) {
    if (!IDENTIFIER.test(name)) throw new Error(`COPY: ${JSON.stringify(name)} is not a plain identifier`);
  }
  const statement = `COPY ${table} (${columns.join(', ')}) FROM STDIN`;
  try {
    await pipeline(Readable.from([rows]), conn.query(copyFrom(statement)));
  } catch (err) {
    throw new SqlError(statement, err);
  }
}
