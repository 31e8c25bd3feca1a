/**
 * Behaviour detector throughput and memory. Two runs of 1,000,000 synthetic events:
 *  - 100,000 IPs (a busy site: pages, assets, some 404s and login POSTs);
 *  - 1,000,000 distinct IPs (a spoofed-source flood: every event a new IP, state must stay flat);
 *  - 1,000,000 distinct IPs all tracked (maxTrackedIps 1,000,000: the "peak RSS under 400 MB while tracking
 *    1,000,000 distinct IPs"), which is where bytes per tracked IP decide the RSS; once with the compact first-hit
 *    tier (the default: each IP has sent one request, so each is parked) and once without it;
 * and, when the file exists, the events of a real log (REAL_LOG, combined format), parsed and normalised in
 * batches of 1,000 by src/ingest: real strings are parser-made slices, slower to read than the synthetic constants.
 * Only detect() is timed; batches of 1,000 events are built outside the clock.
 * Run: node --expose-gc --import tsx bench/detect-behaviour.ts [real.log]
 */
import { existsSync, readFileSync } from 'node:fs';
import type { HttpEvent, EventOrigin } from '../src/core/event.js';
import { BehaviourDetector } from '../src/detect/behaviour/index.js';
import { getFormat } from '../src/ingest/formats/registry.js';
import { normaliseRecord } from '../src/ingest/normalise.js';

/** The real log of the end-to-end bench (1,000,000 benign lines). */
export const REAL_LOG = '.bench/data/benign-1000000.log';

export interface BehaviourBenchResult {
  name: string;
  events: number;
  distinctIps: number;
  /** Events per wall-clock second of detect() calls. */
  eventsPerSecond: number;
  /** Events per CPU second of detect() calls (user + system): less sensitive to a loaded machine. */
  eventsPerCpuSecond: number;
  /** CPU nanoseconds per event, the same figure inverted. */
  cpuNsPerEvent: number;
  trackedIps: number;
  evictions: number;
  detections: number;
  windowsClosed: number;
  heapUsedMB: number;
  /** Resident set size after GC, at the end of the run (the detector state still alive). */
  rssAfterGcMB: number;
  /**
   * heapUsed + ArrayBuffers after GC, minus the same before the detector existed, per tracked IP. The IP strings were
   * built before, so they are not counted (they cost ~30 bytes each more when a parser makes them). Not measured
   * (0) for the real log, whose text and parser-made strings would blur it. ArrayBuffers count as allocated: the
   * state's arrays are allocated at capacity and resident only where written, see usedBytesPerTrackedIp.
   */
  bytesPerTrackedIp: number;
  /** BehaviourState.usedBytes per tracked IP: the state's typed arrays as far as written (resident). */
  usedBytesPerTrackedIp: number;
  /** Tracked IPs with a full record (the others are parked first requests). */
  fullIps: number;
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
  // Twice: one full GC does not always collect everything the previous run left (the figure jumped by ±300 B/IP).
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Feeds `fill(batch)`-built batches to a fresh detector until `fill` returns 0; times detect() only. */
function measure(
  name: string,
  distinctIps: number,
  fill: (batch: HttpEvent[]) => number,
  keepAlive: unknown[],
  countBytes = true,
  config: unknown = {},
): BehaviourBenchResult {
  const before = heapNow();
  const detector = new BehaviourDetector(config);
  const state = detector.createState();
  let ns = 0n;
  let cpuMicros = 0;
  let detections = 0;
  let events = 0;
  const batch: HttpEvent[] = [];
  for (;;) {
    batch.length = 0;
    const n = fill(batch);
    if (n === 0) break;
    events += n;
    const t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const out = detector.detect(batch, state);
    const used = process.cpuUsage(cpu);
    ns += process.hrtime.bigint() - t;
    cpuMicros += used.user + used.system;
    for (const d of out) detections += d.length;
    if (state.closedWindowCount > 5_000) state.drainClosedWindows(); // the pipeline drains continuously
  }
  batch.length = 0;
  state.drainClosedWindows();
  const after = heapNow();
  const seconds = Number(ns) / 1e9;
  const tracked = state.trackedIps;
  if (keepAlive.length < 0) throw new Error('unreachable'); // keeps the IP strings alive until measured
  return {
    name,
    events,
    distinctIps,
    eventsPerSecond: Math.round(events / seconds),
    eventsPerCpuSecond: Math.round(events / (cpuMicros / 1e6)),
    cpuNsPerEvent: Math.round((cpuMicros * 1e3) / events),
    trackedIps: tracked,
    evictions: state.counters.evictions,
    detections,
    windowsClosed: state.counters.windowsClosed,
    heapUsedMB: Math.round((process.memoryUsage().heapUsed / 2 ** 20) * 10) / 10,
    rssAfterGcMB: Math.round((process.memoryUsage().rss / 2 ** 20) * 10) / 10,
    bytesPerTrackedIp: countBytes ? Math.round((after - before) / Math.max(1, tracked)) : 0,
    usedBytesPerTrackedIp: Math.round(state.usedBytes / Math.max(1, tracked)),
    fullIps: state.fullIps,
  };
}

function run(name: string, events: number, distinctIps: number, config: unknown = {}): BehaviourBenchResult {
  const ips = Array.from({ length: distinctIps }, (_, i) => ipv4(0x0a000000 + i));
  const rand = rng(42);
  let next = 0;
  return measure(
    name,
    distinctIps,
    (batch) => {
      for (let j = 0; j < BATCH && next < events; j++, next++) {
        const ip = distinctIps >= events ? ips[next]! : ips[Math.floor(rand() * distinctIps)]!;
        batch.push(makeEvent(next, ip, rand));
      }
      return batch.length;
    },
    ips,
    true,
    config,
  );
}

/** The events of a combined-format log, parsed and normalised batch by batch (outside the clock). */
function runRealLog(file: string): BehaviourBenchResult {
  const lines = readFileSync(file, 'utf8').split('\n');
  const format = getFormat('combined');
  const origin: EventOrigin = { kind: 'file', source: file, offset: 0, line: 0 };
  const opts = { trusted: null, now: () => 0 };
  let next = 0;
  const result = measure(
    `real log ${file.split('/').pop()}`,
    0,
    (batch) => {
      while (batch.length < BATCH && next < lines.length) {
        const i = next++;
        const r = format.parse(lines[i]!);
        if (!r.ok) continue;
        const e = normaliseRecord(r.record, { text: lines[i]!, key: `bench:${i}`, origin }, opts);
        if ('error' in e) continue;
        batch.push(e);
      }
      return batch.length;
    },
    [],
    false,
  );
  result.distinctIps = result.trackedIps + result.evictions; // an evicted IP that came back counts twice
  return result;
}

export function runBehaviourBench(realLog = REAL_LOG): BehaviourBenchResult[] {
  const results = [
    run('1M events / 100k IPs', 1_000_000, 100_000),
    run('1M events / 1M distinct IPs', 1_000_000, 1_000_000),
    run('1M events / 1M distinct IPs, all tracked', 1_000_000, 1_000_000, { maxTrackedIps: 1_000_000 }),
    run('1M events / 1M distinct IPs, all tracked, no compact tier', 1_000_000, 1_000_000, {
      maxTrackedIps: 1_000_000,
      compactFirstHit: false,
    }),
  ];
  if (existsSync(realLog)) results.push(runRealLog(realLog));
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of runBehaviourBench(process.argv[2])) console.log(JSON.stringify(r));
}
