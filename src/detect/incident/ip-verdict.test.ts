import { describe, expect, it } from 'vitest';
import type { Category, HttpEvent, Severity, ThreatEvent } from '../../core/index.js';
import { scoreDetections } from '../score.js';
import { IpIncidents, type IpVerdict } from './ip-verdict.js';

const T0 = Date.UTC(2026, 0, 1);

/** One flagged line: rule, category, severity, path, seconds after T0; `sim` marks the detection simulated. */
interface Line { rule: string; cat: Category; sev: Severity; path?: string; at?: number; sim?: boolean; ip?: string; conf?: number }

function threat(l: Line): ThreatEvent {
  const event: HttpEvent = {
    id: `${l.ip ?? '192.0.2.1'}-${l.at ?? 0}-${l.path ?? '/'}`, time: T0 + (l.at ?? 0) * 1000, ip: l.ip ?? '192.0.2.1', peerIp: null,
    method: 'GET', host: null, path: l.path ?? '/', query: '', protocol: 'HTTP/1.1', status: 404, bytes: 0, referer: null,
    userAgent: null, requestTime: null, ja4: null, ja4h: null, headers: null,
    origin: { kind: 'file', source: 'a.log', offset: 0, line: 1 },
  };
  const detections = [{ ruleId: l.rule, category: l.cat, severity: l.sev, confidence: l.conf ?? 0.9, field: 'path', fragment: '', ...(l.sim ? { simulated: true } : {}) }];
  const v = scoreDetections(detections);
  return { event, detections, score: v.score, severity: v.severity, category: v.category };
}

const sqliHigh: Line = { rule: 'sqli-union', cat: 'sqli', sev: 'high', path: '/q' };
/** A medium line under certainScore (0.7 × 0.55 = 0.385). */
const probe = (path: string, at = 0): Line => ({ rule: 'sensitive-file-probe', cat: 'sensitive_file', sev: 'medium', path, at, conf: 0.7 });
const lowXss: Line = { rule: 'xss-weak', cat: 'xss', sev: 'low', path: '/search' };
const scenario = (at = 0): Line => ({ rule: 'behaviour/headless', cat: 'crawler', sev: 'medium', path: `/x${at}`, at, conf: 0.5 });
/** Lines that say what the client is (identityCategories). */
const surveyUa: Line = { rule: 'scanner-internet-survey-ua', cat: 'scanner', sev: 'low', path: '/', conf: 0.6 };
const tlsOnHttp: Line = { rule: 'protocol-tls-on-plain-http', cat: 'protocol', sev: 'low', path: '\\x16\\x03\\x01', conf: 0.7 };

function verdictOf(lines: Line[]): IpVerdict {
  const inc = new IpIncidents();
  inc.add(lines.map(threat));
  const v = inc.verdict(lines[0]?.ip ?? '192.0.2.1');
  if (v === undefined) throw new Error('no verdict');
  return v;
}

