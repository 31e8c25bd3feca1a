/** Reading threats back: the select list, and rows (with their detections) into ThreatRow. */
import type { Category, Detection, Severity, ThreatGeo } from '../core/index.js';
import { reputationOf } from './ioc-repository.js';
import type { SqlClient, ThreatRow } from './types.js';

/** Times come back as epoch ms and bigints as float8, so both drivers return plain numbers. */
export const THREAT_COLUMNS = `id, (extract(epoch FROM time) * 1000)::float8 AS time_ms, ip, method, host, path, query,
  status, bytes::float8 AS bytes, user_agent, referer, score, severity, category, origin,
  ip_kind, country, country_name, city, latitude, longitude, asn::float8 AS asn, as_org`;

export interface ThreatRecord {
  id: string;
  time_ms: number;
  ip: string;
  method: string;
  host: string | null;
  path: string;
  query: string;
  status: number;
  bytes: number;
  user_agent: string | null;
  referer: string | null;
  score: number;
  severity: Severity;
  category: Category;
  origin: string;
  ip_kind: string | null;
  country: string | null;
  country_name: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
  asn: number | null;
  as_org: string | null;
}

interface HitRecord {
  threat_id: string;
  rule_id: string;
  category: Category;
  severity: Severity;
  confidence: number;
  field: string;
  fragment: string;
  transforms: string[];
  simulated: boolean;
  detail: string | null;
}

/** Fetches the detections of all `records` in one query and assembles ThreatRows in the same order. */
export async function withDetections(sql: SqlClient, records: readonly ThreatRecord[]): Promise<ThreatRow[]> {
  if (records.length === 0) return [];
  const { rows } = await sql.query<HitRecord>(
    `SELECT threat_id, rule_id, category, severity, confidence, field, fragment, transforms, simulated, detail
     FROM threat_hits WHERE threat_id = ANY($1::text[]) ORDER BY threat_id, n`,
    [records.map((r) => r.id)],
  );
  const byThreat = new Map<string, Detection[]>();
  for (const h of rows) {
    const list = byThreat.get(h.threat_id) ?? [];
    list.push(toDetection(h));
    byThreat.set(h.threat_id, list);
  }
  return records.map((r) => toThreatRow(r, byThreat.get(r.id) ?? []));
}

function toDetection(h: HitRecord): Detection {
  return {
    ruleId: h.rule_id,
    category: h.category,
    severity: h.severity,
    confidence: h.confidence,
    field: h.field,
    fragment: h.fragment,
    transforms: h.transforms,
    simulated: h.simulated,
    ...(h.detail === null ? {} : { detail: h.detail }),
  };
}

function toThreatRow(r: ThreatRecord, detections: Detection[]): ThreatRow {
  return {
    id: r.id,
    time: Math.round(r.time_ms),
    ip: r.ip,
    method: r.method,
    host: r.host,
    path: r.path,
    query: r.query,
    status: r.status,
    bytes: r.bytes,
    userAgent: r.user_agent,
    referer: r.referer,
    score: r.score,
    severity: r.severity,
    category: r.category,
    detections,
    origin: r.origin,
    geo: toGeo(r),
    reputation: null,
  };
}

function toGeo(r: ThreatRecord): ThreatGeo | null {
  if (r.ip_kind === null) return null;
  const geo: ThreatGeo = { kind: r.ip_kind };
  if (r.country !== null) geo.country = r.country;
  if (r.country_name !== null) geo.countryName = r.country_name;
  if (r.city !== null) geo.city = r.city;
  if (r.latitude !== null) geo.lat = r.latitude;
  if (r.longitude !== null) geo.lon = r.longitude;
  if (r.asn !== null) geo.asn = r.asn;
  if (r.as_org !== null) geo.asOrg = r.as_org;
  return geo;
}

/**
 * Reputation feeds back at read time: a threat whose source IP has an IOC summary (the collector's
 * latest risk) at or above `minScore` carries it. One query per page, on the ioc value index; threats
 * keep their own severity, so a provider's later change of mind never rewrites stored evidence.
 */
export async function withReputation(sql: SqlClient, rows: ThreatRow[], minScore: number): Promise<ThreatRow[]> {
  if (rows.length === 0) return rows;
  const byIp = await reputationOf(sql, [...new Set(rows.map((r) => r.ip))], minScore);
  return rows.map((r) => ({ ...r, reputation: byIp.get(r.ip) ?? null }));
}
