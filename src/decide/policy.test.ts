/** The decision policy as tables: which rule takes a threat, the target, the ladder, exemptions, simulate. */
import { describe, expect, it } from 'vitest';
import type { Detection, ThreatEvent } from '../core/index.js';
import { Allowlist, configAllowSpecs, GoodBotMatcher } from '../detect/index.js';
import { makeDetection, makeEvent, makeThreat } from '../store/testing/fixtures.js';
import { decisionsConfigSchema } from './config.js';
import { goDuration, parseDuration } from './duration.js';
import { compilePolicy, decisionOf, propose, type DecisionPolicy } from './policy.js';
import { targetOfIp, targetOfText } from './target.js';

const H = 3_600_000;
const NOW = Date.UTC(2026, 11, 7, 12);

function policy(input: unknown = {}, allow: { ips?: string[]; userAgents?: string[] } = {}): DecisionPolicy {
  const config = decisionsConfigSchema.parse(input);
  const allowlist = new Allowlist(configAllowSpecs({ ips: allow.ips ?? [], paths: [], userAgents: allow.userAgents ?? [], rules: [] }));
  return compilePolicy(config, { allowlist, goodBots: new GoodBotMatcher() });
}

function threat(over: { ip?: string; ua?: string; severity?: ThreatEvent['severity']; category?: ThreatEvent['category']; score?: number; detections?: Detection[] } = {}) {
  const event = makeEvent('e1', { ip: over.ip ?? '192.0.2.10', userAgent: over.ua ?? 'curl/8.0' });
  return makeThreat(event, {
    severity: over.severity ?? 'high',
    category: over.category ?? 'sqli',
    score: over.score ?? 0.9,
    ...(over.detections ? { detections: over.detections } : {}),
  });
}

describe('default policy', () => {
  const p = policy();
  it.each([
    ['a high sqli scoring 0.9', threat(), 'ban-high', 'ban'],
    ['a critical rce', threat({ severity: 'critical', category: 'rce', detections: [makeDetection({ ruleId: 'rce-shell', category: 'rce', severity: 'critical' })] }), 'ban-high', 'ban'],
    ['a high threat scoring 0.5', threat({ score: 0.5 }), null, null],
    ['a medium scanner', threat({ severity: 'medium', category: 'scanner', score: 0.4, detections: [makeDetection({ ruleId: 'scanner-ua', category: 'scanner', severity: 'medium' })] }), 'captcha-probing', 'captcha'],
    ['a low scanner', threat({ severity: 'low', category: 'scanner', detections: [makeDetection({ ruleId: 'scanner-ua', category: 'scanner', severity: 'low' })] }), null, null],
    ['a medium xss', threat({ severity: 'medium', category: 'xss', score: 0.6 }), null, null],
    ['a simulated-only threat', threat({ detections: [makeDetection({ simulated: true })] }), null, null],
    ['a threat scoring 0', threat({ score: 0 }), null, null],
  ])('%s', (_name, t, rule, type) => {
    const out = propose(p, t);
    if (rule === null) expect(out.kind).toBe('none');
    else {
      expect(out.kind).toBe('propose');
      if (out.kind !== 'propose') return;
      expect(out.rule.id).toBe(rule);
      expect(decisionOf(out, 0, NOW).type).toBe(type);
    }
  });
});

describe('escalation', () => {
  const p = policy({ rules: [{ id: 'r', durations: ['4h', '24h', '7d'] }] });
  it.each([
    [0, 4 * H, 1],
    [1, 24 * H, 2],
    [2, 7 * 24 * H, 3],
    [3, 7 * 24 * H, 4],
    [50, 7 * 24 * H, 51],
  ])('after %i prior offences: %i ms', (prior, ms, offence) => {
    const out = propose(p, threat());
    if (out.kind !== 'propose') throw new Error('expected a proposal');
    const d = decisionOf(out, prior, NOW);
    expect(d.until).toBe(NOW + ms);
    expect(d.offence).toBe(offence);
  });
});

describe('targets and the IPv6 prefix', () => {
  it.each([
    ['192.0.2.10', 64, { scope: 'Ip', value: '192.0.2.10' }],
    ['2001:db8:1:2:3:4:5:6', 64, { scope: 'Range', value: '2001:db8:1:2::/64' }],
    ['2001:db8:1:2:3:4:5:6', 48, { scope: 'Range', value: '2001:db8:1::/48' }],
    ['2001:db8:1:2:3:4:5:6', 128, { scope: 'Ip', value: '2001:db8:1:2:3:4:5:6' }],
    ['not-an-ip', 64, null],
  ])('%s on /%i', (ip, prefix, want) => {
    expect(targetOfIp(ip, prefix)).toEqual(want);
  });
  it('a threat from IPv6 is decided on its network', () => {
    const out = propose(policy({ ipv6Prefix: 56 }), threat({ ip: '2001:db8:aa:bbcc::1' }));
    expect(out.kind === 'propose' && out.target).toEqual({ scope: 'Range', value: '2001:db8:aa:bb00::/56' });
  });
  it.each([
    ['1.2.3.4', { scope: 'Ip', value: '1.2.3.4' }],
    ['10.9.0.0/16', { scope: 'Range', value: '10.9.0.0/16' }],
    ['10.9.1.1/16', { scope: 'Range', value: '10.9.0.0/16' }],
    ['1.2.3.4/32', { scope: 'Ip', value: '1.2.3.4' }],
  ])('typed target %s', (text, want) => expect(targetOfText(text)).toEqual(want));
  it('refuses text that is no address', () => expect(() => targetOfText('nope')).toThrow(/invalid CIDR "nope"/));
});

