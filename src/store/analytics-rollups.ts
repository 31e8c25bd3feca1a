/**
 * The hourly analytics rollups of one batch (tables rollup_hour_site and rollup_hour_threat_ip, migration 0009),
 * aggregated in memory from the rows the inserts added (so a replay adds nothing) and upserted once per table
 * inside the batch writer's transaction. Simulation-only threats are evidence, not threats: not counted.
 *
 * Cardinality: one site row per hour and host, one IP row per hour, host and attacking IP. Hosts come from
 * logs, so they are cut to 253 characters and lower-cased; an hour of a batch keeps at most `maxHosts` hosts
 * (the rest count under OTHER), as the minute rollups do for paths.
 */
import { isSimulatedOnly, SEVERITY_SCORE, type HttpEvent, type Severity, type ThreatEvent } from '../core/index.js';
import { OTHER } from './rollups.js';
import { ip as boundIp, realOrNull, text, textOrNull } from './sanitize.js';
import type { SqlClient } from './types.js';

export const HOUR_MS = 3_600_000;
export const MAX_ROLLUP_HOST = 253;
export const MAX_HOSTS_PER_HOUR = 1000;

export interface SiteHourCounts {
  requests: number;
  threats: number;
  bySeverity: Record<Severity, number>;
}

export interface ThreatIpHour {
  threats: number;
  high: number;
  critical: number;
  maxScore: number;
  maxSeverity: number;
  country: string | null;
  asn: number | null;
  asOrg: string | null;
  lat: number | null;
  lon: number | null;
}

export interface AnalyticsRollups {
  /** `${hour}|${host}` → counts. */
  sites: Map<string, { hour: number; host: string; c: SiteHourCounts }>;
  /** `${hour}|${host}|${ip}` → per attacking IP. */
  ips: Map<string, { hour: number; host: string; ip: string; c: ThreatIpHour }>;
  /** True when the batch added threats (the API cache's generation moves). */
  newThreats: boolean;
  /** True when the batch added requests (the generation moves if it has not for REQUEST_MOVE_MS). */
  newRequests: boolean;
}

export function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** The rollup key of a logged host: '' for none, lower-cased and bounded. */
export function rollupHost(host: string | null): string {
  if (host === null) return '';
  return text((host.length > MAX_ROLLUP_HOST ? host.slice(0, MAX_ROLLUP_HOST) : host).toLowerCase());
}

export function aggregateAnalytics(events: Iterable<HttpEvent>, threats: Iterable<ThreatEvent>): AnalyticsRollups {
  const out: AnalyticsRollups = { sites: new Map(), ips: new Map(), newThreats: false, newRequests: false };
  const hostsPerHour = new Map<number, Set<string>>();
  const hostKey = (hour: number, raw: string | null): string => {
    const host = rollupHost(raw);
    let seen = hostsPerHour.get(hour);
    if (!seen) hostsPerHour.set(hour, (seen = new Set()));
    if (seen.has(host)) return host;
    if (seen.size >= MAX_HOSTS_PER_HOUR) return OTHER;
    seen.add(host);
    return host;
  };
  const site = (hour: number, host: string): SiteHourCounts => {
    const key = `${hour}|${host}`;
    let s = out.sites.get(key);
    if (!s) {
      s = { hour, host, c: { requests: 0, threats: 0, bySeverity: { info: 0, low: 0, medium: 0, high: 0, critical: 0 } } };
      out.sites.set(key, s);
    }
    return s.c;
  };
  for (const e of events) {
    out.newRequests = true;
    const hour = hourOf(e.time);
    site(hour, hostKey(hour, e.host)).requests++;
  }
  for (const t of threats) {
    if (isSimulatedOnly(t)) continue;
    out.newThreats = true;
    const hour = hourOf(t.event.time);
    const host = hostKey(hour, t.event.host);
    const s = site(hour, host);
    s.threats++;
    s.bySeverity[t.severity]++;
    const ip = boundIp(t.event.ip);
    const key = `${hour}|${host}|${ip}`;
    let row = out.ips.get(key);
    if (!row) {
      row = { hour, host, ip, c: { threats: 0, high: 0, critical: 0, maxScore: 0, maxSeverity: 0, country: null, asn: null, asOrg: null, lat: null, lon: null } };
      out.ips.set(key, row);
    }
    const c = row.c;
    c.threats++;
    if (t.severity === 'high') c.high++;
    if (t.severity === 'critical') c.critical++;
    c.maxScore = Math.max(c.maxScore, Number.isFinite(t.score) ? t.score : 0);
    c.maxSeverity = Math.max(c.maxSeverity, SEVERITY_SCORE[t.severity]);
    const g = t.geo;
    if (g) {
      c.country = textOrNull(g.country) ?? c.country;
      c.asn = g.asn !== undefined && Number.isInteger(g.asn) ? g.asn : c.asn;
      c.asOrg = textOrNull(g.asOrg) ?? c.asOrg;
      c.lat = realOrNull(g.lat) ?? c.lat;
      c.lon = realOrNull(g.lon) ?? c.lon;
    }
  }
  return out;
}

