/**
 * Enrichment benchmark.
 *  1. GeoIP lookups/s on a generated GeoLite2-City-layout mmdb with 100,000 networks:
 *     uncached (LRU off, 100,000 distinct IPs) and cached (LRU on, a hot set of 10,000 IPs).
 *  2. Bulk enrichment of 10,000 public IPs (100 bulk calls of 100) against local fake AbuseIPDB,
 *     VirusTotal and OTX answering after 50 ms, with the free-tier quotas: checks that no provider
 *     saw more requests than its quota allows, and that refused lookups answered promptly.
 *  3. The same pipeline on 2,000 IPs with quotas lifted: raw throughput at 50 ms provider latency.
 * Run: node --import tsx bench/enrich.ts
 */
import { loadavg } from 'node:os';
import { ResultCache } from '../src/enrich/cache.js';
import { enrichConfigSchema } from '../src/enrich/config.js';
import { LocalGeoLookup, mmdbFromBuffer } from '../src/enrich/geoip/index.js';
import { manyNetworksCity } from '../src/enrich/geoip/testing/fixtures.js';
import { createProviders } from '../src/enrich/providers/index.js';
import { EnrichmentService } from '../src/enrich/service.js';
import { MemoryState } from '../src/enrich/state/memory.js';
import { FAKE_KEYS, startFakeIntel } from '../src/enrich/testing/fake-intel.js';
import type { EnrichmentResult } from '../src/enrich/types.js';

export interface GeoBench {
  networks: number;
  dbBytes: number;
  uncachedPerSecond: number;
  cachedPerSecond: number;
  uncachedPerCpuSecond: number;
  cachedPerCpuSecond: number;
  loadAverage: number;
}

export interface ProviderCounts {
  requests: number;
  ok: number;
  error: number;
  allowed: number;
}

export interface BulkBench {
  name: string;
  iocs: number;
  latencyMs: number;
  seconds: number;
  iocsPerSecond: number;
  /** 99th percentile duration of one bulk() call of 100 IOCs. */
  p99BulkCallMs: number;
  providers: Record<string, ProviderCounts>;
  quotasRespected: boolean;
}

/**
 * Lookups per second of wall time, and per second of this process's CPU time (user + system).
 * On a shared, loaded machine the CPU figure is the one that answers "how many on one core".
 */
function timeLoop(n: number, fn: (i: number) => void): { wall: number; cpu: number } {
  const c = process.cpuUsage();
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  const wall = Number(process.hrtime.bigint() - t) / 1e9;
  const used = process.cpuUsage(c);
  return { wall: Math.round(n / wall), cpu: Math.round(n / ((used.user + used.system) / 1e6)) };
}

export function runGeoBench(networks = 100_000): GeoBench {
  const { db, ips } = manyNetworksCity(networks);
  const src = mmdbFromBuffer(db, 'bench-city.mmdb', 'geo');
  const uncached = new LocalGeoLookup([src], { cacheSize: 0 });
  let sink = 0;
  timeLoop(50_000, (i) => (sink += uncached.lookupSync(ips[i % ips.length]!).location?.lat ?? 0)); // warm-up (JIT)
  const uncachedRate = timeLoop(500_000, (i) => (sink += uncached.lookupSync(ips[(i * 7919) % ips.length]!).location?.lat ?? 0));
  const hot = ips.slice(0, 10_000);
  const cached = new LocalGeoLookup([src], { cacheSize: 20_000 });
  for (const ip of hot) cached.lookupSync(ip);
  const cachedRate = timeLoop(2_000_000, (i) => (sink += cached.lookupSync(hot[i % hot.length]!).location?.lat ?? 0));
  if (Number.isNaN(sink)) throw new Error('unreachable');
  return {
    networks,
    dbBytes: db.length,
    uncachedPerSecond: uncachedRate.wall,
    cachedPerSecond: cachedRate.wall,
    uncachedPerCpuSecond: uncachedRate.cpu,
    cachedPerCpuSecond: cachedRate.cpu,
    loadAverage: Math.round(loadavg()[0]! * 10) / 10,
  };
}

