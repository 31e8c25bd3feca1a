/**
 * A sensor's verdict (threat type, severity, confidence) as one Detection, so it is scored, stored and alerted on
 * like a rule's finding. Pure tables: the severity scale and the threat-type whitelist are documented in
 * docs/api.md (Ingest API).
 */
import { CATEGORIES, SEVERITIES, truncateFragment, type Category, type Detection, type Severity } from '../../core/index.js';

/** Longest threat type kept; it becomes the rule id `api/<threat_type>` (rule ids are bounded in the API too). */
export const MAX_THREAT_TYPE = 64;

/**
 * A sensor's 1-10 severity on our five levels. The split follows SEVERITY_SCORE (info 1, low 3, medium 5, high 8,
 * critical 10): each level takes the numbers nearest its own score.
 */
export function severityFromNumber(n: number): Severity {
  if (n <= 2) return 'info';
  if (n <= 4) return 'low';
  if (n <= 6) return 'medium';
  if (n <= 8) return 'high';
  return 'critical';
}

/** The 1-10 table as rows, for the docs and the OpenAPI description. */
export const SEVERITY_SCALE: readonly { from: number; to: number; severity: Severity }[] = [
  { from: 1, to: 2, severity: 'info' },
  { from: 3, to: 4, severity: 'low' },
  { from: 5, to: 6, severity: 'medium' },
  { from: 7, to: 8, severity: 'high' },
  { from: 9, to: 10, severity: 'critical' },
];

export function isSeverityName(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}

/**
 * Threat types other sensors use, mapped to our categories. Our own category names map to themselves; anything
 * else is `anomaly` (the sensor said something is wrong, not what).
 */
const CATEGORY_ALIASES: Readonly<Record<string, Category>> = {
  sql_injection: 'sqli',
  sqlinjection: 'sqli',
  cross_site_scripting: 'xss',
  directory_traversal: 'path_traversal',
  traversal: 'path_traversal',
  local_file_inclusion: 'lfi',
  remote_file_inclusion: 'rfi',
  command_injection: 'rce',
  code_injection: 'rce',
  os_command_injection: 'rce',
  remote_code_execution: 'rce',
  server_side_request_forgery: 'ssrf',
  template_injection: 'ssti',
  nosql_injection: 'nosqli',
  header_injection: 'crlf',
  redirect: 'open_redirect',
  scan: 'scanner',
  port_scan: 'scanner',
  vulnerability_scan: 'scanner',
  recon: 'scanner',
  reconnaissance: 'scanner',
  exploit: 'cve_probe',
  cve: 'cve_probe',
  brute_force: 'bruteforce',
  credential_stuffing: 'bruteforce',
  password_spray: 'bruteforce',
  bot: 'crawler',
  scraper: 'crawler',
  scraping: 'crawler',
  ddos: 'dos',
  flood: 'dos',
  rate_limit: 'dos',
  malformed: 'protocol',
  protocol_violation: 'protocol',
  backdoor: 'webshell',
};

/** `SQL-Injection`, `sql injection` and `sql_injection` are one type: lower case, runs of separators as `_`. */
export function normaliseThreatType(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, MAX_THREAT_TYPE);
}

export function categoryOf(threatType: string): Category {
  if ((CATEGORIES as readonly string[]).includes(threatType)) return threatType as Category;
  return CATEGORY_ALIASES[threatType] ?? 'anomaly';
}

/** The aliases table, for the docs. */
export function categoryAliases(): Readonly<Record<string, Category>> {
  return CATEGORY_ALIASES;
}

/** What a sensor said about an event, validated (src/api/routes/ingest-schema.ts). */
export interface SensorVerdict {
  /** Normalised (normaliseThreatType); `unknown` when the sensor gave a severity but no type. */
  threatType: string;
  severity: Severity;
  /** 0..1. */
  confidence: number;
  description: string | null;
}

/** Confidence when the sensor gives none: it flagged the event, but we do not know how sure it is. */
export const DEFAULT_CONFIDENCE = 0.7;
/** Severity when the sensor gives a threat type but none. */
export const DEFAULT_SEVERITY: Severity = 'medium';

/** The verdict as a Detection: rule id `api/<threat_type>`, category from the whitelist, field `sensor`. */
export function verdictDetection(v: SensorVerdict): Detection {
  const d: Detection = {
    ruleId: `api/${v.threatType}`,
    category: categoryOf(v.threatType),
    severity: v.severity,
    confidence: v.confidence,
    field: 'sensor',
    fragment: truncateFragment(v.threatType),
  };
  if (v.description !== null) d.detail = v.description;
  return d;
}
