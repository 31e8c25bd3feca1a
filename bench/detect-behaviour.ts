/**
 * Behaviour detector throughput and memory. Two runs of 1,000,000 synthetic events:
 *  - 100,000 IPs (a busy site: pages, assets, some 404s and login POSTs);
 *  - 1,000,000 distinct IPs (a spoofed-source flood: every event a new IP, state must stay flat).
 * Only detect() is timed; batches of 1,000 events are built outside the clock.
 * Run: node --expose-gc --import tsx bench/detect-behaviour.ts
 */
import type { HttpEvent } from '../src/core/event.js';
import { BehaviourDetector } from '../src/detect/behaviour/index.js';

export interface BehaviourBenchResult {
  name: string;
  events: number;
  distinctIps: number;
  /** Events per wall-clock second of detect() calls. */
  eventsPerSecond: number;
  /** Events per CPU second of detect() calls (user + system): less sensitive to a loaded machine. */
  eventsPerCpuSecond: number;
  trackedIps: number;
  evictions: number;
  detections: number;
  windowsClosed: number;
  heapUsedMB: number;
  /**
   * heapUsed + ArrayBuffers after GC, minus the same before the detector existed, per tracked IP. The IP strings were
   * built before, so they are not counted (they cost ~30 bytes each more when a parser makes them).
   */
  bytesPerTrackedIp: number;
}

const T0 = Date.UTC(2024, 0, 15, 12, 0, 0);
const BATCH = 1_000;
const UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'curl/8.5.0',
];
const ASSETS = ['/css/site.css', '/js/app.js', '/img/logo.png', '/img/p/123.jpg', '/fonts/a.woff2'];

function ipv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Deterministic pseudo-random (mulberry32), so runs are comparable. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeEvent(i: number, ip: string, rand: () => number): HttpEvent {
  const r = rand();
  const asset = r < 0.5;
  const notFound = r > 0.97;
  const login = r > 0.995;
  const page = `/product/${Math.floor(rand() * 5_000)}`;
  return {
    id: `b${i}`,
    time: T0 + Math.floor(i / 2), // 2,000 events per second of event time
    ip,
    peerIp: null,
    method: login ? 'POST' : 'GET',
    host: 'shop.example',
    path: login ? '/wp-login.php' : asset ? ASSETS[i % ASSETS.length]! : notFound ? `/x${i % 97}.php` : page,
    query: '',
    protocol: 'HTTP/2.0',
    status: notFound ? 404 : 200,
    bytes: asset ? 4_000 : 30_000,
    referer: asset ? 'https://shop.example/product/1' : null,
    userAgent: UAS[(ip.length + (i & 1)) % UAS.length]!,
    requestTime: null,
    ja4: null,
    ja4h: null,
    headers: null,
    origin: { kind: 'file', source: 'bench', offset: i * 200, line: i },
  };
}

function heapNow(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function run(name: string, events: number, distinctIps: number): BehaviourBenchResult {
  const ips = Array.from({ length: distinctIps }, (_, i) => ipv4(0x0a000000 + i));
  const rand = rng(42);
  const before = heapNow();
  const detector = new BehaviourDetector();
  const state = detector.createState();
  let ns = 0n;
  let cpuMicros = 0;
  let detections = 0;
  const batch: HttpEvent[] = new Array<HttpEvent>(BATCH);
  for (let start = 0; start < events; start += BATCH) {
    for (let j = 0; j < BATCH; j++) {
      const i = start + j;
      const ip = distinctIps >= events ? ips[i]! : ips[Math.floor(rand() * distinctIps)]!;
      batch[j] = makeEvent(i, ip, rand);
    }
    const t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const out = detector.detect(batch, state);
    const used = process.cpuUsage(cpu);
    ns += process.hrtime.bigint() - t;
    cpuMicros += used.user + used.system;
    for (const d of out) detections += d.length;
    if (state.closedWindowCount > 5_000) state.drainClosedWindows(); // the pipeline drains continuously
  }
  state.drainClosedWindows();
  const after = heapNow();
  const seconds = Number(ns) / 1e9;
  const tracked = state.trackedIps;
  if (ips.length === 0) throw new Error('unreachable'); // keeps `ips` alive until measured
  return {
    name,
    events,
    distinctIps,
    eventsPerSecond: Math.round(events / seconds),
    eventsPerCpuSecond: Math.round(events / (cpuMicros / 1e6)),
    trackedIps: tracked,
    evictions: state.counters.evictions,
    detections,
    windowsClosed: state.counters.windowsClosed,
    heapUsedMB: Math.round((process.memoryUsage().heapUsed / 2 ** 20) * 10) / 10,
    bytesPerTrackedIp: Math.round((after - before) / Math.max(1, tracked)),
  };
}

export function runBehaviourBench(): BehaviourBenchResult[] {
  return [
    run('1M events / 100k IPs', 1_000_000, 100_000),
    run('1M events / 1M distinct IPs', 1_000_000, 1_000_000),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of runBehaviourBench()) console.log(JSON.stringify(r));
}
