import { describe, expect, it } from 'vitest';
import { BehaviourDetector } from './detector.js';
import { T0, ev, ruleIds, series } from './testing/events.js';
import { S } from './scenarios.js';
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

  describe('ua-rotation switchWeight', () => {
    // A scraper cycling through four User-Agents, one request a second for five minutes (a shop log had one).
    const UAS = ['Firefox/16.0', 'Safari/534.53.10', 'Chrome/16.0.912.36', 'Chrome/53.0.2785.92'];
    const cycler = () => series(300, T0, 1_000, (i) => ({ path: `/product/${i}`, userAgent: `Mozilla/5.0 ${UAS[i % 4]}` }));
    const nat = () => series(300, T0, 200, (i) => ({ path: `/p${i % 5}`, userAgent: `Mozilla/5.0 user${(i * 7) % 15}` }));
    const fires = (switchWeight: number, events: ReturnType<typeof series>) => {
      const detector = new BehaviourDetector({ scenarios: { uaRotation: { switchWeight } } });
      return ruleIds(detector.detect(events, detector.createState())).includes('behaviour/ua-rotation');
    };

    it('0 (default): a client cycling through a few User-Agents is not rotation, and neither is a NAT', () => {
      expect(fires(0, cycler())).toBe(false);
      expect(fires(0, nat())).toBe(false);
    });

    it('0.5: the same cycler is caught, and so is a NAT whose users interleave (why it is not the default)', () => {
      expect(fires(0.5, cycler())).toBe(true);
      expect(fires(0.5, nat())).toBe(true);
    });
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
        series(12 * 60, T0, 1_000, (i) => ({ path: `/scan/file-${i}`, status: 404 })),
        state,
      )
      .flat();
    expect(alerts).toHaveLength(2);
    const count = (d: { detail?: string }) => Number(/^http-probing: ([\d.]+)/.exec(d.detail ?? '')![1]);
    expect(count(alerts[1]!)).toBeGreaterThan(count(alerts[0]!) + 500);
    expect(alerts[1]!.detail).toContain('still overflowing after cooldown');
  });

  it('a disabled scenario never fires', () => {
    const burst = () => series(30, T0, 500, (i) => ({ path: `/p${i}.php`, status: 404 }));
    const noBurst = new BehaviourDetector({ scenarios: { httpProbing: { enabled: false } } });
    // Without http-probing, nothing mutes slow-probing: it catches the burst on its 16th path.
    expect(ruleIds(noBurst.detect(burst(), noBurst.createState()))).toEqual(['behaviour/slow-probing']);
    const neither = new BehaviourDetector({
      scenarios: { httpProbing: { enabled: false }, slowProbing: { enabled: false } },
    });
    expect(ruleIds(neither.detect(burst(), neither.createState()))).toEqual([]);
    const noSlow = new BehaviourDetector({ scenarios: { slowProbing: { enabled: false } } });
    const slow = series(40, T0, 15_000, (i) => ({ path: `/slow-${i}`, status: 404 }));
    expect(ruleIds(noSlow.detect(slow, noSlow.createState()))).toEqual([]);
  });

  describe('slow-probing', () => {
    const slowScan = (n: number, start = T0, prefix = 's') =>
      series(n, start, 15_000, (i) => ({ path: `/${prefix}/dir-${i}/`, status: i % 10 === 3 ? 403 : 404 }));

    it('names itself: scanner, low, the 16th new 4xx path over capacity 15, leaking one per 300 s', () => {
      const detector = new BehaviourDetector();
      const result = detector.detect(slowScan(40), detector.createState());
      const i = result.findIndex((d) => d.length > 0);
      expect(i).toBe(15); // 16 tokens in under 4 minutes: no 5-minute boundary crossed yet (T0 is on one), none leaked
      expect(result[i]).toHaveLength(1);
      expect(result[i]![0]).toMatchObject({
        ruleId: 'behaviour/slow-probing',
        category: 'scanner',
        severity: 'low',
        field: 'behaviour',
        fragment: 'GET /s/dir-15/',
      });
      expect(result[i]![0]!.detail).toMatch(
        /^slow-probing: 16 distinct 4xx paths overflowed capacity 15 \(level 15, leak 1 per 300s\); window /,
      );
    });

    it('honours capacity, leakMs and severity', () => {
      const detector = new BehaviourDetector({
        scenarios: { slowProbing: { capacity: 5, leakMs: 60_000, severity: 'medium' } },
      });
      // 15 s apart, one token leaks per minute: +1 −0.25 per request; over 5 after 7 requests.
      const alerts = detector.detect(slowScan(12), detector.createState()).flat();
      expect(alerts.map((d) => [d.ruleId, d.severity])).toEqual([['behaviour/slow-probing', 'medium']]);
      expect(() => new BehaviourDetector({ scenarios: { slowProbing: { capacity: 127 } } })).toThrow(
        /slowProbing\.capacity/,
      );
      expect(() => new BehaviourDetector({ scenarios: { slowProbing: { capacity: 2.5 } } })).toThrow(
        /slowProbing\.capacity/,
      );
    });

    it('leaks whole tokens on time boundaries: a slow scanner that stops drains, and its return is recurrence', () => {
      const detector = new BehaviourDetector();
      const state = detector.createState();
      const first = detector.detect(slowScan(30), state).flat();
      expect(first.map((d) => d.ruleId)).toEqual(['behaviour/slow-probing']);
      const ip = '203.0.113.7';
      expect(state.levelOf(ip, S.slowProbing)).toBe(15);
      // 15 tokens, one per 5 minutes: empty after 75 minutes idle (an event is needed to leak).
      detector.detect([ev({ time: T0 + 30 * 15_000 + 76 * MIN, path: '/' })], state);
      expect(state.levelOf(ip, S.slowProbing)).toBe(0);
      const back = detector.detect(slowScan(30, T0 + 120 * MIN, 'b'), state).flat();
      expect(back.map((d) => d.ruleId)).toEqual(['behaviour/slow-probing', 'behaviour/recurrence']);
      expect(back[1]).toMatchObject({ category: 'scanner', severity: 'high' });
      expect(back[1]!.detail).toContain('came back with slow-probing');
    });

    it('a burst that slows down: http-probing first, slow-probing only once it drained and after the cool-down', () => {
      const detector = new BehaviourDetector();
      const events = [
        ...series(30, T0, 500, (i) => ({ path: `/burst-${i}.php`, status: 404 })),
        ...slowScan(90, T0 + MIN),
      ];
      const out = detector.detect(events, detector.createState());
      const alerts = out.flatMap((d, i) => d.map((x) => ({ i, t: events[i]!.time, ...x })));
      expect(alerts.map((d) => d.ruleId)).toEqual([
        'behaviour/http-probing',
        'behaviour/slow-probing',
        'behaviour/slow-probing',
      ]);
      // Its (muted) overflow came during the burst: the first alert is a re-alert, ten minutes after it.
      expect(alerts[1]!.t - alerts[0]!.t).toBeGreaterThanOrEqual(10 * MIN);
      expect(alerts[1]!.detail).toContain('still overflowing after cooldown');
      expect(alerts[2]!.t - alerts[1]!.t).toBeGreaterThanOrEqual(10 * MIN);
    });

    it("a slow prober's windows name slow-probing and are not ordinary browsing", () => {
      const detector = new BehaviourDetector();
      const state = detector.createState();
      detector.detect(slowScan(40), state);
      state.flush();
      const windows = state.drainClosedWindows();
      const tripped = windows.filter((w) => w.scenarios.includes('slow-probing'));
      expect(tripped.length).toBeGreaterThan(0);
      for (const w of tripped) expect(w.threatLevel).not.toBe('LEGITIMATE_BROWSER');
      // Before the overflow, windows of one request each (4 per minute here: hits 4) say nothing of it.
      expect(windows[0]!.scenarios).toEqual([]);
    });
  });

  it('custom login endpoints match by prefix and suffix, not by regex', () => {
    const detector = new BehaviourDetector({
      scenarios: { bruteforce: { pathSuffixes: ['/portal/auth'], pathPrefixes: ['/sso/'] } },
    });
    const state = detector.createState();
    const a = detector.detect(
      series(15, T0, 1_000, () => ({ method: 'POST', path: '/x/portal/auth', status: 200 })),
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
    // Capacity 6: the 7th failed login overflows, and every one after it is flagged too (everyEvent).
    expect(new Set(ruleIds(a))).toEqual(new Set(['behaviour/bruteforce']));
    expect(ruleIds(a)).toHaveLength(9);
    expect(ruleIds(b)).toHaveLength(9);
    expect(ruleIds(c)).toEqual([]); // the defaults were replaced
  });
});
