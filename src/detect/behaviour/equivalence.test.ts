/**
 * The compact first-hit tier (ip-table.ts) changes memory, never results: the same stream through a detector with
 * compactFirstHit on and one with it off gives identical detections, closed windows, counters and bucket levels.
 * Streams: the scenario cases, the window tests' time jumps, real logs, and random streams built to reach every
 * path of the tier (single-hit and returning IPs, IPv6, eviction, FIFO overflow, rewinds, rebases, changing bot
 * verdicts, buckets smaller than one token).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { HttpEvent, Detection } from '../../core/index.js';
import { BehaviourDetector } from './detector.js';
import type { BehaviourConfigInput } from './config.js';
import type { BehaviourState } from './state.js';
import type { BotVerdict } from './good-bots.js';
import { SCENARIOS } from './scenarios.js';
import { CHROME, GOOGLEBOT, T0, ev, pageVisit, series } from './testing/events.js';
import { SCENARIO_CASES, MIN } from './testing/scenario-cases.js';
import { readCombined } from './testing/combined.js';

interface Options {
  /** Events per detect() call. */
  batch?: number;
  /** Drain closed windows after every this many batches (they are compared then). */
  drainEvery?: number;
  /** Bot verdicts as a function of the IP and the batch number (both detectors ask at the same moment). */
  verdicts?: (ip: string, batch: number) => BotVerdict | undefined;
}

/** What the compact run went through, to show a stream reached the tier's paths. */
interface Coverage {
  events: number;
  detections: number;
  windows: number;
  /** Most IPs parked at once (tracked − full). */
  maxParked: number;
  /** Times the full-record count rose while the compact run had parked IPs: promotions, at least. */
  promotions: number;
  /** Full records at the end, compact run and the other. */
  fullOn: number;
  fullOff: number;
  evictions: number;
  windowsClosedEarly: number;
  timelineResets: number;
  rewinds: number;
}

function observable(st: BehaviourState) {
  return {
    counters: { ...st.counters },
    trackedIps: st.trackedIps,
    openWindows: st.openWindowQueueLength,
    closedWindows: st.closedWindowCount,
    dropped: st.droppedWindows,
    watermark: st.watermark,
  };
}

/** Feeds `events` to both detectors in lockstep and compares everything observable as it goes. */
function lockstep(
  events: readonly HttpEvent[],
  config: BehaviourConfigInput = {},
  opts: Options = {},
): Coverage {
  const batchSize = opts.batch ?? 100;
  const drainEvery = opts.drainEvery ?? 7;
  let clock = 0;
  const verdicts = opts.verdicts;
  const deps = verdicts ? { botVerdicts: { get: (ip: string) => verdicts(ip, clock) } } : {};
  const on = new BehaviourDetector({ ...config, compactFirstHit: true }, deps);
  const off = new BehaviourDetector({ ...config, compactFirstHit: false }, deps);
  const a = on.createState();
  const b = off.createState();
  const ips = [...new Set(events.map((e) => e.ip))];
  const cov: Coverage = {
    events: events.length,
    detections: 0,
    windows: 0,
    maxParked: 0,
    promotions: 0,
    fullOn: 0,
    fullOff: 0,
    evictions: 0,
    windowsClosedEarly: 0,
    timelineResets: 0,
    rewinds: 0,
  };
  const compareWindows = () => {
    const wa = a.drainClosedWindows();
    expect(wa).toEqual(b.drainClosedWindows());
    cov.windows += wa.length;
  };
  for (let i = 0; i < events.length; i += batchSize) {
    clock = i / batchSize;
    const batch = events.slice(i, i + batchSize);
    const fullBefore = a.fullIps;
    const da: Detection[][] = on.detect(batch, a);
    expect(da).toEqual(off.detect(batch, b));
    cov.detections += da.flat().length;
    expect(observable(a)).toEqual(observable(b));
    cov.maxParked = Math.max(cov.maxParked, a.trackedIps - a.fullIps);
    if (a.fullIps > fullBefore && a.trackedIps > a.fullIps) cov.promotions++;
    if (clock % drainEvery === drainEvery - 1) compareWindows();
    if (clock % 13 === 12) {
      // Reading a parked IP's level writes it to the scratch record: must change nothing (checked by what follows).
      const ip = ips[clock % ips.length]!;
      for (let s = 0; s < SCENARIOS.length; s++) expect(a.levelOf(ip, s)).toEqual(b.levelOf(ip, s));
    }
  }
  for (const ip of ips.slice(0, 200)) {
    for (let s = 0; s < SCENARIOS.length; s++) expect(a.levelOf(ip, s)).toEqual(b.levelOf(ip, s));
  }
  a.flush();
  b.flush();
  compareWindows();
  expect(observable(a)).toEqual(observable(b));
  cov.fullOn = a.fullIps;
  cov.fullOff = b.fullIps;
  cov.evictions = a.counters.evictions;
  cov.windowsClosedEarly = a.counters.windowsClosedEarly;
  cov.timelineResets = a.counters.timelineResets;
  cov.rewinds = a.counters.rewinds;
  return cov;
}

