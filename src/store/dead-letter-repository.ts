/**
 * Notification dead letters (migration 0015): what a channel could not deliver after its last attempt. The
 * notification is kept as JSON (src/notify decides its shape; the store only keeps it), so a retry can send it
 * again. The table is bounded: adding a row forgets all but the newest MAX_DEAD_LETTERS. Times are epoch ms.
 */
import type { SqlClient } from './types.js';

export const MAX_DEAD_LETTERS = 10_000;

export interface DeadLetter {
  id: number;
  channel: string;
  threatId: string;
  notification: Record<string, unknown>;
  error: string;
  attempts: number;
  failedAt: number;
  retriedAt: number | null;
}

export interface NewDeadLetter {
  channel: string;
  threatId: string;
  notification: Record<string, unknown>;
  error: string;
  attempts: number;
  failedAt: number;
}

interface Row {
  id: string | number;
  channel: string;
  threat_id: string;
  notification: Record<string, unknown> | string;
  error: string;
  attempts: number;
  failed_ms: number;
  retried_ms: number | null;
}

const COLUMNS = `id, channel, threat_id, notification, error, attempts,
  (extract(epoch FROM failed_at) * 1000)::float8 AS failed_ms,
  (extract(epoch FROM retried_at) * 1000)::float8 AS retried_ms`;

function toRecord(r: Row): DeadLetter {
  return {
    id: Number(r.id),
    channel: r.channel,
    threatId: r.threat_id,
    notification: typeof r.notification === 'string' ? (JSON.parse(r.notification) as Record<string, unknown>) : r.notification,
    error: r.error,
    attempts: r.attempts,
    failedAt: Math.round(r.failed_ms),
    retriedAt: r.retried_ms === null ? null : Math.round(r.retried_ms),
  };
}

/** PostgreSQL text and jsonb hold no NUL; bounded so one bad answer cannot fill the table. */
const clean = (s: string, max: number): string => s.replace(/\0/g, '').slice(0, max);

export class DeadLetterRepository {
  constructor(private readonly sql: SqlClient) {}

  async add(d: NewDeadLetter): Promise<DeadLetter> {
    const json = JSON.stringify(d.notification, (_k, v: unknown) => (typeof v === 'string' ? v.replace(/\0/g, '') : v));
    const { rows } = await this.sql.query<Row>(
      `INSERT INTO notification_dead_letters (channel, threat_id, notification, error, attempts, failed_at)
       VALUES ($1, $2, $3::jsonb, $4, $5, to_timestamp($6::float8 / 1000))
       RETURNING ${COLUMNS}`,
      [clean(d.channel, 64), clean(d.threatId, 200), json, clean(d.error, 1000), d.attempts, d.failedAt],
    );
    const row = rows[0]!;
    await this.sql.query(
      `DELETE FROM notification_dead_letters WHERE id <= (SELECT id FROM notification_dead_letters ORDER BY id DESC OFFSET $1 LIMIT 1)`,
      [MAX_DEAD_LETTERS],
    );
    return toRecord(row);
  }

  /** Newest first; `before` (an id) pages on. */
  async list(opts: { channel?: string; limit: number; before?: number }): Promise<DeadLetter[]> {
    const { rows } = await this.sql.query<Row>(
      `SELECT ${COLUMNS} FROM notification_dead_letters
       WHERE ($1::text IS NULL OR channel = $1) AND ($2::bigint IS NULL OR id < $2)
       ORDER BY id DESC LIMIT $3`,
      [opts.channel ?? null, opts.before ?? null, opts.limit],
    );
    return rows.map(toRecord);
  }

  async get(id: number): Promise<DeadLetter | null> {
    const { rows } = await this.sql.query<Row>(`SELECT ${COLUMNS} FROM notification_dead_letters WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async remove(id: number): Promise<boolean> {
    const { rows } = await this.sql.query<{ id: string }>('DELETE FROM notification_dead_letters WHERE id = $1 RETURNING id', [id]);
    return rows.length > 0;
  }

  /** A retry that failed again: its error, one more attempt, when. */
  async retryFailed(id: number, error: string, at: number): Promise<DeadLetter | null> {
    const { rows } = await this.sql.query<Row>(
      `UPDATE notification_dead_letters SET error = $2, attempts = attempts + 1, retried_at = to_timestamp($3::float8 / 1000)
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, clean(error, 1000), at],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async count(): Promise<number> {
    const { rows } = await this.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM notification_dead_letters');
    return rows[0]?.n ?? 0;
  }
}
