/** What detectors say about an event, and the flagged event that the store keeps. */
import type { HttpEvent } from './event.js';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Severity on the 1-10 scale used by the API and the models issue. */
export const SEVERITY_SCORE: Record<Severity, number> = { info: 1, low: 3, medium: 5, high: 8, critical: 10 };

export const CATEGORIES = [
  'sqli',
  'xss',
  'path_traversal',
  'lfi',
  'rfi',
  'rce',
  'php_injection',
  'log4shell',
  'ssrf',
  'xxe',
  'ssti',
  'nosqli',
  'crlf',
  'open_redirect',
  'scanner',
  'sensitive_file',
  'webshell',
  'cve_probe',
  'bruteforce',
  'crawler',
  'dos',
  'protocol',
  'anomaly',
] as const;
export type Category = (typeof CATEGORIES)[number];

export interface Detection {
  /** Rule, scenario or model id, e.g. `sqli-union-select`. */
  ruleId: string;
  category: Category;
  severity: Severity;
  /** 0..1: how sure the rule is that this is the attack it names. */
  confidence: number;
  /** Which field matched: path, query, arg:<name>, user_agent, referer, method, header:<name>, behaviour. */
  field: string;
  /** The matched text, truncated to 200 characters. */
  fragment: string;
  /** Transforms that revealed the match (e.g. ['urlDecode', 'htmlEntityDecode']), empty when none. */
  transforms?: readonly string[];
  /** Set when the rule runs in simulation: recorded, but raises no alert and no decision. */
  simulated?: boolean;
  /** Free-form explanation (behaviour counters that tripped, etc.). */
  detail?: string;
}

/** A flagged event: the event, what fired, and the combined verdict. */
export interface ThreatEvent {
  event: HttpEvent;
  detections: readonly Detection[];
  /** 0..1 */
  score: number;
  severity: Severity;
  category: Category;
  /** Where the source IP is, from the local GeoIP/ASN databases; set after detection (src/pipeline/annotate.ts). */
  geo?: ThreatGeo;
  /**
   * The DNS verdict on the source's good-bot claim when one was known at detection (bot verification on): the
   * decision policy exempts a claimed good bot only if it is not proven fake (or is verified, when required).
   */
  bot?: 'verified' | 'fake';
}

/**
 * True when every detection of a flagged event is in simulation: it is stored as evidence of what the
 * rule would have done, but it is not a threat (no score, no alert) and no threat count includes it.
 */
export function isSimulatedOnly(t: Pick<ThreatEvent, 'detections'>): boolean {
  return t.detections.length > 0 && t.detections.every((d) => d.simulated === true);
}

/** Geography and network of a threat's source. `kind` says why the rest may be absent (private, reserved…). */
export interface ThreatGeo {
  /** The address class (src/net/ip-class.ts): only `public` addresses are looked up. */
  kind: string;
  /** ISO 3166-1 alpha-2. */
  country?: string;
  countryName?: string;
  city?: string;
  lat?: number;
  lon?: number;
  asn?: number;
  asOrg?: string;
}

export const MAX_FRAGMENT = 200;

export function truncateFragment(s: string): string {
  return s.length > MAX_FRAGMENT ? s.slice(0, MAX_FRAGMENT) + '…' : s;
}
