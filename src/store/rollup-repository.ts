/**
 * Rollups and rule activity: per-minute counters (tables rollup_minute, rollup_minute_category, rollup_minute_ip,
 * rollup_minute_path) answer /api/stats without reading raw rows; hits per rule over time and the loaded rules
 * that hit nothing read the hourly rule rollup and, for partial hours, threat_hits joined to its threat's time
 * (rule-hit-rollup.ts). The counters are written by the batch writer
 * inside its transaction, from the rows its inserts added (rollups.ts aggregates them).
 *
 * Stats resolution is one minute: a minute bucket counts when it overlaps [since, until), i.e. its start is
 * ≥ since rounded down to the minute and < until.
 */
import { BadRequestError, SEVERITIES, type Category, type Severity } from '../core/index.js';
import { named } from './errors.js';
import { MAX_LIMIT } from './page.js';
import { dayOf, minuteOf, type BatchRollups } from './rollups.js';

const HOUR_MS = 3_600_000;

/** The daily key rollups are kept at least this long (the longest /api/stats window, 30 days, and its partial day). */
export const DAILY_ROLLUP_MIN_KEEP_MS = 31 * 86_400_000;
import { hourSplit, ruleHourRows } from './rule-hit-rollup.js';
import { text } from './sanitize.js';
import { topRules } from './threat-repository.js';
import { topKeys, type TopOptions } from './top-keys.js';
import type { RuleHitBucket, RuleHitSeries, SqlClient, Stats } from './types.js';

const RANGE = `minute >= to_timestamp($1::float8 / 1000) AND minute < to_timestamp($2::float8 / 1000)`;
/** Bucket lengths in seconds: epoch-aligned, so buckets are UTC hours and days on every backend and session zone. */
const BUCKET_SECONDS: Record<RuleHitBucket, number> = { hour: 3600, day: 86_400 };
/** Rule ids accepted by silentRules: more than any rule set ships, so a hostile caller cannot send millions. */
export const MAX_RULE_IDS = 10_000;

export class RollupRepository {
  constructor(
    private readonly sql: SqlClient,
    private readonly top: TopOptions = {},
  ) {}

  /** Totals, breakdowns and top lists over [since, until), from the rollups (top-keys.ts ranks), never from raw rows. */
  stats(since: number, until: number): Promise<Stats> {
    return named('stats', () => stats(this.sql, since, until, this.top));
  }

  /** Deletes the daily key rollups of days wholly before `before` (retention, with the requests they count). */
  prune(before: number): Promise<void> {
    return named('pruneRollups', async () => {
      const end = dayOf(before);
      await this.sql.query(`DELETE FROM rollup_day_ip WHERE day < to_timestamp($1::float8 / 1000)`, [end]);
      await this.sql.query(`DELETE FROM rollup_day_path WHERE day < to_timestamp($1::float8 / 1000)`, [end]);
    });
  }

  /** Per rule, hits per time bucket for threats in [since, until); the `limit` rules with most hits, most first. */
  ruleHits(since: number, until: number, opts: { bucket: RuleHitBucket; limit?: number }): Promise<RuleHitSeries[]> {
    return named('ruleHits', () => ruleHits(this.sql, since, until, opts.bucket, opts.limit ?? 20));
  }

  /** The ids of `loadedRuleIds` with no hit on any threat since `since` (epoch ms), in byte order. */
  silentRules(since: number, loadedRuleIds: readonly string[]): Promise<string[]> {
    return named('silentRules', () => silentRules(this.sql, since, loadedRuleIds));
  }
}

async function stats(sql: SqlClient, since: number, until: number, top: TopOptions): Promise<Stats> {
  const params = [minuteOf(since), until];
  const [totals, categories] = await Promise.all([
    sql.query<Record<'requests' | 'threats' | Severity, number>>(
      `SELECT coalesce(sum(requests), 0)::float8 AS requests, coalesce(sum(threats), 0)::float8 AS threats,
              ${SEVERITIES.map((s) => `coalesce(sum(${s}), 0)::float8 AS ${s}`).join(', ')}
       FROM rollup_minute WHERE ${RANGE}`,
      params,
    ),
    categoryCounts(sql, since, until),
  ]);
  const t = totals.rows[0];
  // Every keyed minute row holds a request or a threat: their sum bounds the rows an exact ranking would read.
  const keyedRows = (t?.requests ?? 0) + (t?.threats ?? 0);
  const [topIps, topPaths] = await Promise.all([
    topKeys(sql, 'ip', minuteOf(since), until, keyedRows, top),
    topKeys(sql, 'path', minuteOf(since), until, keyedRows, top),
  ]);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, t?.[s] ?? 0])) as Record<Severity, number>;
  const byCategory = categories;
  return {
    since,
    until,
    totalRequests: t?.requests ?? 0,
    threats: t?.threats ?? 0,
    bySeverity,
    byCategory,
    topIps: topIps.entries,
    topPaths: topPaths.entries,
    topAccuracy: {
      exact: topIps.exact && topPaths.exact,
      unlistedMaxIpThreats: topIps.unlistedMaxThreats,
      unlistedMaxPathThreats: topPaths.unlistedMaxThreats,
    },
  };
}

