/**
 * The behaviour scenarios: what each one counts, and what it says when its bucket overflows.
 * The index of a scenario is its bucket's position in the IP slot (see ip-table.ts); the last one, slow-probing, has a
 * one-byte bucket of its own instead (ip-table.ts B.slowProbing).
 */
import { type Category, type Severity, SEVERITIES } from '../../core/index.js';
import type { BehaviourConfig } from './config.js';

export interface ScenarioSpec {
  /** ruleId is `behaviour/<id>`. */
  readonly id: string;
  readonly configKey: keyof BehaviourConfig['scenarios'];
  readonly category: Category;
  readonly confidence: number;
  /** What one token is, for the detail line. */
  readonly token: string;
  /**
   * Alert on a fresh overflow only, not again after each cooldown while the bucket stays full: a scraper reading a
   * shop for an hour is one crawl, not one finding every ten minutes.
   */
  readonly once?: true;
}

export const SCENARIOS = [
  {
    id: 'http-probing',
    configKey: 'httpProbing',
    category: 'scanner',
    confidence: 0.75,
    token: 'distinct 4xx paths',
  },
  {
    id: 'aggressive-crawl',
    configKey: 'aggressiveCrawl',
    category: 'crawler',
    confidence: 0.6,
    token: 'distinct page requests',
    once: true,
  },
  {
    id: 'bruteforce',
    configKey: 'bruteforce',
    category: 'bruteforce',
    confidence: 0.8,
    token: 'failed login POSTs',
  },
  {
    id: 'request-flood',
    configKey: 'requestFlood',
    category: 'dos',
    confidence: 0.85,
    token: 'weighted requests',
  },
  {
    id: 'ua-rotation',
    configKey: 'uaRotation',
    category: 'anomaly',
    confidence: 0.6,
    token: 'new user agents',
  },
  {
    id: 'ja4-rotation',
    configKey: 'ja4Rotation',
    category: 'anomaly',
    confidence: 0.6,
    token: 'new JA4 fingerprints',
  },
  {
    id: 'headless',
    configKey: 'headless',
    category: 'crawler',
    confidence: 0.5,
    token: 'pages without sub-resources',
    once: true,
  },
  {
    id: 'recurrence',
    configKey: 'recurrence',
    category: 'anomaly',
    confidence: 0.85,
    token: 'windows with a fresh overflow',
  },
  {
    // The slow tail of http-probing: the same tokens (403/404 on a path new to the IP's last four 4xx paths, not an
    // asset), good bots exempt, leaking one token per several minutes instead of per ten seconds.
    id: 'slow-probing',
    configKey: 'slowProbing',
    category: 'scanner',
    confidence: 0.6,
    token: 'distinct 4xx paths',
  },
] as const satisfies readonly ScenarioSpec[];

export type ScenarioId = (typeof SCENARIOS)[number]['id'];

export const S = {
  probing: 0,
  crawl: 1,
  bruteforce: 2,
  flood: 3,
  uaRotation: 4,
  ja4Rotation: 5,
  headless: 6,
  recurrence: 7,
  slowProbing: 8,
} as const;

/** One step up the severity ladder, at least `floor`. */
export function escalate(sev: Severity, floor: Severity = 'high'): Severity {
  const i = Math.min(SEVERITIES.length - 1, SEVERITIES.indexOf(sev) + 1);
  return SEVERITIES[Math.max(i, SEVERITIES.indexOf(floor))]!;
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITIES.indexOf(a) >= SEVERITIES.indexOf(b) ? a : b;
}
