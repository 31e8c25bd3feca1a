/**
 * SqlClient over PGlite (PostgreSQL in WebAssembly). PGlite has one connection: its transaction()
 * holds an internal mutex, and a query from outside waits until the transaction ends, so transactions
 * are serialised. Inside fn, use the `tx` client: the outer one would wait for the transaction it is in.
 */
import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { SqlError } from './errors.js';
import type { SqlClient } from './types.js';

/** Opens PGlite in memory (`memory://`) or with its data in a folder (created when missing). */
export async function openPglite(dataDir: string): Promise<SqlClient> {
  if (dataDir !== 'memory://') await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir === 'memory://' ? undefined : dataDir);
  return pgliteClient(db);
}

/** Wraps an open PGlite; close() closes it. */
export function pgliteClient(db: PGlite): SqlClient {
  return {
    dialect: 'pglite',
    query: (text, params) => run(db, text, params),
    exec: (script) => exec(db, script),
    transaction: (fn) => db.transaction((tx) => fn(txClient(tx))),
    close: () => db.close(),
  };
}

function txClient(tx: Transaction): SqlClient {
  const self: SqlClient = {
    dialect: 'pglite',
    query: (text, params) => run(tx, text, params),
    exec: (script) => exec(tx, script),
    // Nested calls join the transaction already open.
    transaction: (fn) => fn(self),
    close: () => Promise.reject(new Error('close() inside a transaction')),
  };
  return self;
}

type Runner = Pick<Transaction, 'query' | 'exec'>;

async function run<R>(db: Runner, text: string, params?: readonly unknown[]): Promise<{ rows: R[] }> {
  try {
    const res = await db.query<R>(text, params ? [...params] : undefined);
    return { rows: res.rows };
  } catch (err) {
    throw new SqlError(text, err);
  }
}

async function exec(db: Runner, script: string): Promise<void> {
  try {
    await db.exec(script);
  } catch (err) {
    throw new SqlError(script, err);
  }
}