/** Adds one batch's hourly counters (upserts that sum). */
export async function upsertAnalytics(tx: SqlClient, r: AnalyticsRollups): Promise<void> {
  const sites = [...r.sites.values()];
  if (sites.length > 0) {
    const sev = (k: Severity) => sites.map((s) => s.c.bySeverity[k]);
    await tx.query(
      `INSERT INTO rollup_hour_site (hour, host, requests, threats, info, low, medium, high, critical)
       SELECT to_timestamp(h / 1000), k, r, t, i, l, me, hi, c
       FROM unnest($1::float8[], $2::text[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[], $9::int[])
            AS u(h, k, r, t, i, l, me, hi, c)
       ON CONFLICT (hour, host) DO UPDATE SET
         requests = rollup_hour_site.requests + EXCLUDED.requests,
         threats = rollup_hour_site.threats + EXCLUDED.threats,
         info = rollup_hour_site.info + EXCLUDED.info,
         low = rollup_hour_site.low + EXCLUDED.low,
         medium = rollup_hour_site.medium + EXCLUDED.medium,
         high = rollup_hour_site.high + EXCLUDED.high,
         critical = rollup_hour_site.critical + EXCLUDED.critical`,
      [
        sites.map((s) => s.hour),
        sites.map((s) => s.host),
        sites.map((s) => s.c.requests),
        sites.map((s) => s.c.threats),
        sev('info'),
        sev('low'),
        sev('medium'),
        sev('high'),
        sev('critical'),
      ],
    );
  }
  const ips = [...r.ips.values()];
  if (ips.length > 0) {
    await tx.query(
      `INSERT INTO rollup_hour_threat_ip (hour, host, ip, threats, high, critical, max_score, max_severity,
                                         country, asn, as_org, latitude, longitude)
       SELECT to_timestamp(h / 1000), k, ip, t, hi, c, ms, mv, co, asn, org, lat, lon
       FROM unnest($1::float8[], $2::text[], $3::text[], $4::int[], $5::int[], $6::int[], $7::real[], $8::smallint[],
                   $9::text[], $10::bigint[], $11::text[], $12::float8[], $13::float8[])
            AS u(h, k, ip, t, hi, c, ms, mv, co, asn, org, lat, lon)
       ON CONFLICT (hour, host, ip) DO UPDATE SET
         threats = rollup_hour_threat_ip.threats + EXCLUDED.threats,
         high = rollup_hour_threat_ip.high + EXCLUDED.high,
         critical = rollup_hour_threat_ip.critical + EXCLUDED.critical,
         max_score = greatest(rollup_hour_threat_ip.max_score, EXCLUDED.max_score),
         max_severity = greatest(rollup_hour_threat_ip.max_severity, EXCLUDED.max_severity),
         country = coalesce(EXCLUDED.country, rollup_hour_threat_ip.country),
         asn = coalesce(EXCLUDED.asn, rollup_hour_threat_ip.asn),
         as_org = coalesce(EXCLUDED.as_org, rollup_hour_threat_ip.as_org),
         latitude = coalesce(EXCLUDED.latitude, rollup_hour_threat_ip.latitude),
         longitude = coalesce(EXCLUDED.longitude, rollup_hour_threat_ip.longitude)`,
      [
        ips.map((x) => x.hour),
        ips.map((x) => x.host),
        ips.map((x) => x.ip),
        ips.map((x) => x.c.threats),
        ips.map((x) => x.c.high),
        ips.map((x) => x.c.critical),
        ips.map((x) => x.c.maxScore),
        ips.map((x) => x.c.maxSeverity),
        ips.map((x) => x.c.country),
        ips.map((x) => x.c.asn),
        ips.map((x) => x.c.asOrg),
        ips.map((x) => x.c.lat),
        ips.map((x) => x.c.lon),
      ],
    );
  }
}

/**
 * Request batches move the generation at most this often: every batch would make every cached answer miss, none
 * would let request counts trail by the cache's TTL. An answer computed within 2 × this of a move is kept only until
 * then (see `GenerationMark`), so request counts trail by at most that, whenever they land in the minute.
 */
export const REQUEST_MOVE_MS = 1000;

/**
 * Moves the generation when the batch added threats, or added requests and the generation has not moved for
 * REQUEST_MOVE_MS. The batch writer runs it last, just before commit: the row lock it takes (only when it moves)
 * is held for the commit alone, and the time it reads is close to when the rows become visible. A batch that
 * does not move it takes no lock.
 */
export async function moveGeneration(tx: SqlClient, r: Pick<AnalyticsRollups, 'newThreats' | 'newRequests'>): Promise<void> {
  if (!r.newThreats && !r.newRequests) return;
  await tx.query(
    `UPDATE analytics_generation SET generation = generation + 1, moved_at = clock_timestamp()
     WHERE id = 1 AND ($1::boolean OR moved_at <= clock_timestamp() - $2::float8 * interval '1 millisecond')`,
    [r.newThreats, REQUEST_MOVE_MS],
  );
}

export interface GenerationMark {
  generation: number;
  /**
   * How long an answer computed now stays complete if the generation does not move: 0 when it last moved over
   * 2 × REQUEST_MOVE_MS ago (every later batch moves it); otherwise until then (batches committing meanwhile
   * may not move it).
   */
  settledInMs: number;
}

/** The generation: moves whenever a batch adds threats, and at most once per REQUEST_MOVE_MS for requests. */
export async function readGeneration(sql: SqlClient): Promise<GenerationMark> {
  const { rows } = await sql.query<{ g: number; moved: number; now: number }>(
    `SELECT generation::float8 AS g, (extract(epoch FROM moved_at) * 1000)::float8 AS moved,
            (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now
     FROM analytics_generation WHERE id = 1`,
  );
  const r = rows[0];
  if (!r) return { generation: 0, settledInMs: 0 };
  return { generation: r.g, settledInMs: Math.max(0, r.moved + 2 * REQUEST_MOVE_MS - r.now) };
}
