/**
 * Requests: every logged request, kept for the retention period (table requests). Written by the batch
 * writer inside its transaction; the only read of the raw rows is the retention's prune.
 */
import type { HttpEvent } from '../core/index.js';
import { copyRow, copyUnlessReplayed } from './copy-text.js';
import { named } from './errors.js';
import { onlyInserted } from './inserted.js';
import { pruneOlderThan } from './prune.js';
import { int, ip, realOrNull, text, textOrNull } from './sanitize.js';
import type { SqlClient } from './types.js';

export interface PruneOptions {
  /** Rows per DELETE: small enough that no statement holds locks for long (default 50,000). */
  pruneChunk?: number;
}

export const DEFAULT_PRUNE_CHUNK = 50_000;

export class RequestRepository {
  private readonly chunk: number;

  constructor(
    private readonly sql: SqlClient,
    opts: PruneOptions = {},
  ) {
    this.chunk = opts.pruneChunk ?? DEFAULT_PRUNE_CHUNK;
  }

  /** Deletes requests older than `before` (epoch ms) in chunks; returns how many went. */
  prune(before: number): Promise<number> {
    return named('pruneRequests', () => pruneOlderThan(this.sql, 'requests', before, this.chunk));
  }
}

// ---- The batch writer's part (inside its transaction) ----

const INSERT_REQUESTS = `
WITH ins AS (
  INSERT INTO requests (id, time, ip, method, host, path, query, status, bytes, referer, user_agent, request_time, origin)
  SELECT id, to_timestamp(t / 1000), ip, method, host, path, query, status, bytes, referer, user_agent, request_time, origin
  FROM unnest($1::text[], $2::float8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[],
              $9::int8[], $10::text[], $11::text[], $12::float4[], $13::text[])
       AS u(id, t, ip, method, host, path, query, status, bytes, referer, user_agent, request_time, origin)
  ON CONFLICT (id) DO NOTHING
  RETURNING id)
SELECT id FROM ins`;

const REQUEST_COLUMNS = ['id', 'time', 'ip', 'method', 'host', 'path', 'query', 'status', 'bytes', 'referer', 'user_agent', 'request_time', 'origin'];


/** Inserts the events; returns those that were new (a replayed id is skipped, a repeated one kept once). */
export async function insertRequests(tx: SqlClient, events: readonly HttpEvent[]): Promise<HttpEvent[]> {
  if (events.length === 0) return [];
  // Fast path on PostgreSQL: COPY; a replayed batch trips the primary key and the ON CONFLICT insert below takes over.
  const copied = await copyUnlessReplayed(tx, 'copy_requests', async (copyRows) => {
    let rows = '';
    for (const e of events) {
      rows += copyRow([
        text(e.id),
        new Date(e.time).toISOString(),
        ip(e.ip),
        text(e.method),
        textOrNull(e.host),
        text(e.path),
        text(e.query),
        int(e.status),
        int(e.bytes),
        textOrNull(e.referer),
        textOrNull(e.userAgent),
        realOrNull(e.requestTime),
        e.origin.kind,
      ]);
    }
    await copyRows('requests', REQUEST_COLUMNS, rows);
  });
  if (copied) return [...events];
  const { rows } = await tx.query<{ id: string }>(INSERT_REQUESTS, [
    events.map((e) => text(e.id)),
    events.map((e) => e.time),
    events.map((e) => ip(e.ip)),
    events.map((e) => text(e.method)),
    events.map((e) => textOrNull(e.host)),
    events.map((e) => text(e.path)),
    events.map((e) => text(e.query)),
    events.map((e) => int(e.status)),
    events.map((e) => int(e.bytes)),
    events.map((e) => textOrNull(e.referer)),
    events.map((e) => textOrNull(e.userAgent)),
    events.map((e) => realOrNull(e.requestTime)),
    events.map((e) => e.origin.kind),
  ]);
  return onlyInserted(events, (e) => text(e.id), rows);
}