/** Deterministic pseudo-random (mulberry32). */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface StreamShape {
  events: number;
  /** Returning clients (a few hot ones, many occasional); the rest of the events come from IPs seen once. */
  pool: number;
  /** Share of events from IPs never seen again. */
  single: number;
  /** Mean gap between events, ms. */
  gapMs: number;
  /** Time jumps: forward past windows, late events, rewinds beyond rewindMs, jumps beyond the rebase distance. */
  jumps: boolean;
}

const HEADLESS = CHROME.replace('Chrome/', 'HeadlessChrome/');
const UAS = [CHROME, CHROME, CHROME, `${CHROME} Edg/120`, GOOGLEBOT, HEADLESS, 'curl/8.5.0', null];
const HOSTS = ['shop.example', 'shop.example', 'blog.example', null];
const STATUSES = [200, 200, 200, 200, 200, 304, 206, 302, 401, 403, 404, 404, 500];

/** A random stream that exercises the tier: see StreamShape. */
function randomStream(seed: number, shape: StreamShape): HttpEvent[] {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const pool = Array.from({ length: shape.pool }, (_, k) =>
    k % 11 === 0
      ? `2001:db8::${k.toString(16)}`
      : k % 29 === 0
        ? `010.0.${k >> 8}.${k & 255}`
        : `10.${k >> 16}.${(k >> 8) & 255}.${k & 255}`,
  );
  const lastPage = new Map<string, string>();
  const out: HttpEvent[] = [];
  let single = 0;
  let t = T0 + 0.5; // a fractional start: the base is floored, relative times round
  for (let i = 0; i < shape.events; i++) {
    t += rand() * 2 * shape.gapMs;
    let time = t;
    if (shape.jumps) {
      const r = rand();
      if (r < 0.003)
        t += 2 * MIN + rand() * 10 * MIN; // silent minutes: windows close by sweep
      else if (r < 0.0035)
        t += 2 ** 30 + rand() * 2 ** 29; // beyond the rebase distance
      else if (r < 0.004)
        time = t - 2 * 3_600_000; // older than rewindMs: a rewind, and a timeline reset
      else if (r < 0.0042)
        time = t - 2 ** 31; // far back: rewind and rebase
      else if (r < 0.06) time = t - rand() * 40_000; // late, within the skew and the rewind
      if (r < 0.02) time = Math.floor(time) + 0.25; // fractional ms
    }
    let ip: string;
    if (rand() < shape.single) ip = `11.${(single >> 16) & 255}.${(single >> 8) & 255}.${single++ & 255}`;
    else ip = pool[Math.floor(rand() ** 2 * pool.length)]!;
    const host = pick(HOSTS);
    const r = rand();
    let path: string;
    let method = 'GET';
    let status = pick(STATUSES);
    let referer: string | null = null;
    const page = lastPage.get(ip);
    if (r < 0.3) {
      path = `/p/${Math.floor(rand() * 300)}`;
      lastPage.set(ip, path);
    } else if (r < 0.5) {
      path = pick(['/css/a.css', '/js/app.js', `/img/${Math.floor(rand() * 50)}.png`]);
      if (page && rand() < 0.8) referer = `https://${host ?? 'shop.example'}${page}`;
    } else if (r < 0.65) {
      // Extension-less sub-resources, learnable as assets from the referers of browsers.
      path = `/api/thumb/${Math.floor(rand() * 40)}`;
      if (page && rand() < 0.9) referer = `https://${host ?? 'shop.example'}${page}`;
    } else if (r < 0.75) {
      path = `/x${Math.floor(rand() * 60)}.php`;
      status = 404;
    } else if (r < 0.82) {
      method = 'POST';
      path = pick(['/wp-login.php', '/api/login', '/cart']);
      status = pick([200, 401, 403, 302]);
    } else if (r < 0.84) {
      method = pick(['HEAD', 'DELETE', 'PUT']);
      path = `/dav/f${Math.floor(rand() * 20)}`;
    } else {
      path = pick(['/', '/search', '/account', `/article/${Math.floor(rand() * 100)}`]);
      if (page && rand() < 0.3) referer = `https://${host ?? 'shop.example'}${page}`;
    }
    const rotating = rand() < 0.03;
    out.push(
      ev({
        ip,
        time,
        host,
        method,
        path,
        status,
        referer,
        bytes: rand() < 0.02 ? 2 << 20 : Math.floor(rand() * 50_000),
        userAgent: rotating ? `${CHROME} r${Math.floor(rand() * 1e6)}` : pick(UAS),
        ja4: rand() < 0.2 ? `t13d1516h2_8daaf6152771_${Math.floor(rand() * (rand() < 0.1 ? 1e6 : 5))}` : null,
        headers:
          rand() < 0.15
            ? Object.fromEntries(
                Array.from({ length: 3 + Math.floor(rand() * 20) }, (_, k) => [`h${k}`, 'v']),
              )
            : null,
      }),
    );
    // Now and then a burst from one client: floods, probes, crawls, brute force, rotations trip.
    if (rand() < 0.002) {
      const kind = Math.floor(rand() * 5);
      const n = 40 + Math.floor(rand() * 200);
      for (let k = 0; k < n; k++) {
        out.push(
          ev({
            ip,
            time: time + k * (kind === 0 ? 5 : 300),
            host,
            method: kind === 3 ? 'POST' : 'GET',
            path:
              kind === 1
                ? `/scan/${k}.php`
                : kind === 2
                  ? `/product/${k}`
                  : kind === 3
                    ? '/wp-login.php'
                    : '/',
            status: kind === 1 ? 404 : 200,
            userAgent: kind === 4 ? `${CHROME} b${k}` : CHROME,
          }),
        );
      }
    }
  }
  return out;
}

