/**
 * Behaviour analytics (issue #11), read from what ingest keeps (migration 0010, behaviour-writes.ts): client
 * families, feature statistics, the IPs behind each behaviour scenario, page-view cascades and the radar's
 * baselines. Every query is bound by its primary key or an index and a LIMIT; sort keys are whitelisted SQL, every
 * value a parameter.
 */
import { BadRequestError } from '../core/index.js';
import { THREAT_LEVELS, type ThreatLevel } from '../detect/index.js';
import { BASELINES, estimateDistinct, HOUR_MS, DAY_MS, type Baseline } from './behaviour-aggregates.js';
import { CASCADE_PAGES_PER_IP } from './cascade.js';
import { named } from './errors.js';
import { checkPage, orderBy } from './page.js';
import { ip as boundIp } from './sanitize.js';
import type { SqlClient } from './types.js';
import { mean, percentile, stddev, WINDOW_FEATURES, type FeatureMoments, type WindowFeature } from './window-features.js';

export const AGENT_SORTS = ['requests', 'ips', 'family'] as const;
export type AgentSort = (typeof AGENT_SORTS)[number];
export const USER_AGENT_KINDS = ['browser', 'bot', 'tool', 'other', 'none'] as const;
export type UserAgentKindName = (typeof USER_AGENT_KINDS)[number];

export interface AgentQuery {
  since: number;
  until: number;
  /** `ja4` for fingerprints, user-agent kinds otherwise. */
  kinds: readonly string[];
  host?: string;
  /** Substring of the family, matched literally. */
  family?: string;
  sort: AgentSort;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
  /** Versions (or fingerprints) listed per family, busiest first. */
  versions: number;
}

export interface AgentCount {
  requests: number;
  /** Distinct IPs, estimated (linear counting over a 4096-bit sketch). */
  ips: number;
}

export interface AgentFamily extends AgentCount {
  kind: string;
  family: string;
  versions: (AgentCount & { version: string })[];
}

export interface AgentPage {
  items: AgentFamily[];
  total: number;
  byKind: Record<string, AgentCount>;
}

export interface FeatureStats {
  count: number;
  mean: number | null;
  stddev: number | null;
  min: number | null;
  max: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  /** Window counts per histogram bin (bounds from window-features.ts binBounds). */
  bins: number[];
}

export interface FeatureSummary {
  feature: WindowFeature;
  all: FeatureStats;
  byThreatLevel: Partial<Record<ThreatLevel, FeatureStats>>;
}

export interface SamplePoint {
  ip: string;
  start: number;
  threatLevel: ThreatLevel;
  x: number;
  y: number;
}

export const SCENARIO_IP_SORTS = ['last_seen', 'first_seen', 'windows', 'events', 'hits', 'hours', 'user_agents', 'ja4s', 'ip'] as const;
export type ScenarioIpSort = (typeof SCENARIO_IP_SORTS)[number];

export interface ScenarioIpQuery {
  since: number;
  until: number;
  host?: string;
  ip?: string;
  sort: ScenarioIpSort;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

export interface ScenarioIp {
  ip: string;
  /** Windows in which the scenario tripped: for recurrence, how many times the IP came back. */
  windows: number;
  /** Flagged events naming the scenario. */
  events: number;
  /** Requests of those windows. */
  hits: number;
  /** Hours with activity of the scenario. */
  hours: number;
  firstSeen: number;
  lastSeen: number;
  /** Most distinct user agents / JA4s in one of those windows. */
  maxUserAgents: number;
  maxJa4s: number;
  /** A few paths of the flagged events, and their hosts. */
  targets: string[];
  hosts: string[];
  /**
   * Every scenario the IP tripped in the range (this one included): windows in which it tripped, and flagged events
   * naming it (the keyed scenarios, such as user-enumeration, have events and no windows).
   */
  scenarios: Record<string, { windows: number; events: number }>;
}

export interface CascadePage {
  time: number;
  id: string;
  host: string | null;
  path: string;
  status: number;
  subresources: number;
  subresourcePaths: string[];
  /** Milliseconds from the page to its last sub-resource (0 without any). */
  spanMs: number;
}

export interface Cascade {
  ip: string;
  pages: CascadePage[];
  /** Over the pages listed. */
  summary: { pages: number; withSubresources: number; subresources: number };
}

export interface BaselineStats {
  windows: number;
  mean: number | null;
  stddev: number | null;
  min: number | null;
  max: number | null;
}

export interface RadarAxis {
  feature: WindowFeature;
  /** Mean over the IP's stored windows in the range, null when it has none with the feature. */
  value: number | null;
  baselines: Record<Baseline, BaselineStats & { z: number | null; score: number | null }>;
}

export interface Radar {
  ip: string;
  windows: number;
  axes: RadarAxis[];
}

const MAX_VERSIONS = 50;
/** The scatter samples among at most this many of the latest windows in the range. */
export const SAMPLE_POOL = 20_000;
export const MAX_SAMPLE_POINTS = 5_000;
const MAX_LIST = 10;

export class BehaviourRepository {
  constructor(private readonly sql: SqlClient) {}