/** Public, distinct, and not the fake's special addresses. */
function benchIps(n: number, seed: number): string[] {
  return Array.from({ length: n }, (_, i) => `${20 + seed}.${Math.floor(i / 62_500) % 250}.${Math.floor(i / 250) % 250}.${(i % 250) + 1}`);
}

async function runBulk(name: string, n: number, latencyMs: number, freeTier: boolean, seed: number): Promise<BulkBench> {
  const fake = await startFakeIntel({ latencyMs });
  try {
    const big = 1_000_000_000;
    const cfg = enrichConfigSchema.parse({
      http: { deadlineMs: 10_000, readTimeoutMs: 10_000, connections: 64 },
      providers: {
        abuseipdb: { apiKey: FAKE_KEYS.abuseipdb, baseUrl: fake.urls.abuseipdb, ...(freeTier ? {} : { perDay: big }) },
        virustotal: { apiKey: FAKE_KEYS.virustotal, baseUrl: fake.urls.virustotal, ...(freeTier ? {} : { perMinute: big, perDay: big }) },
        otx: { apiKey: FAKE_KEYS.otx, baseUrl: fake.urls.otx, ...(freeTier ? {} : { perMinute: big }) },
      },
    });
    fake.abuseRemaining = freeTier ? 1000 : big;
    const state = new MemoryState();
    const { providers, limiter, breaker } = createProviders(cfg, state);
    const service = new EnrichmentService({ providers, cache: new ResultCache(state, 3_600_000), limiter, breaker, bulkConcurrency: 100 });
    const ips = benchIps(n, seed);
    const durations: number[] = [];
    const counts: Record<string, ProviderCounts> = {};
    const started = performance.now();
    const startMinute = Math.floor(Date.now() / 60_000);
    for (let i = 0; i < ips.length; i += 100) {
      const t = performance.now();
      const out = await service.bulk(ips.slice(i, i + 100));
      durations.push(performance.now() - t);
      for (const r of out as EnrichmentResult[]) {
        for (const s of r.sources) {
          const c = (counts[s.source] ??= { requests: 0, ok: 0, error: 0, allowed: 0 });
          if (s.status === 'ok') c.ok++;
          else if (s.status === 'error') c.error++;
        }
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const minutes = Math.floor(Date.now() / 60_000) - startMinute + 1;
    const allowed = {
      abuseipdb: freeTier ? 1000 : Infinity,
      virustotal: freeTier ? Math.min(500, 4 * minutes) : Infinity,
      otx: freeTier ? 100 * minutes : Infinity,
    };
    for (const p of ['abuseipdb', 'virustotal', 'otx'] as const) {
      counts[p] = { ...(counts[p] ?? { ok: 0, error: 0 }), requests: fake.requests[p], allowed: allowed[p] } as ProviderCounts;
    }
    durations.sort((a, b) => a - b);
    return {
      name,
      iocs: n,
      latencyMs,
      seconds: Math.round(seconds * 100) / 100,
      iocsPerSecond: Math.round(n / seconds),
      p99BulkCallMs: Math.round(durations[Math.floor(durations.length * 0.99)]! * 100) / 100,
      providers: counts,
      quotasRespected: (['abuseipdb', 'virustotal', 'otx'] as const).every((p) => fake.requests[p] <= allowed[p]),
    };
  } finally {
    await fake.close();
  }
}

export async function runEnrichBench(): Promise<{ geo: GeoBench; bulk: BulkBench[] }> {
  const geo = runGeoBench();
  const bulk = [await runBulk('10k IPs, free-tier quotas, 50 ms providers', 10_000, 50, true, 1), await runBulk('2k IPs, quotas lifted, 50 ms providers', 2_000, 50, false, 2)];
  return { geo, bulk };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runEnrichBench();
  console.log(JSON.stringify(r.geo));
  for (const b of r.bulk) console.log(JSON.stringify(b));
}