/** Verdicts that change as the stream goes (a verifier answering late, an answer expiring). */
function shiftingVerdicts(ip: string, batch: number): BotVerdict | undefined {
  const h = (ip.length * 31 + ip.charCodeAt(ip.length - 1) + batch) % 5;
  return h === 0 ? 'fake' : h === 1 ? 'verified' : undefined;
}

describe('compact first-hit tier: identical results with and without it', () => {
  describe('scenario streams', () => {
    it.each(SCENARIO_CASES)('$name', ({ events }) => {
      const stream = events();
      lockstep(stream);
      lockstep(stream, { windowMinHits: 1, maxTrackedIps: 4 }, { batch: 7, drainEvery: 1 });
      lockstep(stream, { windowMs: 5_000, maxSkewMs: 0, windowMinHits: 1 }, { batch: 3 });
    });
  });

  it('window streams: late events, a timeline reset, single-request windows, a full closed queue', () => {
    const streams: HttpEvent[][] = [
      [0, 5_000, 2_000, 9_000, 8_500, 20_000, -2 * 3_600_000].map((x, i) =>
        ev({ time: T0 + x, path: `/p${i}` }),
      ),
      [
        ev({ ip: '10.0.0.1', time: T0 }),
        ev({ ip: '10.0.0.2', time: T0, userAgent: 'curl/8.5.0' }),
        ev({ ip: '10.0.0.3', time: T0, userAgent: GOOGLEBOT }),
        ev({ ip: '10.0.0.4', time: T0 }),
        ev({ ip: '10.0.0.4', time: T0 + 1, path: '/b' }),
        ev({ ip: '10.0.0.5', time: T0 + MIN + 40_000 }),
        ev({ ip: '10.0.0.1', time: T0 + 2 * MIN }),
      ],
      Array.from({ length: 5_000 }, (_, i) =>
        ev({ ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, time: T0 + i }),
      ),
      [
        ...pageVisit('203.0.113.7', T0, '/home', ['/css/a.css', '/js/a.js']),
        ev({ time: T0 + 5_000, path: '/missing', status: 404, referer: 'https://shop.example/home' }),
        ev({ time: T0 + MIN, path: '/next' }),
      ],
    ];
    for (const s of streams) {
      for (const config of [
        {},
        { windowMinHits: 1 },
        { maxClosedWindows: 10, windowMinHits: 1 },
        { maxTrackedIps: 3 },
      ]) {
        lockstep(s, config, { batch: 1, drainEvery: 3 });
        lockstep(s, config, { batch: 1_000, drainEvery: 1 });
      }
    }
  });

  it.each([
    { name: 'no eviction', seed: 1, config: {} },
    { name: 'heavy eviction, every window queued', seed: 2, config: { maxTrackedIps: 50, windowMinHits: 1 } },
    {
      name: 'eviction, short windows, no skew, few queued windows',
      seed: 3,
      config: { maxTrackedIps: 300, windowMs: 10_000, maxSkewMs: 0, maxClosedWindows: 50 },
    },
    {
      name: 'verified bots only',
      seed: 4,
      config: { maxTrackedIps: 500, goodBots: { requireVerified: true } },
    },
    {
      name: 'buckets below one token: first hits that alert take a full record',
      seed: 5,
      config: {
        maxTrackedIps: 400,
        scenarios: {
          httpProbing: { capacity: 0.5 },
          bruteforce: { capacity: 0.9 },
          requestFlood: { capacity: 0.5 },
        },
      },
    },
    {
      name: 'a bucket below one token, disabled; cheap headless',
      seed: 6,
      config: {
        maxTrackedIps: 1_000,
        scenarios: { uaRotation: { capacity: 0.5, enabled: false }, headless: { minSiteAssetSightings: 1 } },
      },
    },
    {
      name: 'slow-probing, its one-byte bucket overflowing and draining often, http-probing rarely muting it',
      seed: 7,
      config: {
        maxTrackedIps: 800,
        scenarios: { slowProbing: { capacity: 1, leakMs: 700 }, httpProbing: { capacity: 40 } },
      },
    },
  ])('random stream: $name', ({ seed, config }) => {
    const stream = randomStream(seed, { events: 40_000, pool: 2_000, single: 0.35, gapMs: 60, jumps: true });
    const cov = lockstep(stream, config, { batch: 64, verdicts: shiftingVerdicts });
    expect(cov.maxParked).toBeGreaterThan(0);
    expect(cov.promotions).toBeGreaterThan(0);
    expect(cov.detections).toBeGreaterThan(0);
    expect(cov.rewinds).toBeGreaterThan(0);
    expect(cov.timelineResets).toBeGreaterThan(0);
    if ((config.maxTrackedIps ?? 100_000) < 2_000) expect(cov.evictions).toBeGreaterThan(0);
  });

  it('random stream: the open-window FIFO overflows (windows closed early)', () => {
    const stream = randomStream(7, { events: 20_000, pool: 500, single: 0.6, gapMs: 5, jumps: false });
    const cov = lockstep(stream, { maxTrackedIps: 100, maxSkewMs: 600_000, windowMinHits: 1 });
    expect(cov.windowsClosedEarly).toBeGreaterThan(0);
    expect(cov.maxParked).toBeGreaterThan(0);
  });

  it('a single-hit flood stays parked; the other run takes a full record per IP', () => {
    const stream = series(20_000, T0, 3, (i) => ({ ip: `11.0.${i >> 8}.${i & 255}`, path: `/p${i % 7}` }));
    const cov = lockstep(stream, { maxTrackedIps: 5_000 });
    expect(cov.fullOn).toBe(0);
    expect(cov.fullOff).toBe(5_000);
    expect(cov.evictions).toBe(15_000);
  });

  const logs = [
    '/work/shared/data/benign/mixed/l7_flood_2023.log',
    '/work/shared/data/benign/mixed/scanned_server_id_2024.log',
    '/work/shared/data/benign/mixed/howto_basjes_nl_spambots_2015.log',
    '/work/shared/data/benign/zanbil_ecommerce_2019_10k.log',
    '/work/shared/data/benign/nasa_http_jul1995_4k.log',
    '/work/shared/data/benign/film_distributor_site_2009_2011.log',
    '/work/shared/data/benign/internal_secops_console_nginx_2020_20k.log',
  ];
  it.skipIf(!logs.some((f) => existsSync(f)))('real logs', { timeout: 120_000 }, () => {
    for (const file of logs.filter((f) => existsSync(f))) {
      const events = readCombined(file);
      lockstep(events, { windowMinHits: 1 }, { batch: 500 });
      lockstep(events, { maxTrackedIps: 100 }, { batch: 500 });
    }
  });

  // The end-to-end bench's logs (npm run bench prepares them): the first 200,000 lines of each.
  const benchLogs = ['.bench/data/benign-1000000.log', '.bench/data/demo-1000000.log'];
  it.skipIf(!benchLogs.every((f) => existsSync(f)))('bench logs', { timeout: 300_000 }, () => {
    for (const file of benchLogs) {
      const events = readCombined(file, 200_000);
      const cov = lockstep(events, {}, { batch: 1_000, drainEvery: 5 });
      expect(cov.maxParked).toBeGreaterThan(0);
      lockstep(events, { maxTrackedIps: 2_000 }, { batch: 1_000, drainEvery: 5 });
    }
  });
});