/**
 * Threats per category over [since, until) at minute resolution: whole hours from rollup_hour_category, the
 * partial first and last hour from rollup_minute_category.
 */
export async function categoryCounts(sql: SqlClient, since: number, until: number): Promise<Partial<Record<Category, number>>> {
  const from = minuteOf(since);
  const out: Partial<Record<Category, number>> = {};
  if (until <= from) return out;
  const hoursFrom = Math.ceil(from / HOUR_MS) * HOUR_MS;
  const hoursTo = Math.max(hoursFrom, Math.floor(until / HOUR_MS) * HOUR_MS);
  // A range inside one hour: minutes only (the two minute spans below then cover it once).
  const [headTo, tailFrom] = hoursFrom >= until ? [until, until] : [hoursFrom, hoursTo];
  const { rows } = await sql.query<{ k: Category; n: number }>(
    `SELECT k, sum(n)::float8 AS n FROM (
       SELECT category AS k, count AS n FROM rollup_hour_category
       WHERE hour >= to_timestamp($3::float8 / 1000) AND hour < to_timestamp($4::float8 / 1000)
       UNION ALL
       SELECT category, count FROM rollup_minute_category
       WHERE minute >= to_timestamp($1::float8 / 1000) AND minute < to_timestamp($3::float8 / 1000)
       UNION ALL
       SELECT category, count FROM rollup_minute_category
       WHERE minute >= to_timestamp($4::float8 / 1000) AND minute < to_timestamp($2::float8 / 1000)) AS u
     GROUP BY k`,
    [from, until, headTo, tailFrom],
  );
  for (const r of rows) out[r.k] = r.n;
  return out;
}

async function ruleHits(sql: SqlClient, since: number, until: number, bucket: RuleHitBucket, limit: number): Promise<RuleHitSeries[]> {
  const seconds = Object.hasOwn(BUCKET_SECONDS, bucket) ? BUCKET_SECONDS[bucket] : undefined;
  if (seconds === undefined) throw new BadRequestError('bucket must be hour or day', 'bucket');
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new BadRequestError(`limit must be an integer from 1 to ${MAX_LIMIT}`, 'limit');
  }
  // The ranking is topRules' (most hits first, then id); the series are then read for those rules only.
  const ranked = await topRules(sql, since, until, limit);
  if (ranked.length === 0) return [];
  const { hoursFrom, hoursTo } = hourSplit(since, until);
  const { rows } = await sql.query<{ rule_id: string; b: number; n: number; s: number }>(
    `SELECT rule_id, (floor(hs / $5) * $5 * 1000)::float8 AS b, sum(hits)::float8 AS n, sum(simulated)::float8 AS s
     FROM (${ruleHourRows('$6')}) AS u(rule_id, hs, hits, simulated)
     GROUP BY rule_id, b ORDER BY b`,
    [since, until, hoursFrom, hoursTo, seconds, ranked.map((e) => e.key)],
  );
  const series = new Map<string, RuleHitSeries>(
    ranked.map((e) => [e.key, { ruleId: e.key, total: e.count, simulated: 0, points: [] }]),
  );
  for (const r of rows) {
    const s = series.get(r.rule_id);
    if (!s) continue;
    s.points.push({ start: Math.round(r.b), count: r.n });
    s.simulated += r.s;
  }
  return [...series.values()];
}

async function silentRules(sql: SqlClient, since: number, loadedRuleIds: readonly string[]): Promise<string[]> {
  if (loadedRuleIds.length > MAX_RULE_IDS) {
    throw new BadRequestError(`at most ${MAX_RULE_IDS} rule ids`, 'ruleIds');
  }
  if (loadedRuleIds.length === 0) return [];
  // Anti-join against the rules that did hit since then: whole hours from rollup_hour_rule (the hours after
  // `since` hold a handful of rules each), the partial first hour from the hits (rule-hit-rollup.ts).
  const hoursFrom = Math.ceil(since / HOUR_MS) * HOUR_MS;
  const { rows } = await sql.query<{ id: string }>(
    `SELECT r.id FROM unnest($2::text[]) AS r(id)
     WHERE NOT EXISTS (SELECT 1 FROM rollup_hour_rule WHERE rule_id = r.id AND hour >= to_timestamp($3::float8 / 1000))
       AND NOT EXISTS (
         SELECT 1 FROM threat_hits h JOIN threats t ON t.id = h.threat_id
         WHERE h.rule_id = r.id AND t.time >= to_timestamp($1::float8 / 1000) AND t.time < to_timestamp($3::float8 / 1000))
     ORDER BY r.id COLLATE "C"`,
    [since, [...new Set(loadedRuleIds.map(text))], hoursFrom],
  );
  return rows.map((r) => r.id);
}

// ---- The batch writer's part (inside its transaction) ----

