/**
 * Redis going away and coming back, on a private redis-server this test starts, stops and starts again:
 * the API (startApi, as `serve` wires it) answers throughout, lookups through the enrichment cache,
 * quotas and breakers keep working in process, /health/redis and /ready say so, one log line per change,
 * and everything is back on Redis without a restart.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/index.js';
import { PipelineMetrics } from '../pipeline/index.js';
import { openStore, type Store } from '../store/index.js';
import { FAKE_KEYS, startFakeIntel, type FakeIntel } from '../enrich/testing/fake-intel.js';
import { startApi, type ListeningApi } from './api.js';
import { buildCollector, openEnrichment } from './enrichment.js';
import type { Enrichment } from '../enrich/index.js';
import { startPrivateRedis, type PrivateRedis } from './testing/private-redis.js';

let redis: PrivateRedis | null;
let fake: FakeIntel;
let store: Store;
let enrichment: Enrichment;
let api: ListeningApi;
const logs: { level: number; msg: string }[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, fn: () => Promise<T | null>, timeoutMs = 10_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== null) return v;
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(25);
  }
}

beforeAll(async () => {
  redis = await startPrivateRedis();
  if (!redis) return;
  fake = await startFakeIntel();
  const config = validateConfig({
    server: { host: '127.0.0.1', port: 0, metricsListen: '127.0.0.1:0' },
    // Access control has its own tests (src/api/auth); this one is about Redis going away and coming back.
    auth: { mode: 'off' },
    redis: { url: redis.url },
    enrich: {
      geoip: { bundled: false },
      http: { deadlineMs: 1500, readTimeoutMs: 1000, retries: 0 },
      providers: { abuseipdb: { apiKey: FAKE_KEYS.abuseipdb, baseUrl: fake.urls.abuseipdb } },
    },
  });
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as { level: number; msg: string });
        done();
      },
    }),
  );
  store = await openStore({ databaseUrl: 'memory://' });
  enrichment = await openEnrichment(config, (m) => logger.warn(m));
  const collector = buildCollector(config, enrichment, store, () => {});
  api = await startApi({
    config,
    store,
    metrics: new PipelineMetrics(),
    ruleIds: () => [],
    notApplicable: () => [],
    allowlist: () => [],
    enrichment,
    collector,
    outageChecks: () => null,
    sources: () => ({ ok: true, detail: '0 of 0 running' }),
    logger,
    version: 't',
    link: { ready: Promise.resolve(null) },
  });
}, 60_000);

afterAll(async () => {
  await api?.app.close();
  await enrichment?.close();
  await store?.close();
  await fake?.close();
  await redis?.stop();
});

const get = (path: string) => api.app.inject({ method: 'GET', url: path });

describe('Redis up, down, up (private redis-server)', () => {
  it('reports it, degrades to in-process state while it is gone, and recovers by itself', async (ctx) => {
    if (!redis) return ctx.skip();

    // Up: reachable, timed, on Redis.
    let health = await get('/health/redis');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ configured: true, reachable: true, last_error: null, used_by: ['enrichment cache, quotas and breakers', 'API rate limits and WebSocket tickets', 'live alert fan-out', 'analytics cache'] });
    expect(health.json().latency_ms).toBeGreaterThanOrEqual(0);
    let ready = await get('/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks.redis.detail).toMatch(/^reachable, PING [\d.]+ ms; used for enrichment cache/);
    expect((await get('/api/lookup/1.2.3.4')).json().sources[0]).toMatchObject({ source: 'abuseipdb', status: 'ok' });
    expect((await get('/api/lookup/1.2.3.4')).json().sources[0]).toMatchObject({ cached: true });
    expect(enrichment.sharedStateNow()).toBe('redis');

    // Down.
    await redis.stop();
    const stoppedAt = performance.now();
    health = await get('/health/redis');
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({ configured: true, reachable: false, latency_ms: null, outages: 1 });
    expect(health.json().last_error).not.toContain('127.0.0.1');
    ready = await get('/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().ready).toBe(true);
    expect(ready.json().checks.redis).toMatchObject({ ok: true });
    expect(ready.json().checks.redis.detail).toMatch(/^degraded: unreachable since .* run in this process until it returns$/);
    // Lookups go through quota, breaker and cache in process: a fresh one asks the provider, the next is cached.
    const before = fake.requests.abuseipdb;
    const fresh = await get('/api/lookup/9.9.9.9');
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json().sources[0]).toMatchObject({ source: 'abuseipdb', status: 'ok' });
    expect(fake.requests.abuseipdb).toBe(before + 1);
    expect((await get('/api/lookup/9.9.9.9')).json().sources[0]).toMatchObject({ cached: true });
    expect(enrichment.sharedStateNow()).toBe('in-process');
    const status = await get('/api/enrichment/status');
    expect(status.statusCode).toBe(200);
    // The metrics say so too.
    const scrape = await get('/metrics');
    expect(scrape.statusCode).toBe(200);
    expect(scrape.body).toMatch(/^rampart_redis_up 0$/m);
    expect(scrape.body).toMatch(/^rampart_enrichment_breaker_state\{provider="abuseipdb",state="closed"\} 1$/m);
    // Several checks while down, one log line.
    for (let i = 0; i < 3; i++) await get('/health/redis');
    expect(logs.filter((l) => l.msg.startsWith('Redis unreachable'))).toHaveLength(1);

    // Back, after an outage long enough for the reconnect delay to reach its cap (1 s); RAMPART_REDIS_OUTAGE_MS
    // lengthens it (docs/reliability.md's figures). The API notices without a restart.
    await sleep(Math.max(0, Number(process.env.RAMPART_REDIS_OUTAGE_MS ?? 1500) - (performance.now() - stoppedAt)));
    const listening = await redis.start();
    const reachableAfter = await waitFor('health reachable', async () => ((await get('/health/redis')).statusCode === 200 ? performance.now() - listening : null));
    const sharedAfter = await waitFor('enrichment back on Redis', async () => {
      await get('/api/lookup/9.9.9.8');
      return enrichment.sharedStateNow() === 'redis' ? performance.now() - listening : null;
    });
    console.log(`redis down ${Math.round(listening - stoppedAt)} ms; after it listens again: /health/redis 200 in ${Math.round(reachableAfter)} ms, enrichment on Redis in ${Math.round(sharedAfter)} ms`);
    expect(reachableAfter).toBeLessThan(5_000);
    expect(sharedAfter).toBeLessThan(5_000);
    ready = await get('/ready');
    expect(ready.json().checks.redis.detail).toMatch(/^reachable/);
    await waitFor('the recovery log line', async () => (logs.some((l) => l.msg.startsWith('Redis reachable again after')) ? true : null));
    expect(logs.filter((l) => l.msg.startsWith('Redis unreachable'))).toHaveLength(1);
    expect((await get('/health/redis')).json()).toMatchObject({ reachable: true, outages: 1, last_error: null });
    // The restarted Redis is empty (no persistence): a lookup asks the provider again and caches it there.
    expect((await get('/api/lookup/1.2.3.4')).json().sources[0]).toMatchObject({ status: 'ok' });
    expect((await get('/api/lookup/1.2.3.4')).json().sources[0]).toMatchObject({ cached: true });
  }, 300_000);

  it('a Redis that stops answering (SIGSTOP, connections left open) costs a lookup and /ready at most the 1 s command timeout', async (ctx) => {
    if (!redis) return ctx.skip();
    await waitFor('on Redis', async () => {
      await get('/api/lookup/9.9.9.6');
      return enrichment.sharedStateNow() === 'redis' ? true : null;
    });
    redis.pause();
    try {
      const timed = async (path: string) => {
        const t0 = performance.now();
        const res = await get(path);
        return { res, ms: performance.now() - t0 };
      };
      const first = await timed('/api/lookup/9.9.9.5');
      expect(first.res.statusCode).toBe(200);
      expect(first.res.json().sources[0]).toMatchObject({ source: 'abuseipdb', status: 'ok' });
      // Later operations skip the silent Redis for 2 s instead of each waiting for its timeout.
      const next = await timed('/api/lookup/9.9.9.4');
      expect(next.res.json().sources[0]).toMatchObject({ status: 'ok' });
      const ready = await timed('/ready');
      expect(ready.res.statusCode).toBe(200);
      expect(ready.res.json().checks.redis.detail).toMatch(/^degraded: unreachable .*\(timeout\)/);
      const health = await timed('/health/redis');
      expect(health.res.statusCode).toBe(503);
      expect(health.res.json().last_error).toBe('timeout');
      console.log(`redis paused: first lookup ${Math.round(first.ms)} ms, next ${Math.round(next.ms)} ms, /ready ${Math.round(ready.ms)} ms, /health/redis ${Math.round(health.ms)} ms`);
      expect(first.ms).toBeLessThan(1900);
      expect(next.ms).toBeLessThan(1000);
      expect(ready.ms).toBeLessThan(1900);
    } finally {
      redis.resume();
    }
    await waitFor('health reachable after SIGCONT', async () => ((await get('/health/redis')).statusCode === 200 ? true : null));
    await waitFor('enrichment back on Redis after SIGCONT', async () => {
      await get('/api/lookup/9.9.9.3');
      return enrichment.sharedStateNow() === 'redis' ? true : null;
    });
  }, 60_000);

  it('serves /metrics on the separate address without a key', async (ctx) => {
    if (!redis) return ctx.skip();
    expect(api.metricsPort).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${api.metricsPort}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^rampart_redis_up 1$/m);
    expect(text).toMatch(/^rampart_cache_hits_total\{cache="enrichment"\} [1-9]/m);
  });
});
