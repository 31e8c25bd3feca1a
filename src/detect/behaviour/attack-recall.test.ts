/**
 * Brute force, floods and protocol abuse written from their descriptions (issue 10), not from any corpus: each attack
 * runs among ordinary browsing, and the test measures line recall (attack lines flagged with the right category) and
 * IP recall, and that no browsing line is flagged. Goals: brute force and flood recall ≥ 0.9.
 */
import { describe, expect, it } from 'vitest';
import type { HttpEvent, Category } from '../../core/index.js';
import { BehaviourDetector } from './detector.js';
import { CHROME, T0, ev, pageVisit } from './testing/events.js';

/** Deterministic pseudo-random numbers (a 32-bit LCG): the same cases every run. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

const rnd = lcg(42);
const token = (n: number) => Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(rnd() * 36)]).join('');
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');

interface Labelled {
  event: HttpEvent;
  /** The category an attack line must be reported as; undefined for browsing. */
  attack?: Category;
  /** When the line was written to the log, if not at event.time (timestamps out of order). */
  logged?: number;
}

/** Ordinary visitors reading pages with their assets over `minutes`, from `count` addresses. */
function browsing(start: number, minutes: number, count = 20): Labelled[] {
  const out: Labelled[] = [];
  for (let v = 0; v < count; v++) {
    const ip = `198.51.100.${v + 1}`;
    for (let t = start + v * 1_000; t < start + minutes * 60_000; t += 20_000 + Math.floor(rnd() * 40_000)) {
      const page = `/products/${Math.floor(rnd() * 500)}`;
      for (const event of pageVisit(ip, t, page, ['/static/app.css', '/static/app.js', `/img/${page.slice(10)}.jpg`])) out.push({ event });
    }
  }
  return out;
}

function run(attack: Labelled[], minutes = 10): { lineRecall: number; ipRecall: number; benignFlagged: number; wrong: string[] } {
  const all = [...browsing(T0, minutes), ...attack].sort((a, b) => (a.logged ?? a.event.time) - (b.logged ?? b.event.time));
  const detector = new BehaviourDetector();
  const state = detector.createState();
  const result = detector.detect(all.map((l) => l.event), state);
  let attacks = 0;
  let hits = 0;
  let benignFlagged = 0;
  const ips = new Set<string>();
  const ipsHit = new Set<string>();
  const wrong = new Set<string>();
  all.forEach((l, i) => {
    const ds = result[i]!;
    if (l.attack === undefined) {
      if (ds.length > 0) benignFlagged++;
      return;
    }
    attacks++;
    ips.add(l.event.ip);
    if (ds.some((d) => d.category === l.attack)) {
      hits++;
      ipsHit.add(l.event.ip);
    } else {
      for (const d of ds) wrong.add(`${d.ruleId}:${d.category}`);
    }
  });
  return { lineRecall: hits / attacks, ipRecall: ipsHit.size / ips.size, benignFlagged, wrong: [...wrong] };
}

/** `n` requests from `ip`, `gapMs` apart (±10 %), starting at `start`. */
function series(n: number, start: number, gapMs: number, attack: Category, make: (i: number) => Partial<HttpEvent>): Labelled[] {
  const out: Labelled[] = [];
  let t = start;
  for (let i = 0; i < n; i++) {
    out.push({ event: ev({ time: Math.floor(t), ...make(i) }), attack });
    t += gapMs * (0.9 + 0.2 * rnd());
  }
  return out;
}

const T = T0 + 60_000;
const TOOL = 'Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0';

/** ≥ 90 % of the attack's lines and every attacking IP flagged as the labelled category, none under another, no benign line flagged. */
function expectCaught(attack: Labelled[]): void {
  const r = run(attack);
  expect(r.wrong).toEqual([]);
  expect(r.lineRecall).toBeGreaterThanOrEqual(0.9);
  expect(r.ipRecall).toBe(1);
  expect(r.benignFlagged).toBe(0);
}

