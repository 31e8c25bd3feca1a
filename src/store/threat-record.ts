/**
 * A threat as stored (tables threats and threat_hits, with its source's reputation from the IOC tables), defined
 * once: SQL -> TypeScript (StoredThreat) -> JSON (/api/threats). The scalar fields are one table; the nested
 * parts (detections, geo, reputation) are each written out once below.
 */
import * as z from 'zod';
import { CATEGORIES, SEVERITIES, SEVERITY_SCORE, type Category, type Detection, type Severity, type ThreatEvent, type ThreatGeo } from '../core/index.js';
import { reputationOf } from './ioc-repository.js';
import { decodeFields, encodeFields, epochMs, jsonShape, plain, selectList, type ValueOf } from './record-fields.js';
import { int, ip, text, textOrNull } from './sanitize.js';
import type { SqlClient, ThreatReputation } from './types.js';

const THREAT_FIELDS = {
  id: plain('id', z.string()),
  time: epochMs('time'),
  ip: plain('ip', z.string()),
  method: plain('method', z.string()),
  host: plain('host', z.string().nullable()),
  path: plain('path', z.string().describe('As logged, still percent-encoded.')),
  query: plain('query', z.string().describe('Without the leading "?".')),
  status: plain('status', z.number().int()),
  // bigint: selected as float8 so both drivers return a number.
  bytes: plain('bytes', z.number().int(), 'bytes::float8'),
  userAgent: plain('user_agent', z.string().nullable()),
  referer: plain('referer', z.string().nullable()),
  score: plain('score', z.number().min(0).max(1)),
  severity: plain('severity', z.enum(SEVERITIES)),
  category: plain('category', z.enum(CATEGORIES)),
  origin: plain('origin', z.string().describe('log, api or crowdsec.')),
};

/** Geo columns, null when the threat was stored without a GeoIP database (or before migration 0003). */
const GEO_COLUMNS = `ip_kind, country, country_name, city, latitude, longitude, asn::float8 AS asn, as_org`;
interface GeoColumns {
  ip_kind: string | null;
  country: string | null;
  country_name: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
  asn: number | null;
  as_org: string | null;
}

/** The select list of threats: the fields keyed like StoredThreat, then the geo columns. */
export const THREAT_COLUMNS = `${selectList(THREAT_FIELDS)}, ${GEO_COLUMNS}`;

export type StoredThreat = ValueOf<typeof THREAT_FIELDS> & {
  detections: Detection[];
  /** Null for threats stored without a GeoIP database (or before migration 0003). */
  geo: ThreatGeo | null;
  /** The source IP's latest enrichment risk, when at or above the store's reputation threshold. */
  reputation: ThreatReputation | null;
};

// ---- detections (threat_hits) ----

