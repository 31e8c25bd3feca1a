/**
 * The scenario streams of scenarios.test.ts (each with the detections it must raise), shared with
 * equivalence.test.ts, which replays them with and without the compact first-hit tier.
 */
import type { HttpEvent } from '../../../core/index.js';
import { CHROME, GOOGLEBOT, T0, ev, pageVisit, series } from './events.js';

export const MIN = 60_000;
const ASSETS = ['/css/site.css', '/js/app.js', '/img/logo.png', '/img/hero.jpg', '/fonts/a.woff2'];

/** Enough browser visits that the site counts as one whose visitors fetch sub-resources. */
function browsersWarmTheSite(start: number): HttpEvent[] {
  const out: HttpEvent[] = [];
  for (let i = 0; i < 15; i++)
    out.push(...pageVisit(`198.51.100.${i + 1}`, start + i * 1_000, `/p/${i}`, ASSETS));
  return out;
}

/** Five browsers loading an SPA whose thumbnails have no extension: the site learns /api/thumb/* as an asset. */
function browsersTeachThumbnails(start: number): HttpEvent[] {
  const out: HttpEvent[] = [];
  for (let b = 0; b < 5; b++) {
    const thumbs = Array.from({ length: 20 }, (_, i) => `/api/thumb/${b * 100 + i}`);
    out.push(...pageVisit(`192.0.2.${b + 1}`, start + b * 5_000, '/app', thumbs));
  }
  return out;
}

function heavyThumbnailUser(ip: string, start: number): HttpEvent[] {
  return [
    ev({ ip, time: start, path: '/app' }),
    ...series(400, start + 100, 100, (i) => ({
      ip,
      path: `/api/thumb/${5000 + i}`,
      referer: 'https://shop.example/app',
    })),
  ];
}

/** Ordinary-looking endpoints a scanner asks for: nothing on one log line says "attack". */
const ENDPOINTS = [
  '/admin/',
  '/wp-login.php',
  '/api/users',
  '/README.md',
  '/administrator/',
  '/phpmyadmin/',
  '/user/register',
  '/api/v1/config',
  '/CHANGELOG.txt',
  '/wp-content/plugins/akismet/readme.txt',
  '/manager/html',
  '/console/',
  '/login.action',
  '/status',
  '/server-status',
  '/jenkins/login',
  '/solr/admin/',
  '/actuator/health',
  '/webadmin/',
  '/cgi-bin/test',
];

/** A throttled scanner: `n` distinct endpoint paths, `gapMs` apart, 404 but every 10th 403 and every 20th 200. */
function slowScanner(ip: string, start: number, n: number, gapMs: number): HttpEvent[] {
  return series(n, start, gapMs, (i) => ({
    ip,
    path: `${ENDPOINTS[i % ENDPOINTS.length]!}${i < ENDPOINTS.length ? '' : `v${Math.floor(i / ENDPOINTS.length)}`}`,
    status: i % 20 === 7 ? 200 : i % 10 === 3 ? 403 : 404,
    bytes: 162,
  }));
}

/** A browser reading 20 pages over an hour, five of its links broken (404 pages, with the referring page). */
function browserWithBrokenLinks(ip: string, start: number): HttpEvent[] {
  const out: HttpEvent[] = [];
  for (let i = 0; i < 20; i++) {
    const time = start + i * 3 * MIN;
    if (i % 4 === 1) {
      out.push(
        ev({ ip, time, path: `/old/article-${i}`, status: 404, referer: `https://shop.example/p/${i - 1}` }),
        // The 404 page's own broken image and favicon: assets, never probes.
        ev({
          ip,
          time: time + 80,
          path: '/img/missing-404.png',
          status: 404,
          referer: `https://shop.example/old/article-${i}`,
        }),
        ev({ ip, time: time + 90, path: '/favicon.ico', status: 404 }),
      );
    } else out.push(...pageVisit(ip, time, `/p/${i}`, ASSETS));
  }
  return out;
}

export interface ScenarioCase {
  name: string;
  events: () => HttpEvent[];
  /** Exact number of detections per ruleId; absent ruleIds must not fire. */
  expected: Record<string, number>;
}