describe('brute force (recall ≥ 0.9)', () => {
  const cases: [string, Labelled[]][] = [
    ['HTTP basic auth: 100 GET /admin/ answered 401, one client', series(100, T, 1_500, 'bruteforce', () => ({ ip: '203.0.113.10', path: '/admin/', status: 401, userAgent: 'python-requests/2.31' }))],
    ['basic auth on a Tomcat manager, 2 guesses a second', series(100, T, 500, 'bruteforce', () => ({ ip: '203.0.113.11', path: '/manager/html', status: 401, userAgent: TOOL }))],
    ['WordPress login form re-rendered with 200 on failure', series(100, T, 2_000, 'bruteforce', () => ({ ip: '203.0.113.12', method: 'POST', path: '/wp-login.php', status: 200, referer: 'https://shop.example/wp-login.php' }))],
    ['phpMyAdmin login posts to index.php, answered 200', series(100, T, 1_000, 'bruteforce', () => ({ ip: '203.0.113.13', method: 'POST', path: '/phpmyadmin/index.php', status: 200 }))],
    ['a shop admin panel login at /admin, answered 200', series(100, T, 1_200, 'bruteforce', () => ({ ip: '203.0.113.14', method: 'POST', path: '/admin', status: 200 }))],
    ['Spring Security form login', series(100, T, 1_000, 'bruteforce', () => ({ ip: '203.0.113.15', method: 'POST', path: '/j_spring_security_check', status: 200 }))],
    ['WordPress author enumeration ?author=1..30', series(30, T, 700, 'bruteforce', (i) => ({ ip: '203.0.113.16', path: '/', query: `author=${i + 1}`, status: i < 5 ? 301 : 404, userAgent: TOOL }))],
    ['REST user listing, then a password run', [
      ...series(3, T, 1_000, 'bruteforce', (i) => ({ ip: '203.0.113.17', path: i === 0 ? '/wp-json/wp/v2/users' : '/', query: i === 0 ? '' : 'rest_route=/wp/v2/users', userAgent: TOOL })),
      ...series(60, T + 5_000, 1_000, 'bruteforce', () => ({ ip: '203.0.113.17', method: 'POST', path: '/xmlrpc.php', status: 200, userAgent: TOOL })),
    ]],
  ];

  it.each(cases)('%s', (_name, attack) => expectCaught(attack));

  it('all brute force cases together: line recall ≥ 0.9', () => {
    const r = run(cases.flatMap(([, a]) => a));
    expect(r.lineRecall).toBeGreaterThanOrEqual(0.9);
    expect(r.ipRecall).toBe(1);
  });

  it('a visitor who mistypes a password twice, or meets one basic-auth challenge per page and asset, is no brute force', () => {
    const r = run([
      ...series(3, T, 4_000, 'bruteforce', (i) => ({ ip: '192.0.2.50', method: 'POST', path: '/wp-login.php', status: i < 2 ? 200 : 302 })),
      ...series(40, T, 20, 'bruteforce', (i) => ({ ip: '192.0.2.51', path: i === 0 ? '/app/kibana' : `/bundles/${i}.js`, status: 401, referer: i === 0 ? null : 'https://shop.example/app/kibana' })),
      ...series(10, T, 1_000, 'bruteforce', () => ({ ip: '192.0.2.52', method: 'POST', path: '/api/login', status: 200 })), // an API's 200 is a success
    ]);
    expect(r.lineRecall).toBe(0);
  });
});

describe('floods (recall ≥ 0.9, reported as dos)', () => {
  const botnet = (i: number) => `100.64.${(i >> 8) & 255}.${i & 255}`;
  const cases: [string, Labelled[]][] = [
    ['one client, 50 GET / a second for 30 s', series(1_500, T, 20, 'dos', () => ({ ip: '203.0.113.20', path: '/', userAgent: CHROME }))],
    ['one client hammering a search page with a browser UA (not a headless crawler)', series(1_200, T, 40, 'dos', () => ({ ip: '203.0.113.21', path: '/search', query: 'q=laptop', userAgent: CHROME }))],
    ['cache busting: 30 clients, one page, a random query each time, 1 request/s each for a minute', Array.from({ length: 30 }, (_, c) =>
      series(60, T + c * 30, 1_000, 'dos', () => ({ ip: botnet(c), path: '/', query: `${digits(10)}`, userAgent: CHROME }))).flat()],
    ['cache busting with a named parameter', Array.from({ length: 20 }, (_, c) =>
      series(60, T + c * 50, 800, 'dos', () => ({ ip: botnet(100 + c), path: '/products/42', query: `nocache=${token(10)}`, userAgent: CHROME }))).flat()],
    ['random-path 404 flood: 40 clients, 2 random paths a second each', Array.from({ length: 40 }, (_, c) =>
      series(120, T + c * 25, 500, 'dos', () => ({ ip: botnet(200 + c), path: `/${token(12)}`, status: 404, userAgent: CHROME }))).flat()],
  ];

  it.each(cases)('%s', (_name, attack) => expectCaught(attack));

  it('a flood logged with up to a second of jitter (timestamps out of order) is still a flood', () => {
    const attack = series(1_200, T, 25, 'dos', () => ({ ip: '203.0.113.22', path: '/', userAgent: CHROME })).map((l) => ({
      ...l,
      logged: l.event.time,
      event: { ...l.event, time: l.event.time - Math.floor(rnd() * 1_000) },
    }));
    expectCaught(attack);
  });

  it('a minute of 75 requests logged in shuffled order (1.25 a second) is no flood', () => {
    const minute = (m: number) =>
      series(75, T + m * 60_000, 800, 'dos', () => ({ ip: '192.0.2.60', path: '/downloads/product_1', status: 404, userAgent: 'Debian APT-HTTP/1.3 (1.0.1ubuntu2)' })).map(
        (l, i) => ({ event: l.event, logged: T + m * 60_000 + ((i * 37) % 75) * 800 }),
      );
    const r = run([0, 1, 2, 3, 4].flatMap(minute));
    expect(r.benignFlagged).toBe(0);
  });
});

describe('user-agent cycling and protocol abuse', () => {
  it('one IP with a new user agent on most requests is ua-rotation (anomaly)', () => {
    const uas = Array.from({ length: 200 }, (_, i) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${90 + (i % 30)}.0.${i}.0 Safari/537.36`);
    const r = run(series(300, T, 1_000, 'anomaly', (i) => ({ ip: '203.0.113.30', path: `/products/${i % 50}`, userAgent: uas[Math.floor(rnd() * uas.length)]! })));
    expect(r.ipRecall).toBe(1);
    expect(r.benignFlagged).toBe(0);
  });

  it('malformed request lines and unknown HTTP versions are flagged line by line (protocol)', () => {
    const r = run([
      ...series(5, T, 3_000, 'protocol', () => ({ ip: '203.0.113.31', method: '-', path: '\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03', protocol: '' })),
      ...series(5, T, 3_000, 'protocol', () => ({ ip: '203.0.113.32', protocol: 'HTTP/1.2' })),
    ]);
    expect(r.lineRecall).toBe(1);
    expect(r.benignFlagged).toBe(0);
  });
});
