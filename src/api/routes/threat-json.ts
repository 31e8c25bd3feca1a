/**
 * The wire form of a stored threat: snake_case, times as ISO 8601 strings. One zod schema per shape gives
 * the TypeScript type (ThreatJson) and the JSON Schema that documents it and serializes responses, so a
 * field the store adds later does not leak out until it is listed here.
 */
import { z } from 'zod';
import { CATEGORIES, SEVERITIES, SEVERITY_SCORE, type Detection, type ThreatGeo } from '../../core/index.js';
import type { ThreatRow } from '../../store/index.js';
import { responseJsonSchema, sharedRef } from '../response-schema.js';

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
  id: z.string(),
  time: z.iso.datetime(),
  ip: z.string(),
  method: z.string(),
  host: z.string().nullable(),
  path: z.string().describe('As logged, still percent-encoded.'),
  query: z.string().describe('Without the leading "?".'),
  status: z.number().int(),
  bytes: z.number().int(),
  user_agent: z.string().nullable(),
  referer: z.string().nullable(),
  score: z.number().min(0).max(1),
  severity: z.enum(SEVERITIES),
  severity_score: z.number().int().min(1).max(10).describe('Severity on the 1-10 scale.'),
  category: z.enum(CATEGORIES),
  origin: z.string().describe('log, api or crowdsec.'),
  detections: z.array(sharedRef(detectionJson, 'Detection')),
  geo: geoJson,
  reputation: reputationJson,
});

export type DetectionJson = z.output<typeof detectionJson>;
export type ThreatJson = z.output<typeof threatJson>;
export type GeoJson = NonNullable<z.output<typeof geoJson>>;
export type ReputationJson = NonNullable<z.output<typeof reputationJson>>;

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

export function threatToJson(row: ThreatRow): ThreatJson {
  return {
    id: row.id,
    time: new Date(row.time).toISOString(),
    ip: row.ip,
    method: row.method,
    host: row.host,
    path: row.path,
    query: row.query,
    status: row.status,
    bytes: row.bytes,
    user_agent: row.userAgent,
    referer: row.referer,
    score: row.score,
    severity: row.severity,
    severity_score: SEVERITY_SCORE[row.severity],
    category: row.category,
    origin: row.origin,
    detections: row.detections.map(detectionToJson),
    geo: geoToJson(row.geo),
    reputation: row.reputation
      ? {
          risk_score: row.reputation.riskScore,
          // The collector writes only these levels (src/enrich/risk.ts).
          risk_level: row.reputation.riskLevel as ReputationJson['risk_level'],
          categories: row.reputation.categories,
          updated_at: new Date(row.reputation.updatedAt).toISOString(),
        }
      : null,
  };
}

/** The shared components every threat-returning route refers to (`{ $ref: 'Threat#' }`). */
export const detectionJsonSchema = responseJsonSchema('Detection', detectionJson);
export const threatJsonSchema = responseJsonSchema('Threat', threatJson);
