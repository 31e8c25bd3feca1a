import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultCache } from './cache.js';
import { enrichConfigSchema } from './config.js';
import { LocalGeoLookup, mmdbFromBuffer } from './geoip/index.js';
import { nestedCity } from './geoip/testing/fixtures.js';
import { createProviders } from './providers/index.js';
import { EnrichmentService } from './service.js';
import { MemoryState } from './state/memory.js';
import { RedisState } from './state/redis.js';
import type { SharedState } from './state/types.js';
import { FAKE_KEYS, startFakeIntel } from './testing/fake-intel.js';
import type { FakeIntel } from './testing/fake-intel.js';
import { REDIS_URL, serviceAvailable } from './testing/services.js';

let fake: FakeIntel;
beforeAll(async () => {
  fake = await startFakeIntel({ slowMs: 3000 });
});
afterAll(() => fake.close());

function build(state: SharedState, opts: { otxKey?: string | undefined; deadlineMs?: number } = {}) {
  const cfg = enrichConfigSchema.parse({
    http: { deadlineMs: opts.deadlineMs ?? 1000, readTimeoutMs: 800, retries: 1, backoffMs: 10 },
    providers: {
      abuseipdb: { apiKey: FAKE_KEYS.abuseipdb, baseUrl: fake.urls.abuseipdb },
      virustotal: { apiKey: FAKE_KEYS.virustotal, baseUrl: fake.urls.virustotal, perMinute: 10_000, perDay: 10_000 },
      otx: { apiKey: 'otxKey' in opts ? opts.otxKey : FAKE_KEYS.otx, baseUrl: fake.urls.otx },
    },
  });
  const { providers, limiter, breaker } = createProviders(cfg, state);
  const geo = new LocalGeoLookup([mmdbFromBuffer(nestedCity(), 'City.mmdb', 'geo')]);
  return new EnrichmentService({ providers, cache: new ResultCache(state, 60_000), limiter, breaker, geo });
}
const total = () => fake.requests.abuseipdb + fake.requests.virustotal + fake.requests.otx;

describe('EnrichmentService', () => {
  it('queries every provider that supports the type, in parallel, and scores', async () => {
    const svc = build(new MemoryState());
    const r = await svc.lookup('81.2.69.170');
    expect(r).toMatchObject({ ioc: '81.2.69.170', type: 'ipv4', risk_level: 'none', geo: { country: { iso: 'GB' }, city: 'Boxford' } });
    expect(r.sources.map((s) => [s.source, s.status])).toEqual([
      ['abuseipdb', 'ok'],
      ['virustotal', 'ok'],
      ['otx', 'ok'],
    ]);
    const bad = await svc.lookup('1.2.3.4');
    expect(bad.risk_score).toBeGreaterThanOrEqual(80);
    expect(bad.risk_level).toBe('critical');
    expect(bad.categories).toEqual(expect.arrayContaining(['bruteforce', 'malicious', 'malware:mirai']));
  });

  it('domains skip AbuseIPDB (IP only) and carry no geo', async () => {
    const r = await build(new MemoryState()).lookup('evil.example');
    expect(r.sources.map((s) => s.source)).toEqual(['virustotal', 'otx']);
    expect(r.geo).toBeUndefined();
  });

  it('missing key → skipped with a reason, never an error', async () => {
    const r = await build(new MemoryState(), { otxKey: undefined }).lookup('8.8.8.8');
    expect(r.sources.find((s) => s.source === 'otx')).toMatchObject({ status: 'skipped', error: 'no API key (set OTX_API_KEY)' });
  });

  it('private addresses are labelled and never sent to providers', async () => {
    const before = total();
    const r = await build(new MemoryState()).lookup('10.1.2.3');
    expect(r.sources.every((s) => s.status === 'skipped')).toBe(true);
    expect(r.geo).toEqual({ ip: '10.1.2.3', kind: 'private' });
    expect(total()).toBe(before);
  });

  it('debug includes raw bodies; normal lookups do not', async () => {
    const svc = build(new MemoryState());
    const d = await svc.lookup('8.8.4.4', { debug: true });
    expect(d.sources[0]!.raw).toMatchObject({ data: { ipAddress: '8.8.4.4' } });
    const n = await build(new MemoryState()).lookup('8.8.4.4');
    expect(n.sources[0]!.raw).toBeUndefined();
  });

  it('a slow provider costs at most its deadline; the others still answer', async () => {
    fake.mode.otx = 'slow';
    try {
      const t = performance.now();
      const r = await build(new MemoryState(), { deadlineMs: 500 }).lookup('9.9.9.9');
      expect(performance.now() - t).toBeLessThan(1500);
      expect(r.sources.find((s) => s.source === 'otx')!.status).toBe('error');
      expect(r.sources.find((s) => s.source === 'abuseipdb')!.status).toBe('ok');
    } finally {
      fake.mode.otx = 'normal';
    }
  });

  it('bulk: ≤ 100, bad entries reported in place, duplicates share one request', async () => {
    const svc = build(new MemoryState());
    await expect(svc.bulk(new Array(101).fill('1.1.1.1'))).rejects.toThrow(/at most 100 indicators, got 101/);
    const before = fake.requests.abuseipdb;
    const out = await svc.bulk(['4.4.4.4', 'not an ioc', '4.4.4.4', '4.4.4.4']);
    expect(out[1]).toMatchObject({ ioc: 'not an ioc', code: 'unsupported_ioc' });
    expect('sources' in out[0]!).toBe(true);
    expect(fake.requests.abuseipdb - before).toBe(1);
  });

  it('status: configured, remaining quota, breaker, counters', async () => {
    const svc = build(new MemoryState(), { otxKey: undefined });
    await svc.lookup('3.3.3.3');
    const s = await svc.status();
    expect(s.find((p) => p.name === 'abuseipdb')).toMatchObject({ configured: true, breaker: 'closed', counters: { calls: 1, ok: 1 } });
    expect(s.find((p) => p.name === 'otx')).toMatchObject({ configured: false, reason: 'no API key (set OTX_API_KEY)', remaining_today: null });
    expect(s.find((p) => p.name === 'virustotal')!.remaining_today).toBe(9999);
  });

  it('counters add up: calls = ok + error; a skip (no key, private address) and a cache hit are no call', async () => {
    const svc = build(new MemoryState(), { otxKey: undefined });
    await svc.lookup('3.3.3.4');
    await svc.lookup('3.3.3.4'); // cached
    await svc.lookup('10.1.2.3'); // private: nobody asked
    const byName = Object.fromEntries((await svc.status()).map((p) => [p.name, p.counters]));
    expect(byName.otx).toEqual({ calls: 0, ok: 0, error: 0, skipped: 3, cached: 0 });
    expect(byName.abuseipdb).toEqual({ calls: 1, ok: 1, error: 0, skipped: 1, cached: 1 });
    for (const c of Object.values(byName)) expect(c.calls).toBe(c.ok + c.error);
  });
});

