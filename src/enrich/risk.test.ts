import { describe, expect, it } from 'vitest';
import { computeRisk, riskLevel, sourceScore } from './risk.js';
import type { ProviderResult } from './types.js';

const ok = (source: string, data: Record<string, unknown>): ProviderResult => ({ source, status: 'ok', data, duration_ms: 1 });
const err = (source: string): ProviderResult => ({ source, status: 'error', data: null, error: 'x', duration_ms: 1 });
const skip = (source: string): ProviderResult => ({ source, status: 'skipped', data: null, error: 'no key', duration_ms: 0 });
const abuse = (c: number, categories: string[] = []) => ok('abuseipdb', { abuse_confidence: c, categories });
const vt = (malicious: number, suspicious = 0, reputation = 0) => ok('virustotal', { malicious, suspicious, reputation });
const otx = (pulse_count: number, malware_families: string[] = []) => ok('otx', { pulse_count, malware_families });

describe('sourceScore', () => {
  it.each([
    [abuse(73), 73],
    [abuse(150), 100],
    [vt(0), 0],
    [vt(1), 12],
    [vt(2, 1), 28],
    [vt(0, 0, -40), 20],
    [vt(20), 100],
    [otx(0), 0],
    [otx(2), 20],
    [otx(9), 60],
    [otx(1, ['Mirai']), 40],
    [ok('virustotal', { found: false }), 0],
    [err('abuseipdb'), null],
  ])('%j → %s', (r, s) => expect(sourceScore(r)).toBe(s));
});

describe('computeRisk', () => {
  it.each<[string, ProviderResult[], number, string]>([
    ['nothing answered', [err('abuseipdb'), err('virustotal')], 0, 'none'],
    ['all clean', [abuse(0), vt(0), otx(0)], 0, 'none'],
    ['weighted mean', [abuse(40), vt(2), otx(2)], 32, 'medium'],
    ['one confident source is enough', [abuse(100), vt(0), otx(0)], 80, 'critical'],
    ['an error is no evidence: the strongest answer still floors the score', [abuse(60), err('virustotal'), err('otx')], 48, 'medium'],
    ['skipped sources do not apply', [abuse(60), skip('virustotal'), skip('otx')], 60, 'high'],
    ['low', [abuse(5), vt(0)], 4, 'low'],
    ['everything bad', [abuse(100), vt(12, 2, -42), otx(3, ['Mirai'])], 92, 'critical'],
  ])('%s', (_name, sources, score, level) => {
    const r = computeRisk(sources);
    expect(r.risk_score).toBe(score);
    expect(r.risk_level).toBe(level);
  });

  // Issue 8: 77/high with all three answering, 81/critical when OTX was over its quota.
  it('a provider over its quota does not lift the score', () => {
    expect(computeRisk([abuse(69), vt(8), otx(2)])).toMatchObject({ risk_score: 77, risk_level: 'high' });
    expect(computeRisk([abuse(69), vt(8), err('otx')])).toMatchObject({ risk_score: 77, risk_level: 'high' });
  });

  it.each([
    [[abuse(40), vt(2), otx(2)]],
    [[abuse(69), vt(8), otx(2)]],
    [[abuse(5), vt(0), otx(6, ['Mirai'])]],
    [[abuse(0), vt(1), otx(0)]],
  ])('an error in place of any answer never raises the score: %j', (answers) => {
    const full = computeRisk(answers).risk_score;
    for (let i = 0; i < answers.length; i++) {
      const partial = answers.map((a, j) => (j === i ? err(a.source) : a));
      expect(computeRisk(partial).risk_score).toBeLessThanOrEqual(full);
    }
  });

  it('unions categories from successful sources only', () => {
    const r = computeRisk([abuse(90, ['ssh', 'bruteforce']), vt(3), otx(1, ['Mirai']), { ...err('otx'), data: { categories: ['nope'] } }]);
    expect(r.categories).toEqual(['bruteforce', 'malicious', 'malware:mirai', 'ssh']);
  });

  it.each([
    [0, 'none'],
    [1, 'low'],
    [24, 'low'],
    [25, 'medium'],
    [50, 'high'],
    [79, 'high'],
    [80, 'critical'],
    [100, 'critical'],
  ])('level(%i) = %s', (s, l) => expect(riskLevel(s)).toBe(l));
});
