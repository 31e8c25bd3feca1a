/**
 * PGlite runs each statement synchronously on the event loop's thread: while one runs, /health and every
 * other request wait. So on PGlite a store write goes statement by statement with a yield to the event
 * loop before each, and a statement over many rows goes in slices of PGLITE_ROWS_PER_STATEMENT rows.
 * On PostgreSQL the statement runs in the server, so one statement over all rows is cheapest.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { SqlClient } from './types.js';

/** Rows per statement on PGlite: 500 request rows held the loop 15-35 ms (quiet) and up to 160 ms at load 9. */
export const PGLITE_ROWS_PER_STATEMENT = 250;

/**
 * Runs `statement` over `rows`: once on PostgreSQL; on PGlite once per slice, each after a yield. The
 * results are concatenated in order. Only for statements whose rows do not depend on each other within the
 * statement (inserts with ON CONFLICT over distinct keys, upserts over pre-aggregated keys).
 */
export async function inStatementSlices<T, R>(
  tx: SqlClient,
  rows: readonly T[],
  statement: (slice: readonly T[]) => Promise<R[]>,
): Promise<R[]> {
  if (rows.length === 0) return [];
  if (tx.dialect !== 'pglite') return statement(rows);
  const out: R[] = [];
  for (let i = 0; i < rows.length; i += PGLITE_ROWS_PER_STATEMENT) {
    await yieldToEventLoop();
    const part = await statement(rows.slice(i, i + PGLITE_ROWS_PER_STATEMENT));
    for (const r of part) out.push(r);
  }
  return out;
}

/** Before a small statement: on PGlite, lets the event loop run between two statements of one write. */
export function betweenStatements(tx: SqlClient): Promise<void> {
  return tx.dialect === 'pglite' ? yieldToEventLoop() : Promise.resolve();
}
