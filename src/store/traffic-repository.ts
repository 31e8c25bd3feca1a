/**
 * Raw requests for the SOC traffic list (GET /api/traffic) and an IP's recent requests: filtered, newest first
 * by default, paged by offset or by keyset cursor on (time, id). Always within a time window, so the
 * `(time DESC, id DESC)` and `(ip, time DESC)` indexes (migration 0009) bound the work.
 */
import * as z from 'zod';
import { filterConditions, Params, type AnalyticsFilter } from './analytics-filter.js';
import { named } from './errors.js';
import { afterCursor, cappedCount, type Counted, type KeysetCursor } from './keyset.js';
import { checkPage, ORDER_SQL } from './page.js';
import { decodeFields, encodeFields, epochMs, jsonShape, plain, selectList, type ValueOf } from './record-fields.js';
import { escapeLike } from './threat-repository.js';
import { ip as boundIp, text } from './sanitize.js';
import type { SqlClient } from './types.js';

/** Columns qualified with the alias `r` (the list joins nothing today, but filters share the alias). */
const REQUEST_FIELDS = {
  id: plain('id', z.string(), 'r.id'),
  time: { ...epochMs('time', 'When the request was logged.'), sql: '(extract(epoch FROM r.time) * 1000)::float8' },
  ip: plain('ip', z.string(), 'r.ip'),
  method: plain('method', z.string(), 'r.method'),
  host: plain('host', z.string().nullable(), 'r.host'),
  path: plain('path', z.string().describe('As logged, still percent-encoded.'), 'r.path'),
  query: plain('query', z.string().describe('Without the leading "?".'), 'r.query'),
  status: plain('status', z.number().int(), 'r.status'),
  bytes: plain('bytes', z.number().int(), 'r.bytes::float8'),
  referer: plain('referer', z.string().nullable(), 'r.referer'),
  userAgent: plain('user_agent', z.string().nullable(), 'r.user_agent'),
  requestTime: plain('request_time', z.number().nullable().describe('Seconds, when the log carries it.'), 'r.request_time::float8'),
};

export type StoredRequest = ValueOf<typeof REQUEST_FIELDS>;
export const requestJson = z.object(jsonShape(REQUEST_FIELDS));
export type RequestJson = z.output<typeof requestJson>;
export function requestToJson(r: StoredRequest): RequestJson {
  return encodeFields(REQUEST_FIELDS, r);
}

const SELECT = selectList(REQUEST_FIELDS);

export interface TrafficQuery extends AnalyticsFilter {
  since: number;
  until: number;
  method?: string[];
  path?: string;
  user_agent?: string;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
  cursor?: KeysetCursor;
}

export class TrafficRepository {
  constructor(private readonly sql: SqlClient) {}

  list(q: TrafficQuery): Promise<{ items: StoredRequest[] } & Counted> {
    return named('listTraffic', () => listTraffic(this.sql, q));
  }

  /** An IP's latest requests in the window (its `(ip, time)` index). */
  recent(ip: string, since: number, until: number, limit: number): Promise<StoredRequest[]> {
    return named('recentRequests', async () => {
      checkPage(limit, 0);
      const { rows } = await this.sql.query(
        `SELECT ${SELECT} FROM requests r WHERE r.ip = $1 AND r.time >= to_timestamp($2::float8 / 1000)
           AND r.time < to_timestamp($3::float8 / 1000) ORDER BY r.time DESC, r.id DESC LIMIT $4`,
        [boundIp(ip), since, until, limit],
      );
      return rows.map((r) => decodeFields(REQUEST_FIELDS, r));
    });
  }
}

/** No filter besides the window: the minute rollups know the count. */
function unfiltered(q: TrafficQuery): boolean {
  const keys: (keyof TrafficQuery)[] = ['q', 'ip', 'country', 'asn', 'as_org', 'ja4', 'bot', 'browser', 'host', 'status', 'method', 'path', 'user_agent'];
  return keys.every((k) => q[k] === undefined);
}

/**
 * Requests in the window from rollup_minute: exact when `since` falls on a minute (the first bucket is whole);
 * otherwise it may include the part of the first minute before `since`, and says so.
 */
async function countFromRollups(sql: SqlClient, since: number, until: number): Promise<Counted> {
  const { rows } = await sql.query<{ n: number }>(
    `SELECT coalesce(sum(requests), 0)::float8 AS n FROM rollup_minute
     WHERE minute >= to_timestamp($1::float8 / 1000) AND minute < to_timestamp($2::float8 / 1000)`,
    [Math.floor(since / 60_000) * 60_000, until],
  );
  return { total: rows[0]?.n ?? 0, exact: since % 60_000 === 0 };
}

async function listTraffic(sql: SqlClient, q: TrafficQuery): Promise<{ items: StoredRequest[] } & Counted> {
  checkPage(q.limit, q.offset);
  const order = ORDER_SQL[q.order];
  const ps = new Params();
  const conds = [`r.time >= to_timestamp(${ps.p(q.since)}::float8 / 1000)`, `r.time < to_timestamp(${ps.p(q.until)}::float8 / 1000)`];
  conds.push(...filterConditions(q, 'requests', 'r', ps));
  if (q.method?.length) conds.push(`r.method = ANY(${ps.p(q.method.map(text))}::text[])`);
  if (q.path !== undefined) conds.push(`r.path LIKE '%' || ${ps.p(escapeLike(text(q.path)))} || '%' ESCAPE '\\'`);
  if (q.user_agent !== undefined) conds.push(`r.user_agent ILIKE '%' || ${ps.p(escapeLike(text(q.user_agent)))} || '%' ESCAPE '\\'`);
  const fromWhere = `FROM requests r WHERE ${conds.join(' AND ')}`;
  const counted = unfiltered(q) ? countFromRollups(sql, q.since, q.until) : cappedCount(sql, fromWhere, [...ps.values]);
  const pageConds = q.cursor ? [...conds, afterCursor('r.time', 'r.id', q.cursor, q.order, ps)] : conds;
  const page = await sql.query(
    `SELECT ${SELECT} FROM requests r WHERE ${pageConds.join(' AND ')}
     ORDER BY r.time ${order}, r.id ${order} LIMIT ${ps.p(q.limit)} OFFSET ${ps.p(q.offset)}`,
    ps.values,
  );
  return { items: page.rows.map((r) => decodeFields(REQUEST_FIELDS, r)), ...(await counted) };
}
