/**
 * The batch writer's part for the behaviour aggregates (migration 0010): one statement per table, rows as parallel
 * arrays through unnest(), merged on conflict (counts add, min/max and first/last widen, sketches OR, bounded lists
 * stay bounded). Runs inside the batch's transaction.
 */
import type { HttpEvent, ThreatEvent } from '../core/index.js';
import type { IpWindow } from '../detect/index.js';
import {
  aggregateAgents,
  aggregateBaselines,
  aggregateFeatures,
  aggregateScenarios,
  MAX_HOSTS,
  MAX_TARGETS,
  sketchHex,
  threatNetworks,
  type AgentRow,
  type BaselineRow,
  type FeatureRow,
  type ScenarioRow,
} from './behaviour-aggregates.js';
import { CASCADE_GAP_MS, CASCADE_PAGES_PER_IP, CascadeBudget, CascadeTrim, cascades, MAX_SUB_PATHS, type LeadingAssets, type PageView } from './cascade.js';
import type { SqlClient } from './types.js';

export interface BehaviourBatch {
  /** Requests the batch added (the insert's RETURNING). */
  events: readonly HttpEvent[];
  /** Threats the batch added. */
  threats: readonly ThreatEvent[];
  /** Every closed window of the batch (scenario evidence). */
  windows: readonly IpWindow[];
  /** The windows stored as rows (feature statistics and baselines). */
  stored: readonly IpWindow[];
}

/** What the writer remembers across batches: page views per IP and hour (the budget) and since the last trim. */
export interface CascadeState {
  budget: CascadeBudget;
  trim: CascadeTrim;
}

export function cascadeState(): CascadeState {
  return { budget: new CascadeBudget(), trim: new CascadeTrim() };
}

export async function writeBehaviour(tx: SqlClient, b: BehaviourBatch, state: CascadeState): Promise<void> {
  await upsertAgents(tx, aggregateAgents(b.events));
  const { pages: all, leading } = cascades(b.events);
  const pages = state.budget.admit(all);
  await extendCascades(tx, leading);
  await insertCascades(tx, pages);
  await trimCascades(tx, state.trim.due(pages));
  if (b.stored.length > 0) {
    await upsertFeatures(tx, aggregateFeatures(b.stored));
    await upsertBaselines(tx, aggregateBaselines(b.stored, threatNetworks(b.threats)));
  }
  await upsertScenarios(tx, aggregateScenarios(b.windows, b.threats));
}

async function upsertAgents(tx: SqlClient, rows: AgentRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO rollup_hour_agent (hour, host, kind, family, version, requests, ips)
     SELECT to_timestamp(h / 1000), host, kind, family, version, n, ('x' || ips)::bit(4096)
     FROM unnest($1::float8[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[]) AS u(h, host, kind, family, version, n, ips)
     ON CONFLICT (hour, kind, family, version, host) DO UPDATE SET
       requests = rollup_hour_agent.requests + EXCLUDED.requests,
       ips = rollup_hour_agent.ips | EXCLUDED.ips`,
    [
      rows.map((r) => r.hour),
      rows.map((r) => r.host),
      rows.map((r) => r.kind),
      rows.map((r) => r.family),
      rows.map((r) => r.version),
      rows.map((r) => r.requests),
      rows.map((r) => sketchHex(r.ips)),
    ],
  );
}

async function upsertFeatures(tx: SqlClient, rows: FeatureRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO rollup_hour_feature (hour, threat_level, feature, n, sum, sumsq, min, max, bins)
     SELECT to_timestamp(h / 1000), l, f, n, s, ss, mn, mx, b::int[]
     FROM unnest($1::float8[], $2::text[], $3::text[], $4::int[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::text[])
          AS u(h, l, f, n, s, ss, mn, mx, b)
     ON CONFLICT (hour, threat_level, feature) DO UPDATE SET
       n = rollup_hour_feature.n + EXCLUDED.n,
       sum = rollup_hour_feature.sum + EXCLUDED.sum,
       sumsq = rollup_hour_feature.sumsq + EXCLUDED.sumsq,
       min = LEAST(rollup_hour_feature.min, EXCLUDED.min),
       max = GREATEST(rollup_hour_feature.max, EXCLUDED.max),
       bins = ARRAY(SELECT coalesce(x, 0) + coalesce(y, 0)
                    FROM unnest(rollup_hour_feature.bins, EXCLUDED.bins) WITH ORDINALITY AS z(x, y, i) ORDER BY i)`,
    [
      rows.map((r) => r.hour),
      rows.map((r) => r.threatLevel),
      rows.map((r) => r.feature),
      rows.map((r) => r.n),
      rows.map((r) => r.sum),
      rows.map((r) => r.sumsq),
      rows.map((r) => r.min),
      rows.map((r) => r.max),
      rows.map((r) => `{${r.bins.join(',')}}`),
    ],
  );
}

