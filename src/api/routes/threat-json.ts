/**
 * The wire form of a stored threat: snake_case, times as ISO 8601 strings. The schema doubles as the
 * response serializer, so a field the store adds later does not leak out until it is listed here.
 */
import { CATEGORIES, SEVERITIES, SEVERITY_SCORE, type Detection, type ThreatGeo } from '../../core/index.js';
import type { ThreatRow } from '../../store/index.js';

export interface DetectionJson {
  rule_id: string;
  category: string;
  severity: string;
  confidence: number;
  field: string;
  fragment: string;
  transforms: readonly string[];
  simulated: boolean;
  detail: string | null;
}

export interface ThreatJson {
  id: string;
  time: string;
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
  severity: string;
  severity_score: number;
  category: string;
  origin: string;
  detections: DetectionJson[];
  geo: GeoJson | null;
  reputation: ReputationJson | null;
}

/** Where the source is; absent fields are null so clients can test one shape. */
export interface GeoJson {
  kind: string;
  country: string | null;
  country_name: string | null;
  city: string | null;
  lat: number | null;
  lon: number | null;
  asn: number | null;
  as_org: string | null;
}

export interface ReputationJson {
  risk_score: number;
  risk_level: string;
  categories: string[];
  updated_at: string;
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

export function detectionToJson(d: Detection): DetectionJson {
  return {
    rule_id: d.ruleId,
    category: d.category,
    severity: d.severity,
    confidence: d.confidence,
    field: d.field,
    fragment: d.fragment,
    transforms: d.transforms ?? [],
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
          risk_level: row.reputation.riskLevel,
          categories: row.reputation.categories,
          updated_at: new Date(row.reputation.updatedAt).toISOString(),
        }
      : null,
  };
}

const nullableString = { type: ['string', 'null'] } as const;

export const detectionJsonSchema = {
  $id: 'Detection',
  type: 'object',
  properties: {
    rule_id: { type: 'string', description: 'Rule, scenario or model that fired.' },
    category: { type: 'string', enum: [...CATEGORIES] },
    severity: { type: 'string', enum: [...SEVERITIES] },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    field: {
      type: 'string',
      description: 'Where it matched: path, query, arg:<name>, user_agent, header:<name>…',
    },
    fragment: { type: 'string', description: 'The matched text, at most 200 characters.' },
    transforms: {
      type: 'array',
      items: { type: 'string' },
      description: 'Decodings that revealed the match.',
    },
    simulated: { type: 'boolean', description: 'Recorded by a rule in simulation mode; raised no alert.' },
    detail: nullableString,
  },
  required: [
    'rule_id',
    'category',
    'severity',
    'confidence',
    'field',
    'fragment',
    'transforms',
    'simulated',
    'detail',
  ],
} as const;

export const threatJsonSchema = {
  $id: 'Threat',
  type: 'object',
  properties: {
    id: { type: 'string' },
    time: { type: 'string', format: 'date-time' },
    ip: { type: 'string' },
    method: { type: 'string' },
    host: nullableString,
    path: { type: 'string', description: 'As logged, still percent-encoded.' },
    query: { type: 'string', description: 'Without the leading "?".' },
    status: { type: 'integer' },
    bytes: { type: 'integer' },
    user_agent: nullableString,
    referer: nullableString,
    score: { type: 'number', minimum: 0, maximum: 1 },
    severity: { type: 'string', enum: [...SEVERITIES] },
    severity_score: { type: 'integer', minimum: 1, maximum: 10, description: 'Severity on the 1-10 scale.' },
    category: { type: 'string', enum: [...CATEGORIES] },
    origin: { type: 'string', description: 'log, api or crowdsec.' },
    detections: { type: 'array', items: { $ref: 'Detection#' } },
    geo: {
      type: ['object', 'null'],
      description: 'Source location and network from the local GeoIP/ASN databases, stored with the threat; null when none was open.',
      properties: {
        kind: { type: 'string', description: 'Address class: public, private, loopback, reserved, bogon… Only public ones are looked up.' },
        country: { ...nullableString, description: 'ISO 3166-1 alpha-2.' },
        country_name: nullableString,
        city: nullableString,
        lat: { type: ['number', 'null'] },
        lon: { type: ['number', 'null'] },
        asn: { type: ['integer', 'null'] },
        as_org: nullableString,
      },
      required: ['kind', 'country', 'country_name', 'city', 'lat', 'lon', 'asn', 'as_org'],
    },
    reputation: {
      type: ['object', 'null'],
      description: "The source IP's latest enrichment risk (threat-intel providers), when at or above enrich.reputation.minScore.",
      properties: {
        risk_score: { type: 'integer', minimum: 0, maximum: 100 },
        risk_level: { type: 'string', enum: ['none', 'low', 'medium', 'high', 'critical'] },
        categories: { type: 'array', items: { type: 'string' } },
        updated_at: { type: 'string', format: 'date-time' },
      },
      required: ['risk_score', 'risk_level', 'categories', 'updated_at'],
    },
  },
  required: [
    'id',
    'time',
    'ip',
    'method',
    'host',
    'path',
    'query',
    'status',
    'bytes',
    'user_agent',
    'referer',
    'score',
    'severity',
    'severity_score',
    'category',
    'origin',
    'detections',
    'geo',
    'reputation',
  ],
} as const;
