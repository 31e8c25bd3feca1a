import { describe, expect, it } from 'vitest';
import { BehaviourDetector } from './detector.js';
import { T0, ruleIds, series } from './testing/events.js';
import { SCENARIO_CASES } from './testing/scenario-cases.js';

const MIN = 60_000;

describe('behaviour scenarios', () => {
  it.each(SCENARIO_CASES)('$name', ({ events, expected }) => {
    const detector = new BehaviourDetector();
    const state = detector.createState();
    const batch = events();
    const result = detector.detect(batch, state);
    expect(result).toHaveLength(batch.length);
    const counts: Record<string, number> = {};
    for (const id of ruleIds(result)) counts[id] = (counts[id] ?? 0) + 1;
    expect(counts).toEqual(expected);
  });

  it('a detection names its scenario, category, field and the counters that tripped', () => {
    const detector = new BehaviourDetector();
    const state = detector.createState();
    const result = detector.detect(
      series(30, T0, 500, (i) => ({ path: `/probe-${i}.php`, status: 404 })),
      state,
    );
    const i = result.findIndex((d) => d.length > 0);
    expect(i).toBe(10); // the 11th distinct path overflows capacity 10
    expect(result[i]![0]).toMatchObject({
      ruleId: 'behaviour/http-probing',
      category: 'scanner',
      severity: 'medium',
      field: 'behaviour',
      fragment: 'GET /probe-10.php',
    });
    expect(result[i]![0]!.detail).toMatch(/11 distinct 4xx paths overflowed capacity 10 .* 404=11/);
  });

  it('recurrence escalates severity and keeps the category of what came back', () => {
    const detector = new BehaviourDetector();
    const state = detector.createState();
    const events = [
      ...series(30, T0, 500, (i) => ({ path: `/a${i}.php`, status: 404 })),
      ...series(30, T0 + 120 * MIN, 500, (i) => ({ path: `/b${i}.php`, status: 404 })),
    ];
    const recurrence = detector
      .detect(events, state)
      .flat()
      .find((d) => d.ruleId === 'behaviour/recurrence');
    expect(recurrence).toMatchObject({ category: 'scanner', severity: 'high' });
    expect(recurrence!.detail).toContain('came back with http-probing');
  });

  it('a re-alert after the cool-down carries the updated count', () => {
    const detector = new BehaviourDetector();
    const state = detector.createState();
    const alerts = detector
      .detect(
        series(12 * 60, T0, 1_000, (i) => ({ path: `/scan/${i}`, status: 404 })),
        state,
      )
      .flat();
    expect(alerts).toHaveLength(2);
    const count = (d: { detail?: string }) => Number(/^http-probing: ([\d.]+)/.exec(d.detail ?? '')![1]);
    expect(count(alerts[1]!)).toBeGreaterThan(count(alerts[0]!) + 500);
    expect(alerts[1]!.detail).toContain('still overflowing after cooldown');
  });

  it('a disabled scenario never fires', () => {
    const detector = new BehaviourDetector({ scenarios: { httpProbing: { enabled: false } } });
    const state = detector.createState();
    const out = detector.detect(
      series(30, T0, 500, (i) => ({ path: `/p${i}.php`, status: 404 })),
      state,
    );
    expect(ruleIds(out)).toEqual([]);
  });

  it('custom login endpoints match by prefix and suffix, not by regex', () => {
    const detector = new BehaviourDetector({
      scenarios: { bruteforce: { pathSuffixes: ['/portal/auth'], pathPrefixes: ['/sso/'] } },
    });
    const state = detector.createState();
    const a = detector.detect(
      series(15, T0, 1_000, () => ({ method: 'POST', path: '/x/portal/auth', status: 401 })),
      state,
    );
    const b = detector.detect(
      series(15, T0, 1_000, () => ({
        ip: '192.0.2.99',
        method: 'POST',
        path: '/sso/realm/token',
        status: 403,
      })),
      state,
    );
    const c = detector.detect(
      series(15, T0, 1_000, () => ({ ip: '192.0.2.98', method: 'POST', path: '/wp-login.php', status: 200 })),
      state,
    );
    expect(ruleIds(a)).toEqual(['behaviour/bruteforce']);
    expect(ruleIds(b)).toEqual(['behaviour/bruteforce']);
    expect(ruleIds(c)).toEqual([]); // the defaults were replaced
  });
});