async function upsertBaselines(tx: SqlClient, rows: BaselineRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO behaviour_baseline_day (day, baseline, feature, n, sum, sumsq, min, max)
     SELECT to_timestamp(d / 1000), b, f, n, s, ss, mn, mx
     FROM unnest($1::float8[], $2::text[], $3::text[], $4::int[], $5::float8[], $6::float8[], $7::float8[], $8::float8[])
          AS u(d, b, f, n, s, ss, mn, mx)
     ON CONFLICT (day, baseline, feature) DO UPDATE SET
       n = behaviour_baseline_day.n + EXCLUDED.n,
       sum = behaviour_baseline_day.sum + EXCLUDED.sum,
       sumsq = behaviour_baseline_day.sumsq + EXCLUDED.sumsq,
       min = LEAST(behaviour_baseline_day.min, EXCLUDED.min),
       max = GREATEST(behaviour_baseline_day.max, EXCLUDED.max)`,
    [
      rows.map((r) => r.day),
      rows.map((r) => r.baseline),
      rows.map((r) => r.feature),
      rows.map((r) => r.n),
      rows.map((r) => r.sum),
      rows.map((r) => r.sumsq),
      rows.map((r) => r.min),
      rows.map((r) => r.max),
    ],
  );
}

/** Merges two bounded text arrays: old entries first, no duplicates, at most `max`. */
const mergeList = (column: string, max: number) =>
  `ARRAY(SELECT v FROM unnest(ip_scenario_hour.${column} || EXCLUDED.${column}) WITH ORDINALITY AS z(v, i)
         GROUP BY v ORDER BY min(i) LIMIT ${max})`;

async function upsertScenarios(tx: SqlClient, rows: ScenarioRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO ip_scenario_hour (scenario, hour, ip, windows, events, hits, first_seen, last_seen, max_user_agents, max_ja4s, targets, hosts)
     SELECT s, to_timestamp(h / 1000), ip, w, e, hits, to_timestamp(f / 1000), to_timestamp(l / 1000), ua, ja,
            ARRAY(SELECT jsonb_array_elements_text(t::jsonb)), ARRAY(SELECT jsonb_array_elements_text(ho::jsonb))
     FROM unnest($1::text[], $2::float8[], $3::text[], $4::int[], $5::int[], $6::int8[], $7::float8[], $8::float8[],
                 $9::int[], $10::int[], $11::text[], $12::text[]) AS u(s, h, ip, w, e, hits, f, l, ua, ja, t, ho)
     ON CONFLICT (scenario, hour, ip) DO UPDATE SET
       windows = ip_scenario_hour.windows + EXCLUDED.windows,
       events = ip_scenario_hour.events + EXCLUDED.events,
       hits = ip_scenario_hour.hits + EXCLUDED.hits,
       first_seen = LEAST(ip_scenario_hour.first_seen, EXCLUDED.first_seen),
       last_seen = GREATEST(ip_scenario_hour.last_seen, EXCLUDED.last_seen),
       max_user_agents = GREATEST(ip_scenario_hour.max_user_agents, EXCLUDED.max_user_agents),
       max_ja4s = GREATEST(ip_scenario_hour.max_ja4s, EXCLUDED.max_ja4s),
       targets = ${mergeList('targets', MAX_TARGETS)},
       hosts = ${mergeList('hosts', MAX_HOSTS)}`,
    [
      rows.map((r) => r.scenario),
      rows.map((r) => r.hour),
      rows.map((r) => r.ip),
      rows.map((r) => r.windows),
      rows.map((r) => r.events),
      rows.map((r) => r.hits),
      rows.map((r) => r.firstSeen),
      rows.map((r) => r.lastSeen),
      rows.map((r) => r.maxUserAgents),
      rows.map((r) => r.maxJa4s),
      rows.map((r) => JSON.stringify(r.targets)),
      rows.map((r) => JSON.stringify(r.hosts)),
    ],
  );
}

