import type { SqlClient } from './types.js';

/** Tables pruned by age, and the time column each is pruned by (identifiers from this list only). */
const PRUNABLE = { requests: 'time', ip_windows: 'window_start', api_events: 'time' } as const;

/**
 * Deletes rows of `table` older than `before` (epoch ms), one chunk per statement, so no single
 * DELETE holds locks for long; each chunk is a TID scan on the ctids it selected.
 */
export async function pruneOlderThan(sql: SqlClient, table: keyof typeof PRUNABLE, before: number, chunk: number): Promise<number> {
  const column = PRUNABLE[table];
  let total = 0;
  for (;;) {
    const { rows } = await sql.query<{ n: number }>(
      `WITH gone AS (
         DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM ${table} WHERE ${column} < to_timestamp($1::float8 / 1000) LIMIT $2))
         RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [before, chunk],
    );
    const n = rows[0]?.n ?? 0;
    total += n;
    if (n < chunk) return total;
  }
}
