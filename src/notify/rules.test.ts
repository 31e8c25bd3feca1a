import { describe, expect, it } from 'vitest';
import { makeDetection } from '../store/testing/fixtures.js';
import type { RouteConfig } from './config.js';
import { effectiveRoutes, matchRoutes, routeDetection } from './routes.js';
import { threat } from './testing/fixtures.js';
import { wildcardMatch } from './wildcard.js';

describe('wildcards', () => {
  it.each([
    ['sqli-*', 'sqli-union-select', true],
    ['sqli-*', 'xss-script', false],
    ['behaviour/*', 'behaviour/http-probing', true],
    ['*.example.com', 'www.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'evil.com/.example.com', true],
    ['WWW.Example.COM', 'www.example.com', true],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
    ['*', '', true],
    ['', '', true],
    ['exact', 'exact2', false],
  ])('%s ~ %s -> %s', (p, s, want) => expect(wildcardMatch(p, s)).toBe(want));

  it('stays fast on a hostile text (no backtracking blow-up)', () => {
    const text = 'a'.repeat(8192);
    const started = performance.now();
    expect(wildcardMatch('*a*a*a*a*a*a*a*b', text)).toBe(false);
    // Generous: quadratic at worst is a few ms here; exponential would never finish.
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

const route = (over: Partial<RouteConfig> = {}): RouteConfig => ({ channels: ['ops'], minSeverity: 'high', categories: [], rules: [], hosts: [], ...over });

describe('route filters', () => {
  const xss = makeDetection({ ruleId: 'xss-script-tag', category: 'xss', severity: 'medium' });
  const sqli = makeDetection({ ruleId: 'sqli-union-select', category: 'sqli', severity: 'critical' });
  it.each([
    ['severity at the minimum', route(), threat(), 'sqli-union-select'],
    ['severity below', route({ minSeverity: 'critical' }), threat(), undefined],
    ['category listed', route({ categories: ['xss', 'sqli'] }), threat(), 'sqli-union-select'],
    ['category not listed', route({ categories: ['xss'] }), threat(), undefined],
    ['host wildcard', route({ hosts: ['*.example.com'] }), threat(), 'sqli-union-select'],
    ['host wildcard, other host', route({ hosts: ['*.example.org'] }), threat(), undefined],
    ['host filter, no host logged', route({ hosts: ['*'] }), threat({ host: null }), undefined],
    ['rule filter picks the detection it matched', route({ rules: ['xss-*'] }), threat({ severity: 'critical', detections: [sqli, xss] }), 'xss-script-tag'],
    ['no rule filter: the most severe detection', route(), threat({ severity: 'critical', detections: [xss, sqli] }), 'sqli-union-select'],
    ['rule filter, no rule matches', route({ rules: ['rce-*'] }), threat(), undefined],
    ['simulated detections do not count', route(), threat({ detections: [makeDetection({ simulated: true })] }), undefined],
  ])('%s', (_name, r, t, rule) => {
    expect(routeDetection(r, t)?.ruleId).toBe(rule);
  });

  it('sends to each channel once, with the first matching route’s detection; nothing for score 0 or simulation only', () => {
    const routes = [route({ channels: ['ops', 'mail'], rules: ['sqli-*'] }), route({ channels: ['ops', 'slack'], minSeverity: 'low' })];
    expect(matchRoutes(routes, threat()).map((m) => [m.channel, m.detection.ruleId])).toEqual([
      ['ops', 'sqli-union-select'],
      ['mail', 'sqli-union-select'],
      ['slack', 'sqli-union-select'],
    ]);
    expect(matchRoutes(routes, threat({ score: 0 }))).toEqual([]);
    expect(matchRoutes(routes, threat({ detections: [makeDetection({ simulated: true })] }))).toEqual([]);
  });

  it('without routes, every channel gets alerts of severity high and above', () => {
    const routes = effectiveRoutes([], ['ops', 'mail']);
    expect(matchRoutes(routes, threat({ severity: 'high' })).map((m) => m.channel)).toEqual(['ops', 'mail']);
    expect(matchRoutes(routes, threat({ severity: 'medium' }))).toEqual([]);
  });
});