async function insertCascades(tx: SqlClient, pages: PageView[]): Promise<void> {
  if (pages.length === 0) return;
  await tx.query(
    `INSERT INTO ip_cascade (ip, page_time, page_id, host, path, status, sub_count, sub_paths, last_time)
     SELECT ip, to_timestamp(t / 1000), id, host, path, status, n, ARRAY(SELECT jsonb_array_elements_text(p::jsonb)), to_timestamp(l / 1000)
     FROM unnest($1::text[], $2::float8[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::text[], $9::float8[])
          AS u(ip, t, id, host, path, status, n, p, l)
     ON CONFLICT (ip, page_time, page_id) DO NOTHING`,
    [
      pages.map((p) => p.ip),
      pages.map((p) => p.time),
      pages.map((p) => p.id),
      pages.map((p) => p.host),
      pages.map((p) => p.path),
      pages.map((p) => p.status),
      pages.map((p) => p.subCount),
      pages.map((p) => JSON.stringify(p.subPaths)),
      pages.map((p) => p.lastTime),
    ],
  );
}

/** The IPs due (see CascadeTrim) keep their latest CASCADE_PAGES_PER_IP page views: one index probe each. */
async function trimCascades(tx: SqlClient, ips: string[]): Promise<void> {
  if (ips.length === 0) return;
  await tx.query(
    `DELETE FROM ip_cascade c
     USING (SELECT u.ip, (SELECT page_time FROM ip_cascade WHERE ip = u.ip ORDER BY page_time DESC OFFSET $2 LIMIT 1) AS cut
            FROM unnest($1::text[]) AS u(ip)) k
     WHERE k.cut IS NOT NULL AND c.ip = k.ip AND c.page_time <= k.cut`,
    [ips, CASCADE_PAGES_PER_IP],
  );
}

/** Assets at the start of a batch join the IP's latest stored page view when they follow it closely enough. */
async function extendCascades(tx: SqlClient, leading: LeadingAssets[]): Promise<void> {
  if (leading.length === 0) return;
  await tx.query(
    `UPDATE ip_cascade c SET
       sub_count = c.sub_count + u.n,
       last_time = GREATEST(c.last_time, to_timestamp(u.l / 1000)),
       sub_paths = ARRAY(SELECT v FROM unnest(c.sub_paths || ARRAY(SELECT jsonb_array_elements_text(u.p::jsonb)))
                         WITH ORDINALITY AS z(v, i) GROUP BY v ORDER BY min(i) LIMIT ${MAX_SUB_PATHS})
     FROM unnest($1::text[], $2::float8[], $3::float8[], $4::int[], $5::text[]) AS u(ip, f, l, n, p)
     WHERE c.ip = u.ip
       AND (c.page_time, c.page_id) = (SELECT page_time, page_id FROM ip_cascade WHERE ip = u.ip ORDER BY page_time DESC, page_id DESC LIMIT 1)
       AND to_timestamp(u.f / 1000) >= c.page_time
       AND to_timestamp(u.f / 1000) <= c.last_time + make_interval(secs => $6::float8 / 1000)`,
    [
      leading.map((a) => a.ip),
      leading.map((a) => a.firstTime),
      leading.map((a) => a.lastTime),
      leading.map((a) => a.count),
      leading.map((a) => JSON.stringify(a.paths)),
      CASCADE_GAP_MS,
    ],
  );
}
