import { describe, expect, it } from 'vitest';
import { BehaviourDetector } from './detector.js';
import { threatLevel, normalisedEntropy, type LevelInputs } from './windows.js';
import { GOOGLEBOT, T0, ev, pageVisit, series } from './testing/events.js';

const MIN = 60_000;
const ASSETS = ['/css/a.css', '/js/a.js', '/img/a.png'];

describe('IP windows', () => {
  it('closes a window when the IP sends into a later one, with its features', () => {
    const d = new BehaviourDetector();
    const st = d.createState();
    d.detect(
      [
        ...pageVisit('203.0.113.7', T0, '/home', ASSETS),
        ev({ time: T0 + 5_000, path: '/missing', status: 404, referer: 'https://shop.example/home' }),
        ev({ time: T0 + 10_000, method: 'POST', path: '/cart', referer: 'https://shop.example/home' }),
      ],
      st,
    );
    expect(st.drainClosedWindows()).toEqual([]);
    d.detect([ev({ time: T0 + MIN, path: '/next' })], st);
    const [w, ...rest] = st.drainClosedWindows();
    expect(rest).toEqual([]);
    expect(w).toMatchObject({
      ip: '203.0.113.7',
      start: T0,
      end: T0 + MIN,
      hits: 6,
      velocity: 6 / 60,
      ratio4xx: 1 / 6,
      ratio404: 1 / 6,
      ratioPost: 1 / 6,
      ratioStatic: 3 / 6,
      ratioDirect: 1 / 6,
      distinctPaths: 6,
      pathDiversity: 1,
      distinctUserAgents: 1,
      distinctJa4s: 0,
      meanHeaderCount: null,
      knownBot: null,
      scenarios: [],
      threatLevel: 'LEGITIMATE_BROWSER',
    });
    expect(st.drainClosedWindows()).toEqual([]);
  });

  it('closes the window of a silent IP once event time passes its end by maxSkewMs', () => {
    // windowMinHits: 1 queues the single-request windows this test watches (the default counts them only).
    const d = new BehaviourDetector({ maxSkewMs: 10_000, windowMinHits: 1 });
    const st = d.createState();
    d.detect([ev({ ip: '192.0.2.1', time: T0 + 1_000 })], st);
    d.detect([ev({ ip: '192.0.2.2', time: T0 + MIN + 9_000 })], st);
    expect(st.drainClosedWindows()).toEqual([]);
    d.detect([ev({ ip: '192.0.2.2', time: T0 + MIN + 10_000 })], st);
    expect(st.drainClosedWindows().map((w) => w.ip)).toEqual(['192.0.2.1']);
  });

  it.each([
    { name: 'flood', level: 'HIGH', events: () => series(500, T0, 4, () => ({ path: '/', status: 499 })) },
    {
      name: 'probing',
      level: 'MEDIUM',
      events: () => series(30, T0, 500, (i) => ({ path: `/x${i}.php`, status: 404 })),
    },
    { name: 'crawl', level: 'LOW', events: () => series(150, T0, 300, (i) => ({ path: `/p/${i}` })) },
    {
      name: 'Googlebot',
      level: 'KNOWN_BOT',
      events: () => series(150, T0, 300, (i) => ({ path: `/p/${i}`, userAgent: GOOGLEBOT })),
    },
    {
      name: 'curl, quietly',
      level: 'LOW',
      events: () => series(3, T0, 1_000, () => ({ userAgent: 'curl/8.5.0' })),
    },
    { name: 'browser', level: 'LEGITIMATE_BROWSER', events: () => pageVisit('203.0.113.7', T0, '/', ASSETS) },
  ])('classifies a $name window as $level', ({ events, level }) => {
    const d = new BehaviourDetector();
    const st = d.createState();
    d.detect(events(), st);
    st.flush();
    expect(st.drainClosedWindows().map((w) => w.threatLevel)).toEqual([level]);
  });

  it('a crawler proven fake by the verifier loses the KNOWN_BOT label and its exemption', () => {
    const d = new BehaviourDetector({}, { botVerdicts: new Map([['192.0.2.66', 'fake' as const]]) });
    const st = d.createState();
    const out = d.detect(
      series(150, T0, 300, (i) => ({ ip: '192.0.2.66', path: `/p/${i}`, userAgent: GOOGLEBOT })),
      st,
    );
    st.flush();
    expect(out.flat().map((x) => x.ruleId)).toEqual(['behaviour/aggressive-crawl']);
    expect(st.drainClosedWindows()[0]).toMatchObject({ knownBot: 'Googlebot', threatLevel: 'LOW' });
  });

  it('with requireVerified, only verified crawlers are exempt', () => {
    const verdicts = new Map([['192.0.2.10', 'verified' as const]]);
    const d = new BehaviourDetector({ goodBots: { requireVerified: true } }, { botVerdicts: verdicts });
    const st = d.createState();
    const crawl = (ip: string) =>
      series(150, T0, 300, (i) => ({ ip, path: `/p/${i}`, userAgent: GOOGLEBOT }));
    expect(d.detect(crawl('192.0.2.10'), st).flat()).toEqual([]);
    expect(
      d
        .detect(crawl('192.0.2.11'), st)
        .flat()
        .map((x) => x.ruleId),
    ).toEqual(['behaviour/aggressive-crawl']);
  });

  it('tolerates small backwards jumps and restarts an IP whose time jumps back beyond rewindMs', () => {
    const d = new BehaviourDetector({ windowMinHits: 1 });
    const st = d.createState();
    const times = [0, 5_000, 2_000, 9_000, 8_500, 20_000].map((x) => T0 + x);
    d.detect(
      times.map((time, i) => ev({ time, path: `/p${i}` })),
      st,
    );
    expect(st.counters.timelineResets).toBe(0);
    d.detect([ev({ time: T0 - 2 * 3_600_000, path: '/old' })], st);
    expect(st.counters.rewinds).toBe(1);
    st.flush();
    expect(st.drainClosedWindows().map((w) => w.hits)).toEqual([6, 1]);
  });

  it('late events never run a bucket backwards (replayed out of order, same verdict)', () => {
    const ordered = series(30, T0, 500, (i) => ({ path: `/x${i}.php`, status: 404 }));
    const shuffled = [...ordered];
    for (let i = 0; i + 1 < shuffled.length; i += 2)
      [shuffled[i], shuffled[i + 1]] = [shuffled[i + 1]!, shuffled[i]!];
    for (const events of [ordered, shuffled]) {
      const d = new BehaviourDetector();
      expect(
        d
          .detect(events, d.createState())
          .flat()
          .map((x) => x.ruleId),
      ).toEqual(['behaviour/http-probing']);
    }
  });

  it('keeps at most maxClosedWindows and counts the dropped ones', () => {
    const d = new BehaviourDetector({ maxClosedWindows: 10, windowMinHits: 1 });
    const st = d.createState();
    d.detect(
      Array.from({ length: 50 }, (_, i) => ev({ ip: `10.0.0.${i}`, time: T0 + i })),
      st,
    );
    st.flush();
    const drained = st.drainClosedWindows();
    expect(drained).toHaveLength(10);
    expect(drained[0]!.ip).toBe('10.0.0.40');
    expect(st.droppedWindows).toBe(40);
  });

  it('windows of ordinary browsers below windowMinHits are counted, not queued; others are queued', () => {
    const d = new BehaviourDetector();
    const st = d.createState();
    d.detect(
      [
        ev({ ip: '10.0.0.1', time: T0 }), // one browser request: counted only
        ev({ ip: '10.0.0.2', time: T0, userAgent: 'curl/8.5.0' }), // one tool request: LOW, queued
        ev({ ip: '10.0.0.3', time: T0, userAgent: GOOGLEBOT }), // one crawler request: KNOWN_BOT, queued
        ev({ ip: '10.0.0.4', time: T0 }),
        ev({ ip: '10.0.0.4', time: T0 + 1, path: '/b' }), // two browser requests: queued
      ],
      st,
    );
    st.flush();
    expect(st.drainClosedWindows().map((w) => `${w.ip} ${w.threatLevel}`)).toEqual([
      '10.0.0.2 LOW',
      '10.0.0.3 KNOWN_BOT',
      '10.0.0.4 LEGITIMATE_BROWSER',
    ]);
    expect(st.counters).toMatchObject({ windowsClosed: 4, windowsNotQueued: 1 });
  });

  it('drains windows oldest first across the queue growing and wrapping', () => {
    const d = new BehaviourDetector({ maxClosedWindows: 3_000, windowMinHits: 1 });
    const st = d.createState();
    const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    d.detect(
      Array.from({ length: 5_000 }, (_, i) => ev({ ip: ip(i), time: T0 + i })),
      st,
    );
    st.flush();
    const first = st.drainClosedWindows();
    expect(first).toHaveLength(3_000);
    expect(st.droppedWindows).toBe(2_000);
    expect(new Set(first.map((w) => w.ip))).toEqual(new Set(Array.from({ length: 3_000 }, (_, i) => ip(2_000 + i))));
    expect(st.drainClosedWindows()).toEqual([]);
  });

  it('temporal entropy: one rhythm is 0, gaps spread over every bin are 1', () => {
    expect(normalisedEntropy([0, 0, 0, 9, 0, 0, 0, 0])).toBe(0);
    expect(normalisedEntropy([1, 1, 1, 1, 1, 1, 1, 1])).toBeCloseTo(1);
    const d = new BehaviourDetector();
    const st = d.createState();
    const gaps = [50, 300, 700, 1_500, 3_000, 7_000, 20_000, 40_000];
    let t = T0;
    d.detect(
      gaps.map((g) => ev({ time: (t += g) })),
      st,
    );
    st.flush();
    expect(st.drainClosedWindows().reduce((m, w) => Math.max(m, w.temporalEntropy), 0)).toBeGreaterThan(0.5);
  });
});

describe('threatLevel', () => {
  const base: LevelInputs = {
    hits: 3,
    ratio4xx: 0,
    ratio404: 0,
    trippedSeverities: [],
    recurrence: false,
    knownBot: false,
    browser: true,
  };
  it.each([
    [{ recurrence: true }, 'CRITICAL'],
    [{ trippedSeverities: ['medium', 'high'] }, 'CRITICAL'],
    [{ trippedSeverities: ['high'] }, 'HIGH'],
    [{ trippedSeverities: ['medium'], knownBot: true }, 'MEDIUM'],
    [{ hits: 10, ratio404: 0.5, ratio4xx: 0.5 }, 'MEDIUM'],
    [{ knownBot: true, browser: false }, 'KNOWN_BOT'],
    [{ trippedSeverities: ['low'] }, 'LOW'],
    [{ hits: 5, ratio4xx: 0.4 }, 'LOW'],
    [{ browser: false }, 'LOW'],
    [{}, 'LEGITIMATE_BROWSER'],
  ] as const)('%o → %s', (over, level) => {
    expect(threatLevel({ ...base, ...over })).toBe(level);
  });
});
