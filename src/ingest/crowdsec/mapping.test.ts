import { describe, expect, it } from 'vitest';
import type { ThreatEvent } from '../../core/index.js';
import { lapiAlertSchema, lapiStreamSchema } from './lapi-schemas.js';
import { addressOf, alertToEvents, categoryOfScenario, decisionToEvent, ruleIdOf, severityOfRemediation } from './mapping.js';
import { pushable, toLapiAlerts } from './push.js';

const LAPI = 'http://127.0.0.1:8080';
const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);

// Captured from CrowdSec 1.4.6 (/work/shared/research/crowdsec-lapi.md).
const STREAM = lapiStreamSchema.parse({
  deleted: null,
  new: [
    { duration: '59m59.2851564s', id: 2, origin: 'cscli', scenario: 'manual range test', scope: 'Range', type: 'captcha', value: '10.9.0.0/16' },
    {
      duration: '3h59m59.285154898s',
      id: 1,
      origin: 'cscli',
      scenario: "manual 'ban' from '3d1219c7c4c5404aaa1f6d2a48adfda4'",
      scope: 'Ip',
      type: 'ban',
      value: '1.2.3.4',
    },
  ],
});

const ALERT = lapiAlertSchema.parse({
  capacity: 1,
  created_at: '2026-11-21T13:07:08Z',
  decisions: [
    { duration: '-100534h2m38.575799144s', id: 1, origin: 'crowdsec', scenario: 'crowdsecurity/http-bad-user-agent', scope: 'Ip', simulated: false, type: 'ban', value: '106.120.152.236' },
  ],
  events: [
    {
      meta: [
        { key: 'http_path', value: '/downloads/product_2?x=1' },
        { key: 'http_status', value: '200' },
        { key: 'http_user_agent', value: 'Mozilla/5.0 (compatible; MSIE 6.0; Windows NT 5.0)' },
        { key: 'http_verb', value: 'GET' },
        { key: 'source_ip', value: '106.120.152.236' },
        { key: 'timestamp', value: '2015-06-03T11:06:48Z' },
      ],
      timestamp: '2015-06-03 11:06:48 +0000 UTC',
    },
    { meta: [{ key: 'source_ip', value: '106.120.152.236' }], timestamp: '2015-06-03 11:06:50 +0000 UTC' },
  ],
  events_count: 2,
  id: 7,
  labels: null,
  leakspeed: '1m0s',
  machine_id: 'x',
  message: "Ip 106.120.152.236 performed 'crowdsecurity/http-bad-user-agent' (2 events over -44s)",
  scenario: 'crowdsecurity/http-bad-user-agent',
  scenario_hash: '51360ad6',
  scenario_version: '0.7',
  simulated: false,
  source: { ip: '106.120.152.236', scope: 'Ip', value: '106.120.152.236' },
  start_at: '2015-06-03 11:06:48 +0000 UTC',
  stop_at: '2015-06-03 11:06:04 +0000 UTC',
});

describe('scenario, remediation and scope tables', () => {
  it.each([
    ['crowdsecurity/http-sqli-probing', 'sqli'],
    ['crowdsecurity/http-xss-probing', 'xss'],
    ['crowdsecurity/http-path-traversal-probing', 'path_traversal'],
    ['crowdsecurity/ssh-bf', 'bruteforce'],
    ['crowdsecurity/http-wordpress_user-enum', 'bruteforce'],
    ['crowdsecurity/http-bad-user-agent', 'crawler'],
    ['crowdsecurity/http-crawl-non_statics', 'crawler'],
    ['crowdsecurity/http-probing', 'scanner'],
    ['crowdsecurity/http-sensitive-files', 'sensitive_file'],
    ['crowdsecurity/http-backdoors-attempts', 'webshell'],
    ['crowdsecurity/CVE-2021-41773', 'cve_probe'],
    ['crowdsecurity/apache_log4j2_cve-2021-44228', 'log4shell'],
    ['manual test', 'anomaly'],
  ])('%s is %s', (scenario, category) => {
    expect(categoryOfScenario(scenario)).toBe(category);
  });
  it.each([
    ['ban', 'high'],
    ['captcha', 'medium'],
    ['throttle', 'low'],
    ['custom', 'medium'],
  ])('remediation %s is %s', (type, severity) => {
    expect(severityOfRemediation(type)).toBe(severity);
  });
  it.each([
    ['crowdsecurity/ssh-bf', 'crowdsec', 'crowdsec/crowdsecurity/ssh-bf'],
    ["manual 'ban' from 'abc'", 'cscli', 'crowdsec/cscli'],
    ['free text', 'weird origin!', 'crowdsec/manual'],
  ])('rule id of %j (%s)', (scenario, origin, id) => {
    expect(ruleIdOf(scenario, origin)).toBe(id);
  });
  it.each([
    ['Ip', '1.2.3.4', { ip: '1.2.3.4', range: null }],
    ['ip', '::ffff:1.2.3.4', { ip: '1.2.3.4', range: null }],
    ['Ip', '2001:DB8::1', { ip: '2001:db8::1', range: null }],
    ['Range', '10.9.1.2/16', { ip: '10.9.0.0', range: '10.9.0.0/16' }],
    ['Range', '2001:db8::/48', { ip: '2001:db8::', range: '2001:db8::/48' }],
    ['Ip', 'not-an-ip', null],
    ['Range', '10.0.0.0/33', null],
    ['Country', 'FR', null],
    ['AS', '12345', null],
  ])('scope %s %s', (scope, value, want) => {
    expect(addressOf(scope, value)).toEqual(want);
  });
});