/** Adds one batch's counters to the per-minute rollups (upserts that sum). */
export async function upsertRollups(tx: SqlClient, r: BatchRollups): Promise<void> {
  if (r.minutes.size === 0) return;
  const minutes = [...r.minutes];
  await tx.query(
    `INSERT INTO rollup_minute (minute, requests, threats, info, low, medium, high, critical)
     SELECT to_timestamp(m / 1000), r, t, i, l, me, h, c
     FROM unnest($1::float8[], $2::int[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[])
          AS u(m, r, t, i, l, me, h, c)
     ON CONFLICT (minute) DO UPDATE SET
       requests = rollup_minute.requests + EXCLUDED.requests,
       threats = rollup_minute.threats + EXCLUDED.threats,
       info = rollup_minute.info + EXCLUDED.info,
       low = rollup_minute.low + EXCLUDED.low,
       medium = rollup_minute.medium + EXCLUDED.medium,
       high = rollup_minute.high + EXCLUDED.high,
       critical = rollup_minute.critical + EXCLUDED.critical`,
    [
      minutes.map(([m]) => m),
      minutes.map(([, c]) => c.requests),
      minutes.map(([, c]) => c.threats),
      minutes.map(([, c]) => c.bySeverity.info),
      minutes.map(([, c]) => c.bySeverity.low),
      minutes.map(([, c]) => c.bySeverity.medium),
      minutes.map(([, c]) => c.bySeverity.high),
      minutes.map(([, c]) => c.bySeverity.critical),
    ],
  );
  const cats = [...r.categories].flatMap(([m, byCat]) => [...byCat].map(([category, n]) => ({ m, category, n })));
  if (cats.length > 0) {
    const hourly = new Map<string, { h: number; category: Category; n: number }>();
    for (const c of cats) {
      const h = Math.floor(c.m / HOUR_MS) * HOUR_MS;
      const key = `${h}|${c.category}`;
      const sum = hourly.get(key);
      if (sum) sum.n += c.n;
      else hourly.set(key, { h, category: c.category, n: c.n });
    }
    const hours = [...hourly.values()];
    await tx.query(
      `INSERT INTO rollup_hour_category (hour, category, count)
       SELECT to_timestamp(h / 1000), category, n FROM unnest($1::float8[], $2::text[], $3::int[]) AS u(h, category, n)
       ON CONFLICT (hour, category) DO UPDATE SET count = rollup_hour_category.count + EXCLUDED.count`,
      [hours.map((c) => c.h), hours.map((c) => c.category), hours.map((c) => c.n)],
    );
    await tx.query(
      `INSERT INTO rollup_minute_category (minute, category, count)
       SELECT to_timestamp(m / 1000), category, n FROM unnest($1::float8[], $2::text[], $3::int[]) AS u(m, category, n)
       ON CONFLICT (minute, category) DO UPDATE SET count = rollup_minute_category.count + EXCLUDED.count`,
      [cats.map((c) => c.m), cats.map((c) => c.category), cats.map((c) => c.n)],
    );
  }
  await upsertKeyed(tx, 'rollup_minute_ip', 'ip', r.ips);
  await upsertKeyed(tx, 'rollup_minute_path', 'path', r.paths);
  await upsertDaily(tx, 'rollup_day_ip', 'ip', r.dayIps);
  await upsertDaily(tx, 'rollup_day_path', 'path', r.dayPaths);
}

/**
 * Adds a batch's daily counts. Rows go in key order: a busy IP's day row is updated by nearly every batch, and
 * concurrent writers that take the row locks in one order cannot deadlock on them.
 */
async function upsertDaily(
  tx: SqlClient,
  table: 'rollup_day_ip' | 'rollup_day_path',
  column: 'ip' | 'path',
  byDay: BatchRollups['dayIps'],
): Promise<void> {
  const rows = [...byDay]
    .flatMap(([d, keys]) => [...keys].map(([key, c]) => ({ d, key, ...c })))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.d - b.d));
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO ${table} (day, ${column}, requests, threats)
     SELECT to_timestamp(d / 1000), k, r, t FROM unnest($1::float8[], $2::text[], $3::int[], $4::int[]) AS u(d, k, r, t)
     ON CONFLICT (${column}, day) DO UPDATE SET
       requests = ${table}.requests + EXCLUDED.requests,
       threats = ${table}.threats + EXCLUDED.threats`,
    [rows.map((x) => x.d), rows.map((x) => x.key), rows.map((x) => x.requests), rows.map((x) => x.threats)],
  );
}

async function upsertKeyed(
  tx: SqlClient,
  table: 'rollup_minute_ip' | 'rollup_minute_path',
  column: 'ip' | 'path',
  byMinute: BatchRollups['ips'],
): Promise<void> {
  const rows = [...byMinute].flatMap(([m, keys]) => [...keys].map(([key, c]) => ({ m, key, ...c })));
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO ${table} (minute, ${column}, requests, threats)
     SELECT to_timestamp(m / 1000), k, r, t FROM unnest($1::float8[], $2::text[], $3::int[], $4::int[]) AS u(m, k, r, t)
     ON CONFLICT (minute, ${column}) DO UPDATE SET
       requests = ${table}.requests + EXCLUDED.requests,
       threats = ${table}.threats + EXCLUDED.threats`,
    [rows.map((x) => x.m), rows.map((x) => x.key), rows.map((x) => x.requests), rows.map((x) => x.threats)],
  );
}
