/**
 * Per-rule hit counts over time (a noisy rule shows at once) and the loaded rules that hit nothing (dead or
 * mis-scoped rules). Both read threat_hits joined to its threat's time.
 */
import { BadRequestError } from '../core/index.js';
import { text } from './sanitize.js';
import { MAX_LIMIT, topRules } from './threats.js';
import type { RuleHitBucket, RuleHitSeries, SqlClient } from './types.js';

/** Bucket lengths in seconds: epoch-aligned, so buckets are UTC hours and days on every backend and session zone. */
const BUCKET_SECONDS: Record<RuleHitBucket, number> = { hour: 3600, day: 86_400 };
/** Rule ids accepted by silentRules: more than any rule set ships, so a hostile caller cannot send millions. */
export const MAX_RULE_IDS = 10_000;

export async function ruleHits(
  sql: SqlClient,
  since: number,
  until: number,
  bucket: RuleHitBucket,
  limit: number,
): Promise<RuleHitSeries[]> {
  const seconds = Object.hasOwn(BUCKET_SECONDS, bucket) ? BUCKET_SECONDS[bucket] : undefined;
  if (seconds === undefined) throw new BadRequestError('bucket must be hour or day', 'bucket');
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new BadRequestError(`limit must be an integer from 1 to ${MAX_LIMIT}`, 'limit');
  }
  // The ranking is topRules' (most hits first, then id); the series are then read for those rules only.
  const top = await topRules(sql, since, until, limit);
  if (top.length === 0) return [];
  const { rows } = await sql.query<{ rule_id: string; b: number; n: number; s: number }>(
    `SELECT h.rule_id, (floor(extract(epoch FROM t.time) / $3) * $3 * 1000)::float8 AS b,
            count(*)::float8 AS n, (count(*) FILTER (WHERE h.simulated))::float8 AS s
     FROM threat_hits h JOIN threats t ON t.id = h.threat_id
     WHERE t.time >= to_timestamp($1::float8 / 1000) AND t.time < to_timestamp($2::float8 / 1000)
       AND h.rule_id = ANY($4::text[])
     GROUP BY h.rule_id, b ORDER BY b`,
    [since, until, seconds, top.map((e) => e.key)],
  );
  const series = new Map<string, RuleHitSeries>(
    top.map((e) => [e.key, { ruleId: e.key, total: e.count, simulated: 0, points: [] }]),
  );
  for (const r of rows) {
    const s = series.get(r.rule_id);
    if (!s) continue;
    s.points.push({ start: Math.round(r.b), count: r.n });
    s.simulated += r.s;
  }
  return [...series.values()];
}

export async function silentRules(sql: SqlClient, since: number, loadedRuleIds: readonly string[]): Promise<string[]> {
  if (loadedRuleIds.length > MAX_RULE_IDS) {
    throw new BadRequestError(`at most ${MAX_RULE_IDS} rule ids`, 'ruleIds');
  }
  if (loadedRuleIds.length === 0) return [];
  // Anti-join against the rules that did hit since then: one pass over the period's hits, whatever the rule count.
  const { rows } = await sql.query<{ id: string }>(
    `SELECT r.id FROM unnest($2::text[]) AS r(id)
     WHERE NOT EXISTS (
       SELECT 1 FROM threat_hits h JOIN threats t ON t.id = h.threat_id
       WHERE h.rule_id = r.id AND t.time >= to_timestamp($1::float8 / 1000))
     ORDER BY r.id COLLATE "C"`,
    [since, [...new Set(loadedRuleIds.map(text))]],
  );
  return rows.map((r) => r.id);
}