describe('decisionToEvent', () => {
  it('maps the captured stream: Range to its network, duration into the detail, stable ids', () => {
    const [range, ip] = STREAM.new!.map((d) => decisionToEvent(d, LAPI, NOW)!);
    expect(ip!.event).toMatchObject({ ip: '1.2.3.4', time: NOW, method: '-', path: '', origin: { kind: 'crowdsec', receivedAt: NOW } });
    expect(ip!.verdict).toMatchObject({ ruleId: 'crowdsec/cscli', severity: 'high', category: 'anomaly', field: 'sensor' });
    expect(ip!.verdict.detail).toBe('CrowdSec decision: ban 1.2.3.4, for 4 h more, origin cscli, decision 1');
    expect(range!.event.ip).toBe('10.9.0.0');
    expect(range!.verdict).toMatchObject({ severity: 'medium', fragment: 'manual range test' });
    expect(range!.verdict.detail).toBe('CrowdSec decision: captcha 10.9.0.0/16, for 60 min more, origin cscli, decision 2');
    // Same decision, another time: the same id (a re-read stores nothing twice); another LAPI: another id.
    expect(decisionToEvent(STREAM.new![1]!, LAPI, NOW + 5000)!.event.id).toBe(ip!.event.id);
    expect(decisionToEvent(STREAM.new![1]!, 'http://other:8080', NOW)!.event.id).not.toBe(ip!.event.id);
    expect(range!.event.id).not.toBe(ip!.event.id);
  });
  it('skips scopes without an address', () => {
    expect(decisionToEvent({ id: 3, origin: 'cscli', scope: 'Country', value: 'FR', type: 'ban', duration: '1h', scenario: 'x' }, LAPI, NOW)).toBeNull();
  });
  it('says when a decision has expired', () => {
    const e = decisionToEvent({ id: 4, origin: 'cscli', scope: 'Ip', value: '1.2.3.4', type: 'ban', duration: '-11.09ms', scenario: 'x' }, LAPI, NOW)!;
    expect(e.verdict.detail).toBe('CrowdSec decision: ban 1.2.3.4, expired, origin cscli, decision 4');
  });
});