  /** Client families (user agents or JA4) over [since, until), with their busiest versions. */
  agents(q: AgentQuery): Promise<AgentPage> {
    return named('agents', () => agents(this.sql, q));
  }

  /** Statistics of each window feature over [since, until), overall and per threat level. */
  features(since: number, until: number, threatLevels?: readonly ThreatLevel[]): Promise<FeatureSummary[]> {
    return named('features', () => features(this.sql, since, until, threatLevels));
  }

  /** Up to `points` windows, sampled deterministically among the latest SAMPLE_POOL windows in the range. */
  sample(since: number, until: number, x: WindowFeature, y: WindowFeature, points: number, threatLevels?: readonly ThreatLevel[]): Promise<SamplePoint[]> {
    return named('behaviourSample', () => sample(this.sql, since, until, x, y, points, threatLevels));
  }

  /** The IPs behind one behaviour scenario, with the evidence. */
  scenarioIps(scenario: string, q: ScenarioIpQuery): Promise<{ items: ScenarioIp[]; total: number }> {
    return named('scenarioIps', () => scenarioIps(this.sql, scenario, q));
  }

  /** The IP's latest page views in the range with the sub-resources that followed each. */
  cascade(ip: string, since: number, until: number, limit: number, host?: string): Promise<Cascade> {
    return named('cascade', () => cascade(this.sql, ip, since, until, limit, host));
  }

  /** The IP's mean features against the two baselines kept by ingest. */
  radar(ip: string, since: number, until: number): Promise<Radar> {
    return named('radar', () => radar(this.sql, ip, since, until));
  }

