/**
 * SOC aggregates (issue #11) answered from rollups: the hourly site and attacking-IP rollups of migration 0009
 * (analytics-rollups.ts) and the minute rollups of 0001. None reads raw requests; the few that read threats
 * (statistics per site) go through the (host, time) index over a bounded window.
 *
 * Resolution: hourly rollups count an hour when it overlaps [since, until) (its start ≥ since rounded down to the
 * hour and < until); totals without a site read the minute rollups, as /api/stats does.
 */
import { SEVERITIES, SEVERITY_SCORE, type Category, type Severity } from '../core/index.js';
import { onlyFilters, type AnalyticsFilter } from './analytics-filter.js';
import { hourOf, readGeneration, type GenerationMark } from './analytics-rollups.js';
import { named } from './errors.js';
import { minuteOf } from './rollups.js';
import { ip as boundIp, text } from './sanitize.js';
import { categoryCounts } from './rollup-repository.js';
import { topRules } from './threat-repository.js';
import type { SqlClient, TopEntry } from './types.js';

export interface Window {
  since: number;
  until: number;
}

export type SeverityCounts = Record<Severity, number>;

export interface OverviewTotals {
  requests: number;
  threats: number;
  uniqueIps: number;
  bySeverity: SeverityCounts;
}

export interface TopAttacker {
  ip: string;
  threats: number;
  high: number;
  critical: number;
  maxScore: number;
  worstSeverity: Severity;
  country: string | null;
  asn: number | null;
  asOrg: string | null;
}

export interface HourPoint {
  hour: number;
  requests: number;
  threats: number;
  bySeverity: SeverityCounts;
}

export interface HeatCell {
  /** 0 = Sunday … 6 = Saturday (UTC). */
  dow: number;
  hour: number;
  requests: number;
  threats: number;
}

export interface GeoRow {
  key: string | null;
  name: string | null;
  threats: number;
  high: number;
  critical: number;
  ips: number;
  worstSeverity: Severity | null;
}

export interface MapPoint {
  lat: number;
  lon: number;
  count: number;
  ips: number;
  worstSeverity: Severity;
}

export interface Recurrence {
  threatHours: number;
  threatDays: number;
  firstThreat: number | null;
  lastThreat: number | null;
  windows: number;
  windowDays: number;
}

const SEVERITY_BY_SCORE = new Map<number, Severity>(SEVERITIES.map((s) => [SEVERITY_SCORE[s], s]));
/** The worst severity of a max(severity_score); null for none. */
export function severityOfScore(n: number | null): Severity | null {
  if (n === null) return null;
  let best: Severity | null = null;
  for (const s of SEVERITIES) if (SEVERITY_SCORE[s] <= n) best = s;
  return SEVERITY_BY_SCORE.get(n) ?? best;
}

const MAX_TOP = 100;
const MAX_POINTS = 5000;
const SEV_SUMS = SEVERITIES.map((s) => `coalesce(sum(${s}), 0)::float8 AS ${s}`).join(', ');

/** Conditions on rollup_hour_threat_ip for the filters it keeps (host, ip, country, asn, as_org). */
function ipRollupWhere(w: Window, f: AnalyticsFilter, params: unknown[]): string {
  const p = (v: unknown) => `$${params.push(v)}`;
  const conds = [`hour >= to_timestamp(${p(hourOf(w.since))}::float8 / 1000)`, `hour < to_timestamp(${p(w.until)}::float8 / 1000)`];
  if (f.host !== undefined) conds.push(`host = ${p(text(f.host))}`);
  if (f.ip !== undefined) conds.push(f.ip.single ? `ip = ${p(boundIp(f.ip.cidr))}` : `rampart_inet(ip) <<= ${p(f.ip.cidr)}::inet`);
  if (f.country !== undefined) conds.push(`country = ANY(${p(f.country)}::text[])`);
  if (f.asn !== undefined) conds.push(`asn = ANY(${p(f.asn)}::bigint[])`);
  if (f.as_org !== undefined) conds.push(`as_org ILIKE '%' || ${p(text(f.as_org).replace(/[\\%_]/g, (c) => '\\' + c))} || '%' ESCAPE '\\'`);
  return conds.join(' AND ');
}

