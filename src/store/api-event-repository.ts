/**
 * API events (table api_events, migration 0008): what a sensor sent beside the request (its event id, the
 * destination address, tags). Written by the batch writer in the same transaction as the requests; pruned with
 * them by the retention.
 */
import { copyRow, copyUnlessReplayed, pgTextArray } from './copy-text.js';
import { named } from './errors.js';
import { pruneOlderThan } from './prune.js';
import { ip, text, textOrNull } from './sanitize.js';
import type { SqlClient } from './types.js';
import { DEFAULT_PRUNE_CHUNK, type PruneOptions } from './request-repository.js';

/** One stored API event's extra fields; `id` is the event's (and its request's) id. */
export interface ApiEventRow {
  id: string;
  /** Epoch ms: the event's time (pruned by it, as its request). */
  time: number;
  eventId: string | null;
  destinationIp: string | null;
  tags: readonly string[];
  /** Epoch ms. */
  receivedAt: number;
}

export class ApiEventRepository {
  private readonly chunk: number;

  constructor(
    private readonly sql: SqlClient,
    opts: PruneOptions = {},
  ) {
    this.chunk = opts.pruneChunk ?? DEFAULT_PRUNE_CHUNK;
  }

  /** The stored extra fields of an API event, by event id. */
  get(id: string): Promise<ApiEventRow | null> {
    return named('getApiEvent', async () => {
      const { rows } = await this.sql.query<{ id: string; t: number; event_id: string | null; destination_ip: string | null; tags: string[]; r: number }>(
        `SELECT id, extract(epoch FROM time) * 1000 AS t, event_id, destination_ip, tags, extract(epoch FROM received_at) * 1000 AS r
         FROM api_events WHERE id = $1`,
        [id],
      );
      const row = rows[0];
      if (!row) return null;
      return { id: row.id, time: Number(row.t), eventId: row.event_id, destinationIp: row.destination_ip, tags: row.tags, receivedAt: Number(row.r) };
    });
  }

  /** Deletes API events older than `before` (epoch ms) in chunks; returns how many went. */
  prune(before: number): Promise<number> {
    return named('pruneApiEvents', () => pruneOlderThan(this.sql, 'api_events', before, this.chunk));
  }
}

// ---- The batch writer's part (inside its transaction) ----

const INSERT_API_EVENTS = `
INSERT INTO api_events (id, time, event_id, destination_ip, tags, received_at)
SELECT u.id, to_timestamp(u.t / 1000), u.event_id, u.destination_ip, u.tags::text[], to_timestamp(u.r / 1000)
FROM unnest($1::text[], $2::float8[], $3::text[], $4::text[], $5::text[], $6::float8[])
     AS u(id, t, event_id, destination_ip, tags, r)
ON CONFLICT (id) DO NOTHING`;

const API_EVENT_COLUMNS = ['id', 'time', 'event_id', 'destination_ip', 'tags', 'received_at'];

/**
 * Inserts the rows; an id already stored (a retry) is skipped. Tags travel as array literals (unnest cannot take a
 * ragged text[][]). On PostgreSQL through COPY first, as requests: a retry trips the key and takes the insert.
 */
export async function insertApiEvents(tx: SqlClient, rows: readonly ApiEventRow[]): Promise<void> {
  if (rows.length === 0) return;
  const destination = (r: ApiEventRow) => (r.destinationIp === null ? null : ip(r.destinationIp));
  const tags = (r: ApiEventRow) => pgTextArray(r.tags.map(text));
  const copied = await copyUnlessReplayed(tx, 'copy_api_events', async (copyRows) => {
    let copy = '';
    for (const r of rows) {
      copy += copyRow([text(r.id), new Date(r.time).toISOString(), textOrNull(r.eventId), destination(r), tags(r), new Date(r.receivedAt).toISOString()]);
    }
    await copyRows('api_events', API_EVENT_COLUMNS, copy);
  });
  if (copied) return;
  await tx.query(INSERT_API_EVENTS, [
    rows.map((r) => text(r.id)),
    rows.map((r) => r.time),
    rows.map((r) => textOrNull(r.eventId)),
    rows.map(destination),
    rows.map(tags),
    rows.map((r) => r.receivedAt),
  ]);
}