  /** Deletes aggregates older than `before` (retention, with requests). */
  prune(before: number): Promise<void> {
    return named('pruneBehaviour', () => prune(this.sql, before));
  }
}

const hourFloor = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;
const ts = (n: number): string => `to_timestamp($${n}::float8 / 1000)`;
const ms = (column: string): string => `(extract(epoch FROM ${column}) * 1000)::float8`;
const ZEROS = `length(replace(bit_or(ips)::text, '1', ''))`;

/** LIKE pattern matching `s` literally. */
function literalLike(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const AGENT_SORT_SQL: Record<AgentSort, string> = {
  requests: 'requests',
  ips: `(-${ZEROS})`,
  family: 'family COLLATE "C"',
};

async function agents(sql: SqlClient, q: AgentQuery): Promise<AgentPage> {
  checkPage(q.limit, q.offset);
  const { sort, order } = orderBy(AGENT_SORT_SQL, q.sort, q.order);
  const versions = Math.min(MAX_VERSIONS, Math.max(0, Math.trunc(q.versions)));
  const params: unknown[] = [hourFloor(q.since), q.until, q.kinds];
  let where = `hour >= ${ts(1)} AND hour < ${ts(2)} AND kind = ANY($3::text[])`;
  if (q.host !== undefined) {
    params.push(q.host.toLowerCase());
    where += ` AND host = $${params.length}`;
  }
  const kindWhere = where;
  const kindParams = [...params];
  if (q.family !== undefined) {
    params.push(literalLike(q.family));
    where += ` AND family ILIKE $${params.length}`;
  }
  const [page, count, kinds] = await Promise.all([
    sql.query<{ kind: string; family: string; requests: number; zeros: number }>(
      `SELECT kind, family, sum(requests)::float8 AS requests, ${ZEROS} AS zeros
       FROM rollup_hour_agent WHERE ${where} GROUP BY kind, family
       ORDER BY ${sort} ${order}, kind, family COLLATE "C" LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit, q.offset],
    ),
    sql.query<{ n: number }>(`SELECT count(*)::float8 AS n FROM (SELECT 1 FROM rollup_hour_agent WHERE ${where} GROUP BY kind, family) g`, params),
    sql.query<{ kind: string; requests: number; zeros: number }>(
      `SELECT kind, sum(requests)::float8 AS requests, ${ZEROS} AS zeros FROM rollup_hour_agent WHERE ${kindWhere} GROUP BY kind`,
      kindParams,
    ),
  ]);
  const items: AgentFamily[] = page.rows.map((r) => ({ kind: r.kind, family: r.family, requests: r.requests, ips: estimateDistinct(r.zeros), versions: [] }));
  if (items.length > 0 && versions > 0) {
    const { rows } = await sql.query<{ kind: string; family: string; version: string; requests: number; zeros: number }>(
      `SELECT kind, family, version, sum(requests)::float8 AS requests, ${ZEROS} AS zeros
       FROM rollup_hour_agent
       WHERE ${where} AND (kind, family) IN (SELECT k, f FROM unnest($${params.length + 1}::text[], $${params.length + 2}::text[]) AS p(k, f))
       GROUP BY kind, family, version ORDER BY requests DESC, version COLLATE "C"`,
      [...params, items.map((i) => i.kind), items.map((i) => i.family)],
    );
    const byFamily = new Map(items.map((i) => [`${i.kind}\t${i.family}`, i]));
    for (const r of rows) {
      const item = byFamily.get(`${r.kind}\t${r.family}`);
      if (item && item.versions.length < versions) item.versions.push({ version: r.version, requests: r.requests, ips: estimateDistinct(r.zeros) });
    }
  }
  const byKind: Record<string, AgentCount> = {};
  for (const r of kinds.rows) byKind[r.kind] = { requests: r.requests, ips: estimateDistinct(r.zeros) };
  return { items, total: count.rows[0]?.n ?? 0, byKind };
}

function checkLevels(levels: readonly string[] | undefined): void {
  for (const l of levels ?? []) {
    if (!(THREAT_LEVELS as readonly string[]).includes(l)) throw new BadRequestError(`threat level must be one of ${THREAT_LEVELS.join(', ')}`, 'threat_level');
  }
}

function checkFeature(f: string, name: string): asserts f is WindowFeature {
  if (!(WINDOW_FEATURES as readonly string[]).includes(f)) throw new BadRequestError(`${name} must be one of ${WINDOW_FEATURES.join(', ')}`, name);
}

async function features(sql: SqlClient, since: number, until: number, levels?: readonly ThreatLevel[]): Promise<FeatureSummary[]> {
  checkLevels(levels);
  const params: unknown[] = [hourFloor(since), until];
  let where = `hour >= ${ts(1)} AND hour < ${ts(2)}`;
  if (levels?.length) {
    params.push(levels);
    where += ` AND threat_level = ANY($3::text[])`;
  }
  const [moments, bins] = await Promise.all([
    sql.query<{ threat_level: ThreatLevel; feature: WindowFeature } & FeatureMoments>(
      `SELECT threat_level, feature, sum(n)::float8 AS n, sum(sum)::float8 AS sum, sum(sumsq)::float8 AS sumsq,
              min(min)::float8 AS min, max(max)::float8 AS max
       FROM rollup_hour_feature WHERE ${where} GROUP BY threat_level, feature`,
      params,
    ),
    sql.query<{ threat_level: ThreatLevel; feature: WindowFeature; i: number; c: number }>(
      `SELECT threat_level, feature, i::int AS i, sum(b)::float8 AS c
       FROM rollup_hour_feature, unnest(bins) WITH ORDINALITY AS u(b, i)
       WHERE ${where} GROUP BY threat_level, feature, i`,
      params,
    ),
  ]);
  type Acc = FeatureMoments & { bins: number[] };
  const acc = new Map<string, Acc>();
  const get = (level: string, feature: string): Acc => {
    const key = `${level} ${feature}`;
    let a = acc.get(key);
    if (!a) acc.set(key, (a = { n: 0, sum: 0, sumsq: 0, min: Infinity, max: -Infinity, bins: [] }));
    return a;
  };
  const merge = (a: Acc, m: FeatureMoments) => {
    a.n += m.n;
    a.sum += m.sum;
    a.sumsq += m.sumsq;
    a.min = Math.min(a.min, m.min);
    a.max = Math.max(a.max, m.max);
  };
  for (const r of moments.rows) {
    if (!(WINDOW_FEATURES as readonly string[]).includes(r.feature)) continue;
    merge(get(r.threat_level, r.feature), r);
    merge(get('*', r.feature), r);
  }
  for (const r of bins.rows) {
    for (const level of [r.threat_level, '*']) {
      const a = get(level, r.feature);
      while (a.bins.length < r.i) a.bins.push(0);
      a.bins[r.i - 1]! += r.c;
    }
  }
  const stats = (feature: WindowFeature, a: Acc | undefined): FeatureStats => {
    if (!a || a.n === 0) return { count: 0, mean: null, stddev: null, min: null, max: null, p50: null, p90: null, p95: null, p99: null, bins: a?.bins ?? [] };
    const p = (q: number) => percentile(feature, a.bins, q, a.min, a.max);
    return { count: a.n, mean: mean(a), stddev: stddev(a), min: a.min, max: a.max, p50: p(0.5), p90: p(0.9), p95: p(0.95), p99: p(0.99), bins: a.bins };
  };
  return WINDOW_FEATURES.map((feature) => {
    const byThreatLevel: FeatureSummary['byThreatLevel'] = {};
    for (const level of THREAT_LEVELS) {
      const a = acc.get(`${level} ${feature}`);
      if (a && a.n > 0) byThreatLevel[level] = stats(feature, a);
    }
    return { feature, all: stats(feature, acc.get(`* ${feature}`)), byThreatLevel };
  });
}

async function sample(
  sql: SqlClient,
  since: number,
  until: number,
  x: string,
  y: string,
  points: number,
  levels?: readonly ThreatLevel[],
): Promise<SamplePoint[]> {
  checkFeature(x, 'x');
  checkFeature(y, 'y');
  checkLevels(levels);
  if (!Number.isInteger(points) || points < 0 || points > MAX_SAMPLE_POINTS) {
    throw new BadRequestError(`points must be an integer from 0 to ${MAX_SAMPLE_POINTS}`, 'points');
  }
  const params: unknown[] = [since, until, SAMPLE_POOL, points];
  let where = `window_start >= ${ts(1)} AND window_start < ${ts(2)}`;
  if (levels?.length) {
    params.push(levels);
    where += ` AND threat_level = ANY($5::text[])`;
  }
  // x and y are whitelisted column names (checkFeature). The pool is index-bound (window_start) and limited; the
  // sample is the pool's rows with the smallest hash of (ip, start): the same data gives the same points.
  const { rows } = await sql.query<{ ip: string; start: number; threat_level: ThreatLevel; x: number; y: number }>(
    `SELECT ip, start, threat_level, x, y FROM (
       SELECT ip, ${ms('window_start')} AS start, threat_level, ${x}::float8 AS x, ${y}::float8 AS y
       FROM ip_windows WHERE ${where} AND ${x} IS NOT NULL AND ${y} IS NOT NULL
       ORDER BY window_start DESC LIMIT $3) pool
     ORDER BY md5(ip || ':' || start::text), ip COLLATE "C", start LIMIT $4`,
    params,
  );
  return rows.map((r) => ({ ip: r.ip, start: Math.round(r.start), threatLevel: r.threat_level, x: r.x, y: r.y }));
}

const SCENARIO_SORT_SQL: Record<ScenarioIpSort, string> = {
  last_seen: 'last_seen',
  first_seen: 'first_seen',
  windows: 'windows',
  events: 'events',
  hits: 'hits',
  hours: 'hours',
  user_agents: 'max_user_agents',
  ja4s: 'max_ja4s',
  ip: 'ip COLLATE "C"',
};

async function scenarioIps(sql: SqlClient, scenario: string, q: ScenarioIpQuery): Promise<{ items: ScenarioIp[]; total: number }> {
  checkPage(q.limit, q.offset);
  const { sort, order } = orderBy(SCENARIO_SORT_SQL, q.sort, q.order);
  const params: unknown[] = [scenario, hourFloor(q.since), q.until];
  let where = `scenario = $1 AND hour >= ${ts(2)} AND hour < ${ts(3)}`;
  if (q.host !== undefined) {
    params.push(q.host.toLowerCase());
    where += ` AND $${params.length} = ANY(hosts)`;
  }
  if (q.ip !== undefined) {
    params.push(boundIp(q.ip));
    where += ` AND ip = $${params.length}`;
  }
  const [page, count] = await Promise.all([
    sql.query<{ ip: string; windows: number; events: number; hits: number; hours: number; first_seen: number; last_seen: number; max_user_agents: number; max_ja4s: number }>(
      `SELECT ip, windows, events, hits, hours, ${ms('first_seen')} AS first_seen, ${ms('last_seen')} AS last_seen, max_user_agents, max_ja4s
       FROM (SELECT ip, sum(windows)::float8 AS windows, sum(events)::float8 AS events, sum(hits)::float8 AS hits,
                    count(*)::float8 AS hours, min(first_seen) AS first_seen, max(last_seen) AS last_seen,
                    max(max_user_agents)::float8 AS max_user_agents, max(max_ja4s)::float8 AS max_ja4s
             FROM ip_scenario_hour WHERE ${where} GROUP BY ip) g
       ORDER BY ${sort} ${order}, ip COLLATE "C" ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit, q.offset],
    ),
    sql.query<{ n: number }>(`SELECT count(DISTINCT ip)::float8 AS n FROM ip_scenario_hour WHERE ${where}`, params),
  ]);
  const items: ScenarioIp[] = page.rows.map((r) => ({
    ip: r.ip,
    windows: r.windows,
    events: r.events,
    hits: r.hits,
    hours: r.hours,
    firstSeen: Math.round(r.first_seen),
    lastSeen: Math.round(r.last_seen),
    maxUserAgents: r.max_user_agents,
    maxJa4s: r.max_ja4s,
    targets: [],
    hosts: [],
    scenarios: {},
  }));
  if (items.length === 0) return { items, total: count.rows[0]?.n ?? 0 };
  const ips = items.map((i) => i.ip);
  // The page's evidence: bounded by the page's IPs (ip index) and the range.
  const [lists, others] = await Promise.all([
    sql.query<{ ip: string; targets: string[]; hosts: string[] }>(
      `SELECT ip, targets, hosts FROM ip_scenario_hour WHERE ${where} AND ip = ANY($${params.length + 1}::text[]) ORDER BY hour DESC`,
      [...params, ips],
    ),
    sql.query<{ ip: string; scenario: string; windows: number; events: number }>(
      `SELECT ip, scenario, sum(windows)::float8 AS windows, sum(events)::float8 AS events FROM ip_scenario_hour
       WHERE ip = ANY($1::text[]) AND hour >= ${ts(2)} AND hour < ${ts(3)} GROUP BY ip, scenario ORDER BY scenario`,
      [ips, hourFloor(q.since), q.until],
    ),
  ]);
  const byIp = new Map(items.map((i) => [i.ip, i]));
  for (const r of lists.rows) {
    const item = byIp.get(r.ip)!;
    for (const t of r.targets) if (item.targets.length < MAX_LIST && !item.targets.includes(t)) item.targets.push(t);
    for (const h of r.hosts) if (item.hosts.length < MAX_LIST && !item.hosts.includes(h)) item.hosts.push(h);
  }
  for (const r of others.rows) byIp.get(r.ip)!.scenarios[r.scenario] = { windows: r.windows, events: r.events };
  return { items, total: count.rows[0]?.n ?? 0 };
}

async function cascade(sql: SqlClient, rawIp: string, since: number, until: number, limit: number, host?: string): Promise<Cascade> {
  checkPage(limit, 0);
  const key = boundIp(rawIp);
  const params: unknown[] = [key, since, until, Math.min(limit, CASCADE_PAGES_PER_IP)];
  let where = `ip = $1 AND page_time >= ${ts(2)} AND page_time < ${ts(3)}`;
  if (host !== undefined) {
    params.push(host.toLowerCase());
    where += ` AND host = $5`;
  }
  const { rows } = await sql.query<{ time: number; page_id: string; host: string | null; path: string; status: number; sub_count: number; sub_paths: string[]; last: number }>(
    `SELECT ${ms('page_time')} AS time, page_id, host, path, status, sub_count, sub_paths, ${ms('last_time')} AS last
     FROM ip_cascade WHERE ${where} ORDER BY page_time DESC, page_id DESC LIMIT $4`,
    params,
  );
  const pages: CascadePage[] = rows.map((r) => ({
    time: Math.round(r.time),
    id: r.page_id,
    host: r.host,
    path: r.path,
    status: r.status,
    subresources: r.sub_count,
    subresourcePaths: r.sub_paths,
    spanMs: Math.max(0, Math.round(r.last - r.time)),
  }));
  return {
    ip: key,
    pages,
    summary: {
      pages: pages.length,
      withSubresources: pages.filter((p) => p.subresources > 0).length,
      subresources: pages.reduce((n, p) => n + p.subresources, 0),
    },
  };
}

async function radar(sql: SqlClient, rawIp: string, since: number, until: number): Promise<Radar> {
  const key = boundIp(rawIp);
  const dayFloor = Math.floor(since / DAY_MS) * DAY_MS;
  const avg = WINDOW_FEATURES.map((f) => `avg(${f})::float8 AS ${f}`).join(', ');
  const [own, base] = await Promise.all([
    sql.query<Record<string, number | null> & { windows: number }>(
      `SELECT count(*)::float8 AS windows, ${avg} FROM ip_windows
       WHERE ip = $1 AND window_start >= ${ts(2)} AND window_start < ${ts(3)}`,
      [key, since, until],
    ),
    sql.query<{ baseline: Baseline; feature: WindowFeature } & FeatureMoments>(
      `SELECT baseline, feature, sum(n)::float8 AS n, sum(sum)::float8 AS sum, sum(sumsq)::float8 AS sumsq,
              min(min)::float8 AS min, max(max)::float8 AS max
       FROM behaviour_baseline_day WHERE day >= ${ts(1)} AND day < ${ts(2)} GROUP BY baseline, feature`,
      [dayFloor, until],
    ),
  ]);
  const row = own.rows[0] ?? { windows: 0 };
  const moments = new Map(base.rows.map((r) => [`${r.baseline} ${r.feature}`, r]));
  const axes: RadarAxis[] = WINDOW_FEATURES.map((feature) => {
    const raw = row[feature];
    const value = typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
    const baselines = {} as RadarAxis['baselines'];
    for (const b of BASELINES) {
      const m = moments.get(`${b} ${feature}`);
      const mu = m ? mean(m) : null;
      const sd = m ? stddev(m) : null;
      const z = value === null || mu === null || sd === null ? null : sd > 0 ? (value - mu) / sd : value === mu ? 0 : Math.sign(value - mu) * 3;
      baselines[b] = {
        windows: m?.n ?? 0,
        mean: mu,
        stddev: sd,
        min: m?.min ?? null,
        max: m?.max ?? null,
        z,
        // 0.5 is the baseline's mean; 0 and 1 are three standard deviations below and above.
        score: z === null ? null : Math.min(1, Math.max(0, 0.5 + z / 6)),
      };
    }
    return { feature, value, baselines };
  });
  return { ip: key, windows: row.windows ?? 0, axes };
}

async function prune(sql: SqlClient, before: number): Promise<void> {
  const p = [before];
  await sql.query(`DELETE FROM rollup_hour_agent WHERE hour < ${ts(1)}`, p);
  await sql.query(`DELETE FROM rollup_hour_feature WHERE hour < ${ts(1)}`, p);
  await sql.query(`DELETE FROM behaviour_baseline_day WHERE day < ${ts(1)}`, p);
  await sql.query(`DELETE FROM ip_scenario_hour WHERE hour < ${ts(1)}`, p);
  await sql.query(`DELETE FROM ip_cascade WHERE page_time < ${ts(1)}`, p);
}