describe('exemptions', () => {
  it('the detection allowlist is checked again at decision time', () => {
    expect(propose(policy({}, { ips: ['192.0.2.0/24'] }), threat())).toEqual({ kind: 'exempt', reason: 'allowlist', rule: 'ban-high' });
    expect(propose(policy({}, { userAgents: ['curl'] }), threat())).toMatchObject({ kind: 'exempt', reason: 'allowlist' });
  });
  it.each(['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'Mozilla/5.0 (compatible; bingbot/2.0)'])(
    'a known good bot is never decided on: %s',
    (ua) => expect(propose(policy(), threat({ ua }))).toMatchObject({ kind: 'exempt', reason: 'good-bot' }),
  );
  const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
  const withBot = (bot: ThreatEvent['bot']) => {
    const t = threat({ ua: GOOGLEBOT });
    return bot === undefined ? t : { ...t, bot };
  };
  const strict = (): DecisionPolicy => ({ ...policy(), requireVerifiedBots: true });
  it.each([
    ['a claim with no DNS verdict yet', policy, undefined, 'exempt'],
    ['a claim DNS verified', policy, 'verified', 'exempt'],
    ['a claim DNS proved fake', policy, 'fake', 'propose'],
    ['requireVerified: a claim with no verdict', strict, undefined, 'propose'],
    ['requireVerified: a verified claim', strict, 'verified', 'exempt'],
    ['requireVerified: a fake claim', strict, 'fake', 'propose'],
  ] as const)('good-bot claims and DNS verdicts: %s', (_what, make, bot, kind) => {
    expect(propose(make(), withBot(bot)).kind).toBe(kind);
  });
});

describe('rules', () => {
  it('match by scenario glob, first rule wins, simulate is carried', () => {
    const p = policy({
      rules: [
        { id: 'sim-xss', scenarios: ['xss-*'], remediation: 'throttle', simulate: true, durations: ['10m'] },
        { id: 'all', remediation: 'captcha', durations: ['1h'] },
      ],
    });
    const xss = threat({ category: 'xss', detections: [makeDetection({ ruleId: 'xss-script-tag', category: 'xss' })] });
    const out = propose(p, xss);
    if (out.kind !== 'propose') throw new Error('expected a proposal');
    expect(decisionOf(out, 0, NOW)).toEqual({
      target: { scope: 'Ip', value: '192.0.2.10' },
      type: 'throttle',
      scenario: 'xss-script-tag',
      rule: 'sim-xss',
      until: NOW + 600_000,
      simulated: true,
      offence: 1,
    });
    const sqli = propose(p, threat());
    expect(sqli.kind === 'propose' && sqli.rule.id).toBe('all');
  });
  it('skips simulated detections when choosing the scenario', () => {
    const p = policy({ rules: [{ id: 'r' }] });
    const out = propose(p, threat({ detections: [makeDetection({ ruleId: 'sim-one', simulated: true }), makeDetection({ ruleId: 'live-one' })] }));
    expect(out.kind === 'propose' && out.scenario).toBe('live-one');
  });
});

describe('config validation names the key', () => {
  it.each([
    [{ rules: [{ id: 'r', remediation: 'drop' }] }, /rules\.0\.remediation|remediation/],
    [{ rules: [{ id: 'r', durations: ['4x'] }] }, /duration "4x" is not valid/],
    [{ rules: [{ id: 'r' }, { id: 'r' }] }, /rule id "r" is used twice/],
    [{ ipv6Prefix: 12 }, /ipv6Prefix|>=32|32/],
    [{ rules: [{ id: 'r', typo: 1 }] }, /typo/],
  ])('%j', (input, message) => {
    const r = decisionsConfigSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')).toMatch(message);
  });
});

describe('durations', () => {
  it.each([
    ['4h', 4 * H],
    ['1h30m', 1.5 * H],
    ['7d', 7 * 24 * H],
    ['90s', 90_000],
    ['2w', 14 * 24 * H],
  ])('%s', (s, ms) => expect(parseDuration(s)).toBe(ms));
  it.each(['', '0s', '4', 'h', '-1h', '4h ban', '99999w'])('refuses %j', (s) => expect(() => parseDuration(s)).toThrow());
  it.each([
    [4 * H - 714.85, '3h59m59.285s'],
    [59 * 60_000, '59m0s'],
    [-11, '-11ms'],
    [0, '0s'],
    [1500, '1.5s'],
    [7 * 24 * H, '168h0m0s'],
    [-(2 * H + 1), '-2h0m0.001s'],
  ])('Go form of %f ms', (ms, s) => expect(goDuration(ms)).toBe(s));
});

describe('at start-up', () => {
  it('validateConfig names the key of a bad policy value', async () => {
    const { validateConfig } = await import('../config/index.js');
    expect(() => validateConfig({ decisions: { rules: [{ id: 'r', durations: ['soon'] }] } })).toThrow(/decisions\.rules\.0\.durations\.0|decisions\.rules\[0\]\.durations\[0\]/);
    expect(validateConfig({}).decisions.rules.map((r) => r.id)).toEqual(['ban-high', 'captcha-probing']);
  });
});