describe('IpIncidents verdict rule', () => {
  it.each<[string, Line[], boolean, Category]>([
    ['one certain attack flags the IP', [sqliHigh], true, 'sqli'],
    ['one certain attack plus weak lines is one incident of the attack', [sqliHigh, probe('/.env'), probe('/.git/config')], true, 'sqli'],
    ['a single low hit does not flag', [lowXss], false, 'xss'],
    ['a single medium hit does not flag', [probe('/.env')], false, 'sensitive_file'],
    ['a single confident medium hit is certain (0.9 × 0.55 ≥ 0.45)', [{ ...probe('/.env'), conf: 0.9 }], true, 'sensitive_file'],
    ['a single low hit at full confidence is not certain', [{ ...lowXss, conf: 1 }], false, 'xss'],
    ['two weak signals do not flag', [probe('/.env'), probe('/.git/config')], false, 'sensitive_file'],
    ['three distinct medium probes form a probe session', [probe('/.env', 0), probe('/.git/config', 5), probe('/wp-config.php.bak', 9)], true, 'sensitive_file'],
    ['the same weak rule on the same path repeated stays one signal', Array.from({ length: 50 }, (_, i) => ({ ...lowXss, at: i })), false, 'xss'],
    ['a scenario hit plus one weak line flags', [scenario(0), probe('/.env', 3)], true, 'sensitive_file'],
    ['a scenario hit alone does not flag', [scenario(0)], false, 'crawler'],
    ['one internet-survey scanner request flags (it names the client)', [surveyUa], true, 'scanner'],
    ['one TLS greeting to the HTTP port flags', [tlsOnHttp], true, 'protocol'],
    ['a probing burst alone flags as a scanner', [{ rule: 'behaviour/http-probing', cat: 'scanner', sev: 'medium', path: '/x', conf: 0.75 }], true, 'scanner'],
    ['three weak signals of very low confidence stay under the session score', [0, 1, 2].map((i) => ({ ...lowXss, path: `/p${i}`, conf: 0.3 })), false, 'xss'],
    ['three distinct low signals at usual confidence form a session', [0, 1, 2].map((i) => ({ ...lowXss, path: `/p${i}`, conf: 0.6 })), true, 'xss'],
    ['a critical behaviour line flags', [{ rule: 'behaviour/request-flood', cat: 'dos', sev: 'critical', path: '/' }], true, 'dos'],
  ])('%s', (_name, lines, flagged, category) => {
    const v = verdictOf(lines);
    expect(v.flagged).toBe(flagged);
    expect(v.category).toBe(category);
    expect(v.lines).toBe(lines.length);
    expect(v.score).toBeGreaterThan(0);
    expect(v.score).toBeLessThanOrEqual(1);
  });

  it('counts lines by category and severity and keeps the first and last time', () => {
    const v = verdictOf([probe('/.env', 30), sqliHigh, probe('/.git/config', 90)]);
    expect(v.categories).toEqual({ sensitive_file: 2, sqli: 1 });
    expect(v.severities).toMatchObject({ medium: 2, high: 1, low: 0 });
    expect([v.first, v.last]).toEqual([T0, T0 + 90_000]);
    expect(v.certain).toBe(1);
  });

  it('a session scores more than any of its lines, and the certain line dominates the category', () => {
    const one = verdictOf([probe('/.env')]);
    const three = verdictOf([probe('/.env'), probe('/.git/config'), probe('/.aws/credentials')]);
    expect(three.score).toBeGreaterThan(one.score);
    expect(verdictOf([probe('/.env'), probe('/a'), probe('/b'), probe('/c'), sqliHigh]).category).toBe('sqli');
    expect(verdictOf([probe('/.env'), probe('/a'), lowXss]).category).toBe('sensitive_file');
  });

  it('a repeated certain line does not raise the score', () => {
    expect(verdictOf([sqliHigh, { ...sqliHigh, at: 9 }]).score).toBe(verdictOf([sqliHigh]).score);
  });

  it('ignores simulated-only lines', () => {
    const inc = new IpIncidents();
    inc.add([threat({ ...sqliHigh, sim: true })]);
    expect(inc.verdict('192.0.2.1')).toBeUndefined();
  });

  it('keeps IPs apart', () => {
    const inc = new IpIncidents();
    inc.add([threat({ ...sqliHigh, ip: '192.0.2.7' }), threat({ ...lowXss, ip: '192.0.2.8' })]);
    expect([...inc.verdicts()].map((v) => [v.ip, v.flagged])).toEqual([['192.0.2.7', true], ['192.0.2.8', false]]);
  });
});

describe('IpIncidents memory bound', () => {
  it('evicts the least recently updated IP past maxIps and hands over its final verdict', () => {
    const evicted: IpVerdict[] = [];
    const inc = new IpIncidents({ maxIps: 2 }, (v) => evicted.push(v));
    inc.add([threat({ ...sqliHigh, ip: '192.0.2.1' }), threat({ ...lowXss, ip: '192.0.2.2' })]);
    inc.add([threat({ ...sqliHigh, ip: '192.0.2.1', at: 5 })]); // .1 is now the most recent
    inc.add([threat({ ...lowXss, ip: '192.0.2.3' })]);
    expect(evicted.map((v) => [v.ip, v.flagged, v.lines])).toEqual([['192.0.2.2', false, 1]]);
    expect(inc.size).toBe(2);
    expect(inc.evicted).toBe(1);
    expect(inc.verdict('192.0.2.1')?.lines).toBe(2);
  });

  it('stays within maxIps under a flood of distinct IPs', () => {
    let n = 0;
    const inc = new IpIncidents({ maxIps: 100 }, () => n++);
    for (let i = 0; i < 5000; i++) inc.add([threat({ ...lowXss, ip: `10.0.${i >> 8}.${i & 255}` })]);
    expect(inc.size).toBe(100);
    expect(n).toBe(4900);
  });
});