export const SCENARIO_CASES: ScenarioCase[] = [
  {
    name: 'scanner: 30 distinct 404 paths in 15 s → one http-probing',
    events: () => series(30, T0, 500, (i) => ({ path: `/probe-${i}.php`, status: 404 })),
    expected: { 'behaviour/http-probing': 1 },
  },
  {
    name: 'reloading one missing page 200 times is not probing',
    events: () => series(200, T0, 500, () => ({ path: '/missing-page', status: 404 })),
    expected: {},
  },
  {
    name: 'broken images (static 404s with the page as referer) are not probing',
    events: () =>
      series(40, T0, 200, (i) => ({
        path: `/img/gone-${i}.png`,
        status: 404,
        referer: 'https://shop.example/',
      })),
    expected: {},
  },
  {
    name: 'WebDAV-style DELETE 404s are not probing',
    events: () =>
      series(40, T0, 200, (i) => ({ method: 'DELETE', path: `/remote.php/dav/f${i}`, status: 404 })),
    expected: {},
  },
  {
    name: 'scraper: 300 distinct pages at 3/s → one aggressive-crawl',
    events: () => series(300, T0, 333, (i) => ({ path: `/product/${i}` })),
    expected: { 'behaviour/aggressive-crawl': 1 },
  },
  {
    name: 'Googlebot crawling the same 300 pages is not punished',
    events: () => series(300, T0, 333, (i) => ({ path: `/product/${i}`, userAgent: GOOGLEBOT })),
    expected: {},
  },
  {
    name: 'a browser reading 20 pages with their assets raises nothing',
    events: () =>
      Array.from({ length: 20 }, (_, i) =>
        pageVisit('203.0.113.7', T0 + i * 10_000, `/p/${i}`, ASSETS),
      ).flat(),
    expected: {},
  },
  {
    name: 'control: 400 extension-less thumbnails on a site that learned nothing look like a crawl',
    events: () => heavyThumbnailUser('203.0.113.9', T0),
    expected: { 'behaviour/aggressive-crawl': 1 },
  },
  {
    name: 'the same thumbnails, once browsers taught the site they are sub-resources, raise nothing',
    events: () => [...browsersTeachThumbnails(T0), ...heavyThumbnailUser('203.0.113.9', T0 + MIN)],
    expected: {},
  },
  {
    name: 'WordPress brute force: 20 failed POST /wp-login.php (200) → the 7th and every later attempt flagged',
    events: () => series(20, T0, 2_000, () => ({ method: 'POST', path: '/wp-login.php', status: 200 })),
    expected: { 'behaviour/bruteforce': 14 },
  },
  {
    name: 'API brute force: 15 POST /api/login answered 401 → the 7th to the 15th flagged',
    events: () => series(15, T0, 1_000, () => ({ method: 'POST', path: '/api/login', status: 401 })),
    expected: { 'behaviour/bruteforce': 9 },
  },
  {
    name: 'successful logins redirect (302): no bruteforce',
    events: () => series(50, T0, 1_000, () => ({ method: 'POST', path: '/wp-login.php', status: 302 })),
    expected: {},
  },
  {
    name: 'a path that merely ends in "login" is no login endpoint',
    events: () => series(30, T0, 1_000, () => ({ method: 'POST', path: '/mylogin', status: 200 })),
    expected: {},
  },
  {
    name: 'a user mistyping a password three times is no brute force',
    events: () => series(3, T0, 5_000, () => ({ method: 'POST', path: '/user/login', status: 200 })),
    expected: {},
  },
  {
    name: 'HTTP flood: 500 GET / within 2 s → the 62nd and every later request flagged as request-flood',
    events: () => series(500, T0, 4, () => ({ path: '/', status: 499, bytes: 0 })),
    expected: { 'behaviour/request-flood': 438 },
  },
  {
    name: 'a page with 200 sub-resources loaded in one second is no flood',
    events: () =>
      pageVisit(
        '203.0.113.7',
        T0,
        '/gallery',
        Array.from({ length: 200 }, (_, i) => `/img/${i}.jpg`),
      ),
    expected: {},
  },
  {
    name: 'a new User-Agent on every request → one ua-rotation',
    events: () => series(30, T0, 1_000, (i) => ({ path: `/p${i % 3}`, userAgent: `${CHROME} r${i}` })),
    expected: { 'behaviour/ua-rotation': 1 },
  },
  {
    name: 'fifteen people behind one NAT, 20 requests each, is no UA rotation',
    events: () => series(300, T0, 200, (i) => ({ path: `/p${i % 5}`, userAgent: `${CHROME} user${i % 15}` })),
    expected: {},
  },
  {
    name: 'a new JA4 on every request → one ja4-rotation',
    events: () => series(30, T0, 1_000, (i) => ({ path: '/', ja4: `t13d1516h2_8daaf6152771_${1000 + i}` })),
    expected: { 'behaviour/ja4-rotation': 1 },
  },
  {
    name: 'headless: 40 pages, never a sub-resource, on a site whose browsers fetch them → one headless',
    events: () => [
      ...browsersWarmTheSite(T0),
      ...series(40, T0 + MIN, 5_000, (i) => ({ ip: '203.0.113.50', path: `/article/${i}` })),
    ],
    expected: { 'behaviour/headless': 1 },
  },
  {
    name: 'the same reader with a warm cache (assets fetched once) is not headless',
    events: () => [
      ...browsersWarmTheSite(T0),
      ev({ ip: '203.0.113.50', time: T0 + MIN - 1, path: '/css/site.css' }),
      ...series(40, T0 + MIN, 5_000, (i) => ({ ip: '203.0.113.50', path: `/article/${i}` })),
    ],
    expected: {},
  },
  {
    name: 'headless is not judged on a site whose visitors fetch no sub-resources (an API)',
    events: () => series(40, T0, 5_000, (i) => ({ ip: '203.0.113.50', path: `/article/${i}` })),
    expected: {},
  },
  {
    name: 'sustained probing for 25 minutes alerts at 0, +10 and +20 minutes only',
    events: () => series(25 * 60, T0, 1_000, (i) => ({ path: `/scan/file-${i}`, status: 404 })),
    expected: { 'behaviour/http-probing': 3 },
  },
  {
    name: 'a prober that comes back two hours later → recurrence',
    events: () => [
      ...series(30, T0, 500, (i) => ({ path: `/a${i}.php`, status: 404 })),
      ...series(30, T0 + 120 * MIN, 500, (i) => ({ path: `/b${i}.php`, status: 404 })),
    ],
    expected: { 'behaviour/http-probing': 2, 'behaviour/recurrence': 1 },
  },
  {
    name: 'slow scanner: 40 endpoint paths 15 s apart (under the http-probing leak) → one slow-probing',
    events: () => slowScanner('203.0.113.60', T0, 40, 15_000),
    expected: { 'behaviour/slow-probing': 1 },
  },
  {
    name: 'the same scanner at 12-20 s per request is caught within 20 requests',
    events: () =>
      slowScanner('203.0.113.61', T0, 20, 0).map((e, i) => ({
        ...e,
        time: T0 + i * 12_000 + (i % 3) * 4_000,
      })),
    expected: { 'behaviour/slow-probing': 1 },
  },
  {
    name: 'a browser with 5 broken-link 404s (plus missing image and favicon) over an hour raises nothing',
    events: () => browserWithBrokenLinks('203.0.113.62', T0),
    expected: {},
  },
  {
    name: 'Googlebot following 200 dead links, one every 15 s, is no slow prober',
    events: () =>
      series(200, T0, 15_000, (i) => ({
        ip: '203.0.113.63',
        path: `/discontinued/item-${i}`,
        status: 404,
        userAgent: GOOGLEBOT,
      })),
    expected: {},
  },
  {
    name: 'a client walking product ids, 50 of 53 deleted (404), every 2 s, is no prober',
    events: () =>
      series(53, T0, 2_000, (i) => ({ ip: '203.0.113.65', path: `/product/${34391 + i}`, status: i >= 1 && i <= 3 ? 200 : 404 })),
    expected: {},
  },
  {
    name: 'the same walk over named paths is probing (control)',
    events: () =>
      series(53, T0, 2_000, (i) => ({ ip: '203.0.113.66', path: `/product/item-${34391 + i}`, status: i >= 1 && i <= 3 ? 200 : 404 })),
    expected: { 'behaviour/http-probing': 1 },
  },
  {
    name: 'a scraper without sub-resources reading 300 pages over an hour → one headless, not one per cooldown',
    events: () => [
      ...browsersWarmTheSite(T0),
      ...series(300, T0 + MIN, 12_000, (i) => ({ ip: '203.0.113.67', path: `/article/${i}` })),
    ],
    expected: { 'behaviour/headless': 1 },
  },
  {
    name: 'missing images at a slow pace are not probing',
    events: () =>
      series(60, T0, 15_000, (i) => ({ ip: '203.0.113.64', path: `/img/gone-${i}.png`, status: 404 })),
    expected: {},
  },
  {
    name: 'a burst of 200 distinct 404s → one http-probing; slow-probing is muted while it overflows',
    events: () => series(200, T0, 500, (i) => ({ path: `/burst-${i}.php`, status: 404 })),
    expected: { 'behaviour/http-probing': 1 },
  },
];
