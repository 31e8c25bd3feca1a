/**
 * Stats from the per-minute rollups only. A minute bucket counts when it overlaps [since, until):
 * its start is ≥ since rounded down to the minute and < until. Resolution is one minute.
 */
import { SEVERITIES, type Category, type Severity } from '../core/index.js';
import { minuteOf, OTHER } from './rollups.js';
import type { SqlClient, Stats, TopEntry } from './types.js';

const TOP = 10;
const RANGE = `minute >= to_timestamp($1::float8 / 1000) AND minute < to_timestamp($2::float8 / 1000)`;

export async function stats(sql: SqlClient, since: number, until: number): Promise<Stats> {
  const params = [minuteOf(since), until];
  const [totals, categories, topIps, topPaths] = await Promise.all([
    sql.query<Record<'requests' | 'threats' | Severity, number>>(
      `SELECT coalesce(sum(requests), 0)::float8 AS requests, coalesce(sum(threats), 0)::float8 AS threats,
              ${SEVERITIES.map((s) => `coalesce(sum(${s}), 0)::float8 AS ${s}`).join(', ')}
       FROM rollup_minute WHERE ${RANGE}`,
      params,
    ),
    sql.query<{ category: Category; n: number }>(
      `SELECT category, sum(count)::float8 AS n FROM rollup_minute_category WHERE ${RANGE} GROUP BY category`,
      params,
    ),
    top(sql, 'rollup_minute_ip', 'ip', params),
    top(sql, 'rollup_minute_path', 'path', params),
  ]);
  const t = totals.rows[0];
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, t?.[s] ?? 0])) as Record<Severity, number>;
  const byCategory: Stats['byCategory'] = {};
  for (const c of categories.rows) byCategory[c.category] = c.n;
  return {
    since,
    until,
    totalRequests: t?.requests ?? 0,
    threats: t?.threats ?? 0,
    bySeverity,
    byCategory,
    topIps,
    topPaths,
  };
}

/** Ranked by threats, then requests, then key in byte order (same on every backend); the OTHER bucket (see rollups.ts) is not an entry. */
async function top(
  sql: SqlClient,
  table: 'rollup_minute_ip' | 'rollup_minute_path',
  column: 'ip' | 'path',
  params: unknown[],
): Promise<TopEntry[]> {
  const { rows } = await sql.query<{ key: string; threats: number; requests: number }>(
    `SELECT ${column} AS key, sum(threats)::float8 AS threats, sum(requests)::float8 AS requests
     FROM ${table} WHERE ${RANGE} AND ${column} <> $3
     GROUP BY ${column} ORDER BY threats DESC, requests DESC, ${column} COLLATE "C" LIMIT ${TOP}`,
    [...params, OTHER],
  );
  return rows.map((r) => ({ key: r.key, count: r.threats, threats: r.threats, requests: r.requests }));
}
