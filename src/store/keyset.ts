/**
 * Keyset paging on (time, id) for the time-sorted analytics lists, and the capped count of their totals.
 * Deep pages cost what the first costs: an index range from the last row seen (the `(time DESC, id DESC)`
 * indexes of migration 0009), not a walk over every row skipped.
 */
import { BadRequestError } from '../core/index.js';
import type { Params } from './analytics-filter.js';
import type { SqlClient } from './types.js';

export interface KeysetCursor {
  time: number;
  id: string;
  order: 'asc' | 'desc';
}

/**
 * Counting stops here: past it the total says "at least this many" (exact: false), so a filtered list over a
 * month of a busy site costs a bounded count, not a scan of everything that matches.
 */
export const MAX_COUNT = 10_000;

export interface Counted {
  total: number;
  exact: boolean;
}

/** `(time, id)` after the cursor row in the list's order (or at it, `inclusive`, when a finer key breaks the tie). */
export function afterCursor(timeCol: string, idCol: string, c: KeysetCursor, order: 'asc' | 'desc', ps: Params, inclusive = false): string {
  if (c.order !== order) throw new BadRequestError(`query parameter "cursor" was issued for order=${c.order}; give that order or drop the cursor`, 'cursor');
  const op = (order === 'desc' ? '<' : '>') + (inclusive ? '=' : '');
  return `(${timeCol}, ${idCol}) ${op} (to_timestamp(${ps.p(c.time)}::float8 / 1000), ${ps.p(c.id)})`;
}

/** count(*) of `fromWhere` (a FROM … WHERE … clause), stopping at MAX_COUNT + 1. */
export async function cappedCount(sql: SqlClient, fromWhere: string, params: readonly unknown[]): Promise<Counted> {
  const { rows } = await sql.query<{ n: number }>(
    `SELECT count(*)::float8 AS n FROM (SELECT 1 ${fromWhere} LIMIT ${MAX_COUNT + 1}) AS capped`,
    params,
  );
  const n = rows[0]?.n ?? 0;
  return n > MAX_COUNT ? { total: MAX_COUNT, exact: false } : { total: n, exact: true };
}
