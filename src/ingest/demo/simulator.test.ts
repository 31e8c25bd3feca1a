import { describe, expect, it } from 'vitest';
import { CATEGORIES, ConfigError } from '../../core/index.js';
import { decodedQuery, parseCombined } from './testing/combined-format.js';
import {
  ACTORS,
  DEFAULT_START_TIME,
  TrafficSimulator,
  generateLines,
  type Actor,
  type DemoLine,
} from './index.js';

const sample = (seed: number | string, lines = 10_000, extra: object = {}): DemoLine[] => [
  ...generateLines({ seed, lines, ...extra }),
];

describe('generateLines', () => {
  const lines = sample(1);
  const parsed = lines.map((line) => parseCombined(line.text));

  it('gives the same bytes for the same seed and different ones for another', () => {
    const text = (ls: DemoLine[]): string => ls.map((l) => l.text).join('\n');
    expect(text(sample(1, 3_000))).toBe(text(lines.slice(0, 3_000)));
    expect(text(sample(2, 3_000))).not.toBe(text(lines.slice(0, 3_000)));
    expect(text(sample('demo', 500))).toBe(text(sample('demo', 500)));
  });

  it('iterates afresh each time and stops at the count', () => {
    const iterable = generateLines({ seed: 9, lines: 25 });
    const first = [...iterable].map((l) => l.text);
    expect(first).toHaveLength(25);
    expect([...iterable].map((l) => l.text)).toEqual(first);
    expect([...generateLines({ seed: 9, lines: 0 })]).toEqual([]);
  });

  it('writes every line in strict combined format', () => {
    const bad = lines.filter((_, i) => parsed[i] === null).map((l) => l.text);
    expect(bad).toEqual([]);
  });

  it('labels each line with its own client and a sensible category', () => {
    const wrong: string[] = [];
    lines.forEach((line, i) => {
      const { actor, category, ip } = line.label;
      const p = parsed[i];
      if (p?.ip !== ip) wrong.push(`ip ${line.text}`);
      if (!ACTORS.includes(actor)) wrong.push(`actor ${actor}`);
      if (category !== undefined && !CATEGORIES.includes(category)) wrong.push(`category ${category}`);
      if ((actor === 'browser' || actor === 'good_bot') && category !== undefined)
        wrong.push(`benign ${line.text}`);
      if (actor === 'flood' && category !== 'dos') wrong.push(`flood ${line.text}`);
      if (actor === 'bruteforce' && p?.method === 'POST' && category !== 'bruteforce')
        wrong.push(`brute ${line.text}`);
    });
    expect(wrong).toEqual([]);
  });

  it('keeps time non-decreasing and shows each line at its own second', () => {
    let previous = -Infinity;
    const wrong: number[] = [];
    lines.forEach((line, i) => {
      if (line.time < previous || parsed[i]?.time !== Math.floor(line.time / 1000) * 1000) wrong.push(i);
      previous = line.time;
    });
    expect(wrong).toEqual([]);
    expect(lines[0]!.time).toBeGreaterThanOrEqual(DEFAULT_START_TIME);
  });

  it.each([1, 2, 3])('mixes actors in sensible proportions (seed %i)', (seed) => {
    const counts = Object.fromEntries(ACTORS.map((a) => [a, 0])) as Record<Actor, number>;
    for (const line of seed === 1 ? lines : sample(seed)) counts[line.label.actor]++;
    const share = (a: Actor): number => counts[a] / 10_000;
    expect(share('browser')).toBeGreaterThan(0.65);
    expect(share('browser')).toBeLessThan(0.9);
    // The first 10,000 lines include the opening act: every attack kind once (three floods, three scrapers).
    expect(share('browser') + share('good_bot')).toBeGreaterThan(0.72);
    expect(share('good_bot')).toBeGreaterThan(0.03);
    for (const attack of ['scanner', 'bruteforce', 'injection', 'flood'] as const) {
      expect(share(attack)).toBeGreaterThan(0.003);
      expect(share(attack)).toBeLessThan(0.1);
    }
  });

  it('looks like a site: browsers fetch assets with the page as referer; scanners mostly miss', () => {
    const browser = lines
      .map((l, i) => [l, parsed[i]!] as const)
      .filter(([l]) => l.label.actor === 'browser');
    const assets = browser.filter(([, p]) => p.target!.startsWith('/static/'));
    expect(assets.length / browser.length).toBeGreaterThan(0.4);
    expect(assets.every(([, p]) => p.referer.startsWith('https://shop.example.com/'))).toBe(true);
    expect(browser.filter(([, p]) => p.status === 200).length / browser.length).toBeGreaterThan(0.75);
    expect(browser.some(([, p]) => p.status === 304)).toBe(true);

    const probes = lines
      .map((l, i) => [l, parsed[i]!] as const)
      .filter(([l]) => l.label.actor === 'scanner' && l.label.category);
    expect(probes.filter(([, p]) => p.status >= 400).length / probes.length).toBeGreaterThan(0.8);
    const bots = lines.map((l, i) => [l, parsed[i]!] as const).filter(([l]) => l.label.actor === 'good_bot');
    expect(bots.every(([, p]) => !p.target!.startsWith('/static/css') && p.referer === '-')).toBe(true);
  });

  it('floods a page from few addresses at a high rate, and from a botnet at a low rate each', () => {
    const perIpSecond = new Map<string, number>();
    for (const line of lines.filter((l) => l.label.actor === 'flood')) {
      const key = `${line.label.ip} ${Math.floor(line.time / 1000)}`;
      perIpSecond.set(key, (perIpSecond.get(key) ?? 0) + 1);
    }
    const ips = new Set(lines.filter((l) => l.label.actor === 'flood').map((l) => l.label.ip));
    expect(ips.size).toBeGreaterThanOrEqual(10);
    expect(Math.max(...perIpSecond.values())).toBeGreaterThanOrEqual(8);
    expect(Math.min(...perIpSecond.values())).toBeLessThanOrEqual(3);
  });

  it('shifts $time_local by the configured offset', () => {
    const [line] = sample(1, 1, { utcOffsetMinutes: 120, startTime: Date.UTC(2024, 5, 1, 22, 30, 0) });
    expect(line!.text).toMatch(/\[02\/Jun\/2024:00:3\d:\d\d \+0200\]/);
    expect(parseCombined(line!.text)!.time).toBe(Math.floor(line!.time / 1000) * 1000);
  });

  it('turns actors off through the mix and starts at once with every attack', () => {
    const onlyBots = sample(4, 2_000, {
      mix: { browser: 0, scanner: 0, bruteforce: 0, injection: 0, flood: 0, scraper: 0 },
    });
    expect(new Set(onlyBots.map((l) => l.label.actor))).toEqual(new Set(['good_bot']));
    const firstMinute = lines.filter((l) => l.time < DEFAULT_START_TIME + 60_000);
    expect(new Set(firstMinute.map((l) => l.label.actor))).toEqual(new Set(ACTORS));
  });

  it('rejects bad options before producing anything', () => {
    expect(() => generateLines({ seed: 1, lines: -1 })).toThrow(ConfigError);
    expect(() => generateLines({ seed: 1, lines: 1.5 })).toThrow(/demo.lines/);
    expect(() => new TrafficSimulator({ seed: 1, linesPerSecond: 0 })).toThrow(/linesPerSecond/);
    expect(() => new TrafficSimulator({ seed: 1, mix: { browser: -1 } })).toThrow(/demo.mix.browser/);
    expect(() => new TrafficSimulator({ seed: 1, mix: { robot: 1 } as never })).toThrow(/unknown actor/);
    const none = { browser: 0, good_bot: 0, scanner: 0, bruteforce: 0, injection: 0, flood: 0, scraper: 0 };
    expect(() => new TrafficSimulator({ seed: 1, mix: none })).toThrow(/positive share/);
    expect(() => new TrafficSimulator({ seed: 1, utcOffsetMinutes: 2000 })).toThrow(RangeError);
  });
});