/** The cache conformance suite: same behaviour on memory and Redis. */
function cacheConformance(name: string, open: () => Promise<SharedState | null>) {
  describe(`result cache: ${name}`, () => {
    let state: SharedState | null;
    beforeAll(async () => {
      state = await open();
    });
    afterAll(async () => {
      await state?.close();
    });

    it('a second lookup makes no request', async (ctx) => {
      if (!state) return ctx.skip();
      const svc = build(state);
      const ip = `2.${Math.floor(Math.random() * 200) + 1}.3.4`;
      const first = await svc.lookup(ip);
      const before = total();
      const second = await svc.lookup(ip);
      expect(total()).toBe(before);
      expect(second.sources.every((s) => s.cached)).toBe(true);
      expect(second.sources.map((s) => s.data)).toEqual(first.sources.map((s) => s.data));
      // And another service over the same state (another process) shares it.
      await build(state).lookup(ip);
      expect(total()).toBe(before);
    });

    it('errors are not cached', async (ctx) => {
      if (!state) return ctx.skip();
      const cache = new ResultCache(state, 60_000);
      await cache.put('ipv4', '5.6.7.8', { source: 'otx', status: 'error', data: null, error: 'x', duration_ms: 1 });
      expect(await cache.get('otx', 'ipv4', '5.6.7.8')).toBeNull();
    });

    it('entries expire with the TTL', async (ctx) => {
      if (!state) return ctx.skip();
      // Long enough that a loaded machine still reads the entry back before it expires (40 ms did not).
      const cache = new ResultCache(state, 600);
      await cache.put('ipv4', '5.6.7.9', { source: 'otx', status: 'ok', data: { pulse_count: 1 }, duration_ms: 1 });
      expect(await cache.get('otx', 'ipv4', '5.6.7.9')).toMatchObject({ cached: true, data: { pulse_count: 1 } });
      await new Promise((r) => setTimeout(r, 900));
      expect(await cache.get('otx', 'ipv4', '5.6.7.9')).toBeNull();
    });
  });
}

cacheConformance('memory', async () => new MemoryState());
cacheConformance('redis', async () => ((await serviceAvailable('redis')) ? RedisState.connect(REDIS_URL, { prefix: `rampart-test:${randomUUID()}:` }) : null));
