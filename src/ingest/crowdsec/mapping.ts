/**
 * CrowdSec's findings as Rampart events (pure tables, tested with cases in mapping.test.ts):
 *
 * - a decision (bouncer stream) is one event at the decided address (a Range's network address, the range kept in
 *   the detail), with no HTTP request (`-`), and a Detection `crowdsec/<scenario>` whose severity follows the
 *   remediation (ban high, captcha medium, throttle low);
 * - an alert (machine API) is one event per CrowdSec event it carries (path, verb, User-Agent, status and host from
 *   the event's meta when the parser set them), or one event for an alert without events (a manual decision);
 *   severity follows its strongest decision, medium without one.
 *
 * The category comes from the scenario name (KEYWORD_CATEGORIES, first match). Ids are stable: derived from the
 * LAPI's address, the kind, the decision or alert id and the event's index, so a re-read stores nothing twice.
 * Scopes other than Ip and Range (Country, AS, Username…) have no address and are skipped (counted by the caller).
 */
import { truncateFragment, type Category, type Detection, type HttpEvent, type Severity } from '../../core/index.js';
import { normaliseIp, parseCidr } from '../../net/index.js';
import { eventId } from '../event-id.js';
import type { LapiAlert, LapiDecision, LapiEvent } from './lapi-schemas.js';
import { parseGoDuration, parseLapiTime } from './lapi-time.js';

/** The per-source counters' key and the origin's source of every CrowdSec event. */
export const CROWDSEC_SOURCE = 'crowdsec';

export interface CrowdsecEvent {
  event: HttpEvent;
  verdict: Detection;
}

/** Scenario name keywords → category, first match wins (hub names: `crowdsecurity/http-sqli-probing`…). */
export const KEYWORD_CATEGORIES: readonly (readonly [RegExp, Category])[] = [
  [/sqli|sql-inj/, 'sqli'],
  [/xss/, 'xss'],
  [/path-traversal|traversal/, 'path_traversal'],
  [/\blfi\b|-lfi/, 'lfi'],
  [/\brfi\b|-rfi/, 'rfi'],
  [/log4j|log4shell/, 'log4shell'],
  [/cve|exploit|spring4shell|vmware|fortinet|citrix|jira|confluence/, 'cve_probe'],
  [/backdoor|webshell/, 'webshell'],
  [/sensitive-files|sensitive_files|\.env|git-dir/, 'sensitive_file'],
  [/bf\b|-bf-|bruteforce|brute-force|user-enum|wordpress-bf|credential/, 'bruteforce'],
  [/ddos|flood|dos\b/, 'dos'],
  [/crawl|bad-user-agent|bot/, 'crawler'],
  [/scan|probing|probe|enum|portscan/, 'scanner'],
];

export function categoryOfScenario(scenario: string): Category {
  const s = scenario.toLowerCase().slice(0, 256);
  for (const [re, category] of KEYWORD_CATEGORIES) if (re.test(s)) return category;
  return 'anomaly';
}

/** Remediation → severity: what CrowdSec chose to do says how bad it judged it. */
export const REMEDIATION_SEVERITY: Readonly<Record<string, Severity>> = { ban: 'high', captcha: 'medium', throttle: 'low' };

export function severityOfRemediation(type: string): Severity {
  return REMEDIATION_SEVERITY[type.toLowerCase()] ?? 'medium';
}

const ORDER: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** A hub scenario name (`owner/name`) keeps its name in the rule id; a free-text reason (cscli) gives `crowdsec/<origin>`. */
export function ruleIdOf(scenario: string, origin: string): string {
  if (/^[A-Za-z0-9_.-]{1,64}\/[A-Za-z0-9_.-]{1,96}$/.test(scenario)) return `crowdsec/${scenario}`;
  return `crowdsec/${/^[A-Za-z0-9_.-]{1,32}$/.test(origin) ? origin.toLowerCase() : 'manual'}`;
}

/** The address a decision or alert is about: an Ip's address, a Range's network address; null for other scopes. */
export function addressOf(scope: string, value: string): { ip: string; range: string | null } | null {
  switch (scope.toLowerCase()) {
    case 'ip': {
      const ip = normaliseIp(value);
      return ip === null ? null : { ip, range: null };
    }
    case 'range': {
      try {
        const c = parseCidr(value);
        return { ip: c.network, range: `${c.network}/${c.prefix}` };
      } catch {
        return null;
      }
    }
    default:
      return null;
  }
}

function baseEvent(id: string, ip: string, time: number, lapiUrl: string, receivedAt: number): HttpEvent {
  return {
    id,
    time,
    ip,
    peerIp: null,
    method: '-',
    host: null,
    path: '',
    query: '',
    protocol: '',
    status: 0,
    bytes: 0,
    referer: null,
    userAgent: null,
    requestTime: null,
    ja4: null,
    ja4h: null,
    headers: null,
    origin: { kind: 'crowdsec', source: `${CROWDSEC_SOURCE}:${lapiUrl}`.slice(0, 300), receivedAt },
  };
}