describe('injection lines', () => {
  // Only injection traffic: thousands of attempts in a small sample.
  const attacks = sample(5, 6_000, {
    mix: { browser: 0, good_bot: 0, scanner: 0, bruteforce: 0, flood: 0, scraper: 0, injection: 1 },
    openingAct: false,
  })
    .filter((l) => l.label.category !== undefined)
    .map((l) => ({ label: l.label, line: parseCombined(l.text)!, raw: l.text }));
  const of = (category: string) => attacks.filter((a) => a.label.category === category);
  const queries = (category: string) => of(category).map((a) => decodedQuery(a.line.target!).toLowerCase());

  it('covers every technique', () => {
    expect(new Set(attacks.map((a) => a.label.category))).toEqual(
      new Set(['sqli', 'xss', 'path_traversal', 'lfi', 'rce', 'log4shell', 'ssrf']),
    );
  });

  it('carries payloads that decode to the attack', () => {
    expect(queries('sqli').some((q) => q.includes('union select'))).toBe(true);
    expect(queries('sqli').some((q) => q.includes('sleep(5)'))).toBe(true);
    expect(
      queries('sqli').filter((q) => !/union|select|sleep|waitfor| or | and |order by|'|rlike/.test(q)),
    ).toEqual([]);
    expect(queries('xss').filter((q) => !/<|javascript:|alert|\{\{/.test(q))).toEqual([]);
    expect(queries('xss').some((q) => q.includes('<script>'))).toBe(true);
    expect(queries('path_traversal').filter((q) => !/\.\.|%2e|\ufffd\ufffd\/|\.\ufffd/.test(q))).toEqual([]);
    expect(
      queries('lfi').filter(
        (q) => !/etc\/|var\/log|php:|file:|proc\/|data:|expect:|wp-config|hosts|zip:/.test(q),
      ),
    ).toEqual([]);
    expect(queries('rce').filter((q) => !/[;|`$&]|system\(/.test(q))).toEqual([]);
    expect(queries('ssrf').filter((q) => !q.includes('://'))).toEqual([]);
    expect(queries('ssrf').some((q) => q.includes('169.254.169.254'))).toBe(true);
    const jndi = of('log4shell').map((a) => decodedQuery(a.line.target!) + a.line.userAgent);
    expect(jndi.filter((s) => !s.includes('${'))).toEqual([]);
    expect(jndi.some((s) => s.includes('${${lower:j}ndi:'))).toBe(true);
    expect(of('log4shell').some((a) => a.line.userAgent.startsWith('${'))).toBe(true);
  });

  it('encodes as a browser or tool would and keeps deliberate encodings', () => {
    const targets = attacks.map((a) => a.line.target!);
    expect(targets.some((t) => t.includes('%252f'))).toBe(true);
    expect(targets.some((t) => t.includes('..%2f..%2f'))).toBe(true);
    expect(targets.some((t) => /\?[a-z]+=[^&]*\+/.test(t))).toBe(true); // form: space as +
    expect(targets.some((t) => t.includes('%20'))).toBe(true); // tools: space as %20
    expect(targets.some((t) => t.includes('\\x5C'))).toBe(true); // raw backslash, escaped by the log
    expect(targets.every((t) => !/[ "<>]/.test(t))).toBe(true);
  });
});
