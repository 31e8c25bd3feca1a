/**
 * Hits site knowledge holds back (migration 0007): written by the batch writer in the batch's transaction (writeHeld),
 * read once at start (load). What comes back is checked again by SiteKnowledge.restoreHeld; a row that is not JSON is
 * skipped (its hit is lost, as it was before this table existed).
 */
import type { HeldChanges } from '../detect/index.js';
import type { SqlClient } from './types.js';

const INSERT = `
INSERT INTO held_threats (id, time, threat)
SELECT id, to_timestamp(t / 1000), threat FROM unnest($1::text[], $2::float8[], $3::text[]) AS u(id, t, threat)
ON CONFLICT (id) DO NOTHING`;

/** The transaction-bound part: settled ids out, newly held in (a retried batch inserts nothing twice). */
export async function writeHeld(tx: SqlClient, held: HeldChanges): Promise<void> {
  if (held.settle.length > 0) await tx.query('DELETE FROM held_threats WHERE id = ANY($1::text[])', [held.settle]);
  if (held.hold.length === 0) return;
  await tx.query(INSERT, [held.hold.map((t) => t.event.id), held.hold.map((t) => t.event.time), held.hold.map((t) => JSON.stringify(t))]);
}

export class HeldThreatRepository {
  constructor(private readonly sql: SqlClient) {}

  /** Held hits, oldest first, at most `limit` (site knowledge's maxHeld: beyond it the oldest are judged at once anyway). */
  async load(limit: number): Promise<unknown[]> {
    const { rows } = await this.sql.query<{ threat: string }>('SELECT threat FROM held_threats ORDER BY time, id LIMIT $1', [Math.max(0, Math.floor(limit))]);
    const out: unknown[] = [];
    for (const r of rows) {
      try {
        out.push(JSON.parse(r.threat));
      } catch {
        // Not JSON: skipped.
      }
    }
    return out;
  }

  async count(): Promise<number> {
    const { rows } = await this.sql.query<{ n: string | number }>('SELECT count(*) AS n FROM held_threats');
    return Number(rows[0]?.n ?? 0);
  }
}