const HIT_COLUMNS = `threat_id, rule_id, category, severity, confidence, field, fragment, transforms, simulated, detail`;
interface HitColumns {
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

function decodeDetection(h: HitColumns): Detection {
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

function decodeGeo(r: GeoColumns): ThreatGeo | null {
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
 * Decodes threat rows (selected with THREAT_COLUMNS), their detections fetched in one query and their source's
 * reputation (at or above `reputationMinScore`) in another, in the rows' order.
 */
export async function decodeThreats(sql: SqlClient, rows: readonly Record<string, unknown>[], reputationMinScore: number): Promise<StoredThreat[]> {
  if (rows.length === 0) return [];
  const threats = rows.map((r) => ({ fields: decodeFields(THREAT_FIELDS, r), geo: decodeGeo(r as unknown as GeoColumns) }));
  const { rows: hits } = await sql.query<HitColumns>(
    `SELECT ${HIT_COLUMNS} FROM threat_hits WHERE threat_id = ANY($1::text[]) ORDER BY threat_id, n`,
    [threats.map((t) => t.fields.id)],
  );
  const byThreat = new Map<string, Detection[]>();
  for (const h of hits) {
    const list = byThreat.get(h.threat_id) ?? [];
    list.push(decodeDetection(h));
    byThreat.set(h.threat_id, list);
  }
  // Reputation feeds back at read time; threats keep their own severity, so a provider's later change of mind
  // never rewrites stored evidence.
  const reputations = await reputationOf(sql, [...new Set(threats.map((t) => t.fields.ip))], reputationMinScore);
  return threats.map(({ fields, geo }) => ({
    ...fields,
    detections: byThreat.get(fields.id) ?? [],
    geo,
    reputation: reputations.get(fields.ip) ?? null,
  }));
}

// ---- JSON (snake_case, times as ISO 8601) ----

const RISK_LEVELS = ['none', 'low', 'medium', 'high', 'critical'] as const;

export const detectionJson = z.object({
  rule_id: z.string().describe('Rule, scenario or model that fired.'),
  category: z.enum(CATEGORIES),
  severity: z.enum(SEVERITIES),
  confidence: z.number().min(0).max(1),
  field: z.string().describe('Where it matched: path, query, arg:<name>, user_agent, header:<name>…'),
  fragment: z.string().describe('The matched text, at most 200 characters.'),
  transforms: z.array(z.string()).describe('Decodings that revealed the match.'),
  simulated: z.boolean().describe('Recorded by a rule in simulation mode; raised no alert.'),
  detail: z.string().nullable(),
});

/** Where the source is; absent fields are null so clients can test one shape. */
const geoJson = z
  .object({
    kind: z
      .string()
      .describe('Address class: public, private, loopback, reserved, bogon… Only public ones are looked up.'),
    country: z.string().nullable().describe('ISO 3166-1 alpha-2.'),
    country_name: z.string().nullable(),
    city: z.string().nullable(),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    asn: z.number().int().nullable(),
    as_org: z.string().nullable(),
  })
  .nullable()
  .describe(
    'Source location and network from the local GeoIP/ASN databases, stored with the threat; null when none was open.',
  );

const reputationJson = z
  .object({
    risk_score: z.number().int().min(0).max(100),
    risk_level: z.enum(RISK_LEVELS),
    categories: z.array(z.string()),
    updated_at: z.iso.datetime(),
  })
  .nullable()
  .describe(
    "The source IP's latest enrichment risk (threat-intel providers), when at or above enrich.reputation.minScore.",
  );

export const threatJson = z.object({
  ...jsonShape(THREAT_FIELDS),
  severity_score: z.number().int().min(1).max(10).describe('Severity on the 1-10 scale.'),
  detections: z.array(detectionJson),
  geo: geoJson,
  reputation: reputationJson,
});

export type DetectionJson = z.output<typeof detectionJson>;
export type ThreatJson = z.output<typeof threatJson>;
type GeoJson = NonNullable<z.output<typeof geoJson>>;
type ReputationJson = NonNullable<z.output<typeof reputationJson>>;

export function detectionToJson(d: Detection): DetectionJson {
  return {
    rule_id: d.ruleId,
    category: d.category,
    severity: d.severity,
    confidence: d.confidence,
    field: d.field,
    fragment: d.fragment,
    transforms: [...(d.transforms ?? [])],
    simulated: d.simulated ?? false,
    detail: d.detail ?? null,
  };
}

function geoToJson(g: ThreatGeo | null): GeoJson | null {
  if (!g) return null;
  return {
    kind: g.kind,
    country: g.country ?? null,
    country_name: g.countryName ?? null,
    city: g.city ?? null,
    lat: g.lat ?? null,
    lon: g.lon ?? null,
    asn: g.asn ?? null,
    as_org: g.asOrg ?? null,
  };
}

function reputationToJson(r: ThreatReputation | null): ReputationJson | null {
  if (!r) return null;
  return {
    risk_score: r.riskScore,
    // The collector writes only these levels (src/enrich/risk.ts).
    risk_level: r.riskLevel as ReputationJson['risk_level'],
    categories: r.categories,
    updated_at: new Date(r.updatedAt).toISOString(),
  };
}

export function threatToJson(t: StoredThreat): ThreatJson {
  const { detections, geo, reputation, ...fields } = t;
  return {
    ...encodeFields(THREAT_FIELDS, fields),
    severity_score: SEVERITY_SCORE[t.severity],
    detections: detections.map(detectionToJson),
    geo: geoToJson(geo),
    reputation: reputationToJson(reputation),
  };
}

/**
 * A threat as the batch writer stores it (insertThreats applies the same sanitising), for consumers that
 * see it as it is committed (the live alerts) and must show what GET /api/threats will return. Reputation
 * is read-time evidence (the IOC tables at query time), so it is null here.
 */
export function storedThreatOf(t: ThreatEvent): StoredThreat {
  const e = t.event;
  return {
    id: text(e.id),
    time: e.time,
    ip: ip(e.ip),
    method: text(e.method),
    host: textOrNull(e.host),
    path: text(e.path),
    query: text(e.query),
    status: int(e.status),
    bytes: int(e.bytes),
    userAgent: textOrNull(e.userAgent),
    referer: textOrNull(e.referer),
    score: Number.isFinite(t.score) ? t.score : 0,
    severity: t.severity,
    category: t.category,
    origin: e.origin.kind,
    detections: t.detections.map((d) => ({
      ...d,
      ruleId: text(d.ruleId),
      field: text(d.field),
      fragment: text(d.fragment),
      transforms: (d.transforms ?? []).map(text),
    })),
    geo: t.geo ?? null,
    reputation: null,
  };
}
