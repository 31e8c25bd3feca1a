/** Threat queries for the API: filtered list, one threat, rule counts. */
import { BadRequestError } from '../core/index.js';
import { ip, text } from './sanitize.js';
import { THREAT_COLUMNS, withDetections, withReputation, type ThreatRecord } from './threat-rows.js';
import type { SqlClient, ThreatQuery, ThreatRow, ThreatSort, TopEntry } from './types.js';

export const MAX_LIMIT = 1000;

/** The only sort expressions that reach SQL (byte order for text, as on every backend); the id tie-break makes pages stable. */
const SORT_SQL: Record<ThreatSort, string> = {
  time: 'time',
  score: 'score',
  severity: 'severity_score',
  ip: 'ip COLLATE "C"',
  status: 'status',
};
const ORDER_SQL = { asc: 'ASC', desc: 'DESC' } as const;

/** Default of enrich.reputation.minScore: `medium` risk and above. */
export const DEFAULT_REPUTATION_MIN_SCORE = 25;

export async function listThreats(
  sql: SqlClient,
  q: ThreatQuery,
  reputationMinScore = DEFAULT_REPUTATION_MIN_SCORE,
): Promise<{ items: ThreatRow[]; total: number }> {
  const sort = Object.hasOwn(SORT_SQL, q.sort) ? SORT_SQL[q.sort] : undefined;
  const order = Object.hasOwn(ORDER_SQL, q.order) ? ORDER_SQL[q.order] : undefined;
  if (!sort) throw new BadRequestError(`sort must be one of ${Object.keys(SORT_SQL).join(', ')}`, 'sort');
  if (!order) throw new BadRequestError('order must be asc or desc', 'order');
  if (!Number.isInteger(q.limit) || q.limit < 0 || q.limit > MAX_LIMIT) {
    throw new BadRequestError(`limit must be an integer from 0 to ${MAX_LIMIT}`, 'limit');
  }
  if (!Number.isInteger(q.offset) || q.offset < 0) throw new BadRequestError('offset must be an integer ≥ 0', 'offset');

  const { where, params } = filters(q);
  const count = await sql.query<{ n: number }>(`SELECT count(*)::float8 AS n FROM threats ${where}`, params);
  const page = await sql.query<ThreatRecord>(
    `SELECT ${THREAT_COLUMNS} FROM threats ${where}
     ORDER BY ${sort} ${order}, id ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, q.limit, q.offset],
  );
  const items = await withReputation(sql, await withDetections(sql, page.rows), reputationMinScore);
  return { items, total: count.rows[0]?.n ?? 0 };
}

// Filter values go through the same sanitising as stored values, so a NUL in a query matches, not fails.
function filters(q: ThreatQuery): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const conds: string[] = [];
  const param = (v: unknown): string => `$${params.push(v)}`;
  if (q.since !== undefined) conds.push(`time >= to_timestamp(${param(q.since)}::float8 / 1000)`);
  if (q.until !== undefined) conds.push(`time < to_timestamp(${param(q.until)}::float8 / 1000)`);
  if (q.severity?.length) conds.push(`severity = ANY(${param(q.severity)}::text[])`);
  if (q.category?.length) conds.push(`category = ANY(${param(q.category)}::text[])`);
  if (q.ip) conds.push(`ip = ${param(ip(q.ip))}`);
  if (q.path) conds.push(`path LIKE '%' || ${param(escapeLike(text(q.path)))} || '%' ESCAPE '\\'`);
  return { where: conds.length ? `WHERE ${conds.join(' AND ')}` : '', params };
}

/** Makes a substring match literally under LIKE … ESCAPE '\'. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}

export async function getThreat(
  sql: SqlClient,
  id: string,
  reputationMinScore = DEFAULT_REPUTATION_MIN_SCORE,
): Promise<ThreatRow | null> {
  const { rows } = await sql.query<ThreatRecord>(`SELECT ${THREAT_COLUMNS} FROM threats WHERE id = $1`, [text(id)]);
  const [row] = await withReputation(sql, await withDetections(sql, rows), reputationMinScore);
  return row ?? null;
}

export async function topRules(sql: SqlClient, since: number, until: number, limit: number): Promise<TopEntry[]> {
  const { rows } = await sql.query<{ key: string; count: number }>(
    `SELECT h.rule_id AS key, count(*)::float8 AS count
     FROM threat_hits h JOIN threats t ON t.id = h.threat_id
     WHERE t.time >= to_timestamp($1::float8 / 1000) AND t.time < to_timestamp($2::float8 / 1000)
     GROUP BY h.rule_id ORDER BY count DESC, h.rule_id COLLATE "C" LIMIT $3`,
    [since, until, limit],
  );
  return rows;
}