function siteWhere(w: Window, host: string | undefined, params: unknown[]): string {
  const p = (v: unknown) => `$${params.push(v)}`;
  const conds = [`hour >= to_timestamp(${p(hourOf(w.since))}::float8 / 1000)`, `hour < to_timestamp(${p(w.until)}::float8 / 1000)`];
  if (host !== undefined) conds.push(`host = ${p(text(host))}`);
  return conds.join(' AND ');
}

const IP_FILTERS = ['host', 'ip', 'country', 'asn', 'as_org'] as const;

export class AnalyticsRepository {
  constructor(private readonly sql: SqlClient) {}

  /** Moves whenever a batch adds threats, and at most once a second for requests: the cache key of every aggregate. */
  async generation(): Promise<number> {
    return (await this.generationMark()).generation;
  }

  /** The generation and how long an answer computed now may be kept (analytics-rollups.ts). */
  generationMark(): Promise<GenerationMark> {
    return named('analyticsGeneration', () => readGeneration(this.sql));
  }

  totals(w: Window, f: AnalyticsFilter): Promise<OverviewTotals> {
    onlyFilters(f, ['host'], '/api/overview');
    return named('analyticsTotals', () => totals(this.sql, w, f.host));
  }

  topAttackers(w: Window, f: AnalyticsFilter, limit = 10): Promise<TopAttacker[]> {
    onlyFilters(f, IP_FILTERS, 'this aggregate');
    return named('topAttackers', async () => {
      const params: unknown[] = [];
      const where = ipRollupWhere(w, f, params);
      const { rows } = await this.sql.query<{ ip: string; threats: number; high: number; critical: number; ms: number; mv: number; country: string | null; asn: number | null; as_org: string | null }>(
        `SELECT ip, sum(threats)::float8 AS threats, sum(high)::float8 AS high, sum(critical)::float8 AS critical,
                max(max_score)::float8 AS ms, max(max_severity)::float8 AS mv,
                max(country) AS country, max(asn)::float8 AS asn, max(as_org) AS as_org
         FROM rollup_hour_threat_ip WHERE ${where}
         GROUP BY ip ORDER BY threats DESC, ms DESC, ip COLLATE "C" LIMIT ${Math.min(Math.max(1, limit), MAX_TOP)}`,
        params,
      );
      return rows.map((r) => ({
        ip: r.ip,
        threats: r.threats,
        high: r.high,
        critical: r.critical,
        maxScore: r.ms,
        worstSeverity: severityOfScore(r.mv) ?? 'info',
        country: r.country,
        asn: r.asn,
        asOrg: r.as_org,
      }));
    });
  }