function hoursText(ms: number): string {
  return ms >= 3_600_000 ? `${Math.round(ms / 360_000) / 10} h` : `${Math.max(1, Math.round(ms / 60_000))} min`;
}

/** One decision of the stream as an event (time: when it was seen), or null for a scope without an address. */
export function decisionToEvent(d: LapiDecision, lapiUrl: string, receivedAt: number): CrowdsecEvent | null {
  const at = addressOf(d.scope, d.value);
  if (at === null) return null;
  const left = parseGoDuration(d.duration);
  const event = baseEvent(eventId(`crowdsec\u0000decision\u0000${lapiUrl}\u0000${d.id}`), at.ip, receivedAt, lapiUrl, receivedAt);
  const detail = [
    `${d.type} ${at.range ?? at.ip}`,
    left === null ? null : left <= 0 ? 'expired' : `for ${hoursText(left)} more`,
    `origin ${d.origin}`,
    `decision ${d.id}`,
    d.simulated ? 'simulated' : null,
  ]
    .filter((x) => x !== null)
    .join(', ');
  return {
    event,
    verdict: {
      ruleId: ruleIdOf(d.scenario, d.origin),
      category: categoryOfScenario(d.scenario),
      severity: severityOfRemediation(d.type),
      confidence: 0.9,
      field: 'sensor',
      fragment: truncateFragment(d.scenario),
      detail: `CrowdSec decision: ${detail}`.slice(0, 1000),
    },
  };
}

function metaOf(e: LapiEvent): Map<string, string> {
  return new Map((e.meta ?? []).map((m) => [m.key, m.value]));
}

function bounded(v: string | undefined, max: number): string | null {
  return v === undefined || v === '' ? null : v.slice(0, max);
}

/** The alert's events as Rampart events (one for an alert without events), or [] for a scope without an address. */
export function alertToEvents(a: LapiAlert, lapiUrl: string, receivedAt: number): CrowdsecEvent[] {
  const at = addressOf(a.source.scope, a.source.ip ?? a.source.value) ?? addressOf(a.source.scope, a.source.value);
  if (at === null) return [];
  const createdAt = parseLapiTime(a.created_at) ?? receivedAt;
  const alertTime = (a.start_at ? parseLapiTime(a.start_at) : null) ?? createdAt;
  const decisions = a.decisions ?? [];
  let severity: Severity = 'medium';
  if (decisions.length > 0) {
    severity = decisions.map((d) => severityOfRemediation(d.type)).reduce((x, y) => (ORDER.indexOf(y) > ORDER.indexOf(x) ? y : x), 'info');
  }
  const verdict: Detection = {
    ruleId: ruleIdOf(a.scenario, decisions[0]?.origin ?? 'crowdsec'),
    category: categoryOfScenario(a.scenario),
    severity,
    confidence: 0.9,
    field: 'sensor',
    fragment: truncateFragment(a.scenario),
    detail: [
      `CrowdSec alert ${a.id}`,
      a.message ? a.message.slice(0, 500) : null,
      decisions.length > 0 ? `decisions: ${decisions.map((d) => `${d.type} ${d.value}`).join(', ').slice(0, 300)}` : null,
      a.simulated ? 'simulated' : null,
    ]
      .filter((x) => x !== null)
      .join('; '),
  };
  const events = a.events ?? [];
  const key = (i: number) => eventId(`crowdsec\u0000alert\u0000${lapiUrl}\u0000${a.id}\u0000${i}`);
  if (events.length === 0) return [{ event: baseEvent(key(0), at.ip, alertTime, lapiUrl, receivedAt), verdict }];
  return events.map((e, i) => {
    const meta = metaOf(e);
    const time = parseLapiTime(meta.get('timestamp') ?? '') ?? parseLapiTime(e.timestamp) ?? alertTime;
    // An event's own source_ip is the address when the parser set a valid one (it is the same IP for Ip alerts).
    const ip = (at.range === null ? normaliseIp(meta.get('source_ip') ?? '') : null) ?? at.ip;
    const event = baseEvent(key(i), ip, time, lapiUrl, receivedAt);
    const target = meta.get('http_path');
    if (target !== undefined && target !== '') {
      const bound = target.slice(0, 8192);
      const q = bound.indexOf('?');
      event.path = q < 0 ? bound : bound.slice(0, q);
      event.query = q < 0 ? '' : bound.slice(q + 1);
      event.method = bounded(meta.get('http_verb'), 16) ?? 'GET';
    }
    event.userAgent = bounded(meta.get('http_user_agent'), 8192);
    event.host = bounded(meta.get('target_fqdn'), 253);
    const status = Number(meta.get('http_status'));
    if (Number.isInteger(status) && status >= 100 && status <= 999) event.status = status;
    return { event, verdict };
  });
}
