/**
 * Hits per UTC hour and rule (table rollup_hour_rule, migration 0017): what ranks rules and draws their hit series
 * over a range without joining every hit of the range to its threat.
 *
 * Written by the batch writer for the threats its transaction inserted: one row per stored hit (threat_hits), so a
 * replay adds nothing and simulated hits count (apart) as they do in threat_hits. Read as whole hours from the
 * rollup plus the partial first and last hour from threat_hits joined to threats (at most two hours of threats,
 * by the threats' time index): counts over [since, until) are exact to the millisecond, as the join was.
 */
import type { ThreatEvent } from '../core/index.js';
import { HOUR_MS, hourOf } from './analytics-rollups.js';
import { text } from './sanitize.js';
import type { SqlClient } from './types.js';

export interface RuleHour {
  hour: number;
  ruleId: string;
  hits: number;
  simulated: number;
}

/** The batch's hits per hour and rule, in key order (rule, then hour): see upsertRuleHours. */
export function aggregateRuleHours(threats: Iterable<ThreatEvent>): RuleHour[] {
  const byKey = new Map<string, RuleHour>();
  for (const t of threats) {
    const hour = hourOf(t.event.time);
    for (const d of t.detections) {
      // The id as threat_hits stores it (threat-repository.ts), so the rollup and the hits agree.
      const ruleId = text(d.ruleId);
      const key = `${hour}|${ruleId}`;
      let row = byKey.get(key);
      if (!row) byKey.set(key, (row = { hour, ruleId, hits: 0, simulated: 0 }));
      row.hits++;
      if (d.simulated === true) row.simulated++;
    }
  }
  return [...byKey.values()].sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : a.hour - b.hour));
}

/**
 * Adds one batch's hits (an upsert that sums). Rows go in key order: every batch of a busy hour updates the same
 * rule rows, and concurrent writers that take their row locks in one order cannot deadlock on them.
 */
export async function upsertRuleHours(tx: SqlClient, rows: readonly RuleHour[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO rollup_hour_rule (hour, rule_id, hits, simulated)
     SELECT to_timestamp(h / 1000), r, n, s FROM unnest($1::float8[], $2::text[], $3::int[], $4::int[]) AS u(h, r, n, s)
     ON CONFLICT (hour, rule_id) DO UPDATE SET
       hits = rollup_hour_rule.hits + EXCLUDED.hits,
       simulated = rollup_hour_rule.simulated + EXCLUDED.simulated`,
    [rows.map((x) => x.hour), rows.map((x) => x.ruleId), rows.map((x) => x.hits), rows.map((x) => x.simulated)],
  );
}

/**
 * [since, until) cut into whole hours [hoursFrom, hoursTo) and the partial edges [since, hoursFrom) and
 * [hoursTo, until). A range inside one hour is all edge (hoursFrom = hoursTo = until).
 */
export function hourSplit(since: number, until: number): { hoursFrom: number; hoursTo: number } {
  const hoursFrom = Math.ceil(since / HOUR_MS) * HOUR_MS;
  if (hoursFrom >= until) return { hoursFrom: until, hoursTo: until };
  return { hoursFrom, hoursTo: Math.max(hoursFrom, hourOf(until)) };
}

/**
 * SQL of the rows (rule_id, hour start in epoch seconds, hits, simulated) of [since, until): whole hours from the
 * rollup, the edges from the hits themselves. Parameters: $1 since, $2 until, $3 hoursFrom, $4 hoursTo (epoch ms,
 * see hourSplit); `rulesParam`, if given, names a text[] parameter the rules are restricted to.
 */
export function ruleHourRows(rulesParam?: string): string {
  const only = (column: string) => (rulesParam === undefined ? '' : ` AND ${column} = ANY(${rulesParam}::text[])`);
  const edge = (from: string, to: string) =>
    `SELECT h.rule_id, floor(extract(epoch FROM t.time) / 3600) * 3600, 1, h.simulated::int
     FROM threat_hits h JOIN threats t ON t.id = h.threat_id
     WHERE t.time >= to_timestamp(${from}::float8 / 1000) AND t.time < to_timestamp(${to}::float8 / 1000)${only('h.rule_id')}`;
  return `SELECT rule_id, extract(epoch FROM hour) AS hs, hits, simulated FROM rollup_hour_rule
     WHERE hour >= to_timestamp($3::float8 / 1000) AND hour < to_timestamp($4::float8 / 1000)${only('rule_id')}
     UNION ALL ${edge('$1', '$3')}
     UNION ALL ${edge('$4', '$2')}`;
}