  /** Hourly requests and threats by severity, oldest first; hours without traffic are absent. */
  hourly(w: Window, f: AnalyticsFilter): Promise<HourPoint[]> {
    onlyFilters(f, ['host'], 'this timeline');
    return named('hourly', async () => {
      const params: unknown[] = [];
      const where = siteWhere(w, f.host, params);
      const { rows } = await this.sql.query<Record<'h' | 'requests' | 'threats' | Severity, number>>(
        `SELECT (extract(epoch FROM hour) * 1000)::float8 AS h, sum(requests)::float8 AS requests,
                sum(threats)::float8 AS threats, ${SEV_SUMS}
         FROM rollup_hour_site WHERE ${where} GROUP BY hour ORDER BY hour`,
        params,
      );
      return rows.map((r) => ({
        hour: Math.round(r.h),
        requests: r.requests,
        threats: r.threats,
        bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, r[s]])) as SeverityCounts,
      }));
    });
  }

  /** Requests and threats per UTC day of week and hour of day over the window. */
  heatmap(w: Window, f: AnalyticsFilter): Promise<HeatCell[]> {
    onlyFilters(f, ['host'], '/api/heatmap');
    return named('heatmap', async () => {
      const params: unknown[] = [];
      const where = siteWhere(w, f.host, params);
      const { rows } = await this.sql.query<{ dow: number; hr: number; requests: number; threats: number }>(
        `SELECT extract(dow FROM hour AT TIME ZONE 'UTC')::float8 AS dow, extract(hour FROM hour AT TIME ZONE 'UTC')::float8 AS hr,
                sum(requests)::float8 AS requests, sum(threats)::float8 AS threats
         FROM rollup_hour_site WHERE ${where} GROUP BY 1, 2 ORDER BY 1, 2`,
        params,
      );
      return rows.map((r) => ({ dow: r.dow, hour: r.hr, requests: r.requests, threats: r.threats }));
    });
  }

  /** Threats, attacking IPs and worst severity per country or per AS, most threats first. */
  geo(w: Window, f: AnalyticsFilter, by: 'country' | 'asn', limit: number): Promise<GeoRow[]> {
    onlyFilters(f, IP_FILTERS, by === 'country' ? 'the per-country aggregate' : 'the per-ASN aggregate');
    return named('geo', async () => {
      const params: unknown[] = [];
      const where = ipRollupWhere(w, f, params);
      const key = by === 'country' ? 'country' : 'asn::text';
      // Per (key, ip) first, then per key: two hash aggregates, where count(DISTINCT ip) sorts every row.
      const { rows } = await this.sql.query<{ k: string | null; threats: number; high: number; critical: number; ips: number; mv: number | null }>(
        `SELECT k, sum(threats)::float8 AS threats, sum(high)::float8 AS high,
                sum(critical)::float8 AS critical, count(*)::float8 AS ips, max(mv)::float8 AS mv
         FROM (SELECT ${key} AS k, ip, sum(threats) AS threats, sum(high) AS high, sum(critical) AS critical,
                      max(max_severity) AS mv
               FROM rollup_hour_threat_ip WHERE ${where} GROUP BY 1, ip) AS per_ip
         GROUP BY k ORDER BY threats DESC, k COLLATE "C" NULLS LAST LIMIT ${Math.min(Math.max(1, limit), MAX_TOP)}`,
        params,
      );
      // AS names for the rows shown only: a text max() in the per-IP pass would make it sort every row.
      const names = new Map<string, string | null>();
      const asns = rows.map((r) => r.k).filter((k): k is string => k !== null);
      if (by === 'asn' && asns.length > 0) {
        const named = await this.sql.query<{ k: string; name: string | null }>(
          `SELECT asn::text AS k, max(as_org) AS name FROM rollup_hour_threat_ip
           WHERE ${where} AND asn = ANY($${params.length + 1}::bigint[]) GROUP BY asn`,
          [...params, asns.map(Number)],
        );
        for (const n of named.rows) names.set(n.k, n.name);
      }
      return rows.map((r) => ({
        key: r.k,
        name: r.k === null ? null : (names.get(r.k) ?? null),
        threats: r.threats,
        high: r.high,
        critical: r.critical,
        ips: r.ips,
        worstSeverity: severityOfScore(r.mv),
      }));
    });
  }

  /** Map points: threats per located source (rounded to 0.01°), at least `minSeverity`, busiest first. */
  mapPoints(w: Window, f: AnalyticsFilter, minSeverity: Severity, limit: number): Promise<MapPoint[]> {
    onlyFilters(f, IP_FILTERS, '/api/threats/global');
    return named('mapPoints', async () => {
      const params: unknown[] = [];
      const where = ipRollupWhere(w, f, params);
      // Per IP-hour only the high and critical counts are kept apart: below high, a row counts all its threats.
      const counted = minSeverity === 'critical' ? 'critical' : minSeverity === 'high' ? 'high + critical' : 'threats';
      const minScore = params.push(SEVERITY_SCORE[minSeverity]);
      // Per (point, ip) first, then per point: hash aggregates instead of a sort for count(DISTINCT ip).
      const { rows } = await this.sql.query<{ lat: number; lon: number; n: number; ips: number; mv: number }>(
        `SELECT lat, lon, sum(n)::float8 AS n, count(*)::float8 AS ips, max(mv)::float8 AS mv
         FROM (SELECT round(latitude * 100) / 100 AS lat, round(longitude * 100) / 100 AS lon, ip,
                      sum(${counted}) AS n, max(max_severity) AS mv
               FROM rollup_hour_threat_ip
               WHERE ${where} AND latitude IS NOT NULL AND longitude IS NOT NULL AND max_severity >= $${minScore}
               GROUP BY 1, 2, ip) AS per_ip
         GROUP BY lat, lon ORDER BY n DESC, lat, lon LIMIT ${Math.min(Math.max(1, limit), MAX_POINTS)}`,
        params,
      );
      return rows.map((r) => ({ lat: r.lat, lon: r.lon, count: r.n, ips: r.ips, worstSeverity: severityOfScore(r.mv) ?? 'info' }));
    });
  }

  /** Threats per category over the window: minute rollups, or the threats of one site by its index. */
  categories(w: Window, f: AnalyticsFilter): Promise<Partial<Record<Category, number>>> {
    onlyFilters(f, ['host'], '/api/threats/statistics');
    return named('categories', async () => {
      if (f.host === undefined) return categoryCounts(this.sql, w.since, w.until);
      const { rows } = await this.sql.query<{ k: Category; n: number }>(
        `SELECT category AS k, count(*)::float8 AS n FROM threats
         WHERE host = $3 AND time >= to_timestamp($1::float8 / 1000) AND time < to_timestamp($2::float8 / 1000)
           AND EXISTS (SELECT 1 FROM threat_hits h WHERE h.threat_id = threats.id AND NOT h.simulated)
         GROUP BY category`,
        [w.since, w.until, text(f.host)],
      );
      const out: Partial<Record<Category, number>> = {};
      for (const r of rows) out[r.k] = r.n;
      return out;
    });
  }

  /** Detections per rule (hits on threats) in [since, until), most first. */
  ruleActivity(w: Window, limit = 1000): Promise<TopEntry[]> {
    return named('ruleActivity', () => topRules(this.sql, w.since, w.until, limit));
  }

  /** How often the IP came back: hours and days with threats, and its stored behaviour windows. */
  recurrence(ip: string): Promise<Recurrence> {
    return named('recurrence', async () => {
      const [t, win] = await Promise.all([
        this.sql.query<{ hours: number; days: number; first: number | null; last: number | null }>(
          `SELECT count(DISTINCT hour)::float8 AS hours,
                  count(DISTINCT floor(extract(epoch FROM hour) / 86400))::float8 AS days,
                  (extract(epoch FROM min(hour)) * 1000)::float8 AS first, (extract(epoch FROM max(hour)) * 1000)::float8 AS last
           FROM rollup_hour_threat_ip WHERE ip = $1`,
          [boundIp(ip)],
        ),
        this.sql.query<{ n: number; days: number }>(
          `SELECT count(*)::float8 AS n, count(DISTINCT floor(extract(epoch FROM window_start) / 86400))::float8 AS days
           FROM ip_windows WHERE ip = $1`,
          [boundIp(ip)],
        ),
      ]);
      const r = t.rows[0];
      return {
        threatHours: r?.hours ?? 0,
        threatDays: r?.days ?? 0,
        firstThreat: r?.first == null ? null : Math.round(r.first),
        lastThreat: r?.last == null ? null : Math.round(r.last),
        windows: win.rows[0]?.n ?? 0,
        windowDays: win.rows[0]?.days ?? 0,
      };
    });
  }
}