describe('alertToEvents', () => {
  it('maps each CrowdSec event with its request fields and the log time', () => {
    const events = alertToEvents(ALERT, LAPI, NOW);
    expect(events).toHaveLength(2);
    const [a, b] = events;
    expect(a!.event).toMatchObject({
      ip: '106.120.152.236',
      time: Date.UTC(2015, 5, 3, 11, 6, 48),
      method: 'GET',
      path: '/downloads/product_2',
      query: 'x=1',
      status: 200,
      userAgent: 'Mozilla/5.0 (compatible; MSIE 6.0; Windows NT 5.0)',
      origin: { kind: 'crowdsec' },
    });
    expect(b!.event).toMatchObject({ time: Date.UTC(2015, 5, 3, 11, 6, 50), method: '-', path: '', status: 0, userAgent: null });
    expect(a!.verdict).toMatchObject({ ruleId: 'crowdsec/crowdsecurity/http-bad-user-agent', category: 'crawler', severity: 'high' });
    expect(a!.verdict.detail).toContain('CrowdSec alert 7');
    expect(a!.event.id).not.toBe(b!.event.id);
    expect(alertToEvents(ALERT, LAPI, NOW + 1).map((e) => e.event.id)).toEqual([a!.event.id, b!.event.id]);
  });
  it('makes one event of an alert without events (a manual decision), at its start', () => {
    const manual = lapiAlertSchema.parse({
      ...ALERT,
      id: 8,
      events: null,
      decisions: [],
      scenario: 'manual test',
      start_at: '2026-12-07 23:48:56 +0000 UTC',
      source: { ip: '10.9.0.0/16', scope: 'Range', value: '10.9.0.0/16' },
    });
    const [e] = alertToEvents(manual, LAPI, NOW);
    expect(e!.event).toMatchObject({ ip: '10.9.0.0', time: Date.UTC(2026, 11, 7, 23, 48, 56), method: '-' });
    expect(e!.verdict.severity).toBe('medium');
  });
  it('rejects what the LAPI must not send', () => {
    expect(lapiAlertSchema.safeParse({ ...ALERT, id: 'x' }).success).toBe(false);
    expect(lapiAlertSchema.safeParse({ ...ALERT, scenario: 'x'.repeat(2000) }).success).toBe(false);
    expect(lapiStreamSchema.safeParse({ new: [{ id: 1 }], deleted: null }).success).toBe(false);
  });
});

describe('toLapiAlerts (the sink)', () => {
  const threat = (ip: string, severity: ThreatEvent['severity'], kind: 'file' | 'crowdsec' = 'file'): ThreatEvent => ({
    event: {
      ...decisionToEvent({ id: 1, origin: 'x', scope: 'Ip', value: ip, type: 'ban', duration: '1h', scenario: 'x' }, LAPI, NOW)!.event,
      method: 'GET',
      path: '/q',
      query: 'id=1 union select',
      status: 403,
      userAgent: 'sqlmap/1.7',
      origin: kind === 'file' ? { kind: 'file', source: '/var/log/a', offset: 0, line: 1 } : { kind: 'crowdsec', source: 'c', receivedAt: NOW },
    },
    detections: [{ ruleId: 'sqli-union-select', category: 'sqli', severity, confidence: 0.9, field: 'query', fragment: 'union select' }],
    score: 0.8,
    severity,
    category: 'sqli',
  });
  it('pushes high threats of our own, never CrowdSec ones back', () => {
    expect(pushable(threat('1.2.3.4', 'high'), 'high')).toBe(true);
    expect(pushable(threat('1.2.3.4', 'medium'), 'high')).toBe(false);
    expect(pushable(threat('1.2.3.4', 'critical', 'crowdsec'), 'info')).toBe(false);
  });
  it('one alert per IP, in the shape POST /v1/alerts requires, with the decision', () => {
    const alerts = toLapiAlerts([threat('1.2.3.4', 'high'), threat('1.2.3.4', 'critical'), threat('5.6.7.8', 'high')], { minSeverity: 'high', decision: { type: 'ban', durationMs: 4 * 3_600_000 } }, NOW) as Record<string, unknown>[];
    expect(alerts).toHaveLength(2);
    const a = alerts[0]!;
    for (const k of ['scenario', 'scenario_hash', 'scenario_version', 'message', 'events_count', 'start_at', 'stop_at', 'capacity', 'leakspeed', 'simulated', 'events', 'source']) {
      expect(a, k).toHaveProperty(k);
    }
    expect(a).toMatchObject({
      scenario: 'rampart/sqli-union-select',
      events_count: 2,
      stop_at: '2026-12-07T12:00:00Z',
      source: { scope: 'Ip', value: '1.2.3.4', ip: '1.2.3.4' },
      decisions: [{ origin: 'crowdsec', type: 'ban', scope: 'Ip', value: '1.2.3.4', duration: '4h', scenario: 'rampart/sqli-union-select', simulated: false }],
    });
    expect((a.events as unknown[]).length).toBe(2);
    expect(toLapiAlerts([threat('1.2.3.4', 'high')], { minSeverity: 'high', decision: null }, NOW)[0]).toMatchObject({ decisions: [], remediation: true });
  });
});