async function totals(sql: SqlClient, w: Window, host: string | undefined): Promise<OverviewTotals> {
  const params: unknown[] = [];
  const counts =
    host === undefined
      ? await sql.query<Record<'requests' | 'threats' | Severity, number>>(
          `SELECT coalesce(sum(requests), 0)::float8 AS requests, coalesce(sum(threats), 0)::float8 AS threats, ${SEV_SUMS}
           FROM rollup_minute WHERE minute >= to_timestamp($1::float8 / 1000) AND minute < to_timestamp($2::float8 / 1000)`,
          [minuteOf(w.since), w.until],
        )
      : await sql.query<Record<'requests' | 'threats' | Severity, number>>(
          `SELECT coalesce(sum(requests), 0)::float8 AS requests, coalesce(sum(threats), 0)::float8 AS threats, ${SEV_SUMS}
           FROM rollup_hour_site WHERE ${siteWhere(w, host, params)}`,
          params,
        );
  const ipParams: unknown[] = [];
  // A hash aggregate per ip, then a count: count(DISTINCT ip) would sort every rollup row (71 vs 133 ms over 200,000).
  const ips = await sql.query<{ n: number }>(
    `SELECT count(*)::float8 AS n FROM (SELECT ip FROM rollup_hour_threat_ip
       WHERE ${ipRollupWhere(w, host === undefined ? {} : { host }, ipParams)} GROUP BY ip) AS attackers`,
    ipParams,
  );
  const c = counts.rows[0];
  return {
    requests: c?.requests ?? 0,
    threats: c?.threats ?? 0,
    uniqueIps: ips.rows[0]?.n ?? 0,
    bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, c?.[s] ?? 0])) as SeverityCounts,
  };
}
