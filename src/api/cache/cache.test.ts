/** One conformance suite for both TextCache implementations (Redis against the real server), then AnalyticsCache. */
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { REDIS_URL, serviceAvailable } from '../../enrich/testing/services.js';
import { AnalyticsCache, MemoryTextCache, RedisTextCache, type TextCache } from './index.js';

function textCacheConformance(name: string, open: () => Promise<TextCache>) {
  describe(`TextCache conformance: ${name}`, () => {
    it('returns what was set, undefined for unknown keys, and forgets after the TTL', async () => {
      const c = await open();
      expect(await c.get('nope')).toBeUndefined();
      await c.set('k', '{"a":1}', 60_000);
      expect(await c.get('k')).toBe('{"a":1}');
      await c.set('k', '{"a":2}', 60_000);
      expect(await c.get('k')).toBe('{"a":2}');
      await c.set('short', 'x', 30);
      await new Promise((r) => setTimeout(r, 80));
      expect(await c.get('short')).toBeUndefined();
      expect(await c.get('k')).toBe('{"a":2}');
    });
  });
}

textCacheConformance('memory', async () => new MemoryTextCache());

const redisUp = await serviceAvailable('redis');
const clients: Redis[] = [];
afterAll(async () => {
  for (const r of clients) await r.quit();
});
if (redisUp) {
  textCacheConformance('redis', async () => {
    const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    clients.push(r);
    // A prefix per run: parallel runs and other helpers never see each other's keys.
    return new RedisTextCache(r, `rampart:test:${randomBytes(4).toString('hex')}:`);
  });
} else {
  describe.skip('TextCache conformance: redis (no server)', () => it('skipped', () => undefined));
}

describe('AnalyticsCache', () => {
  it('answers from the cache until the generation moves, and counts hits and misses', async () => {
    let gen = 1;
    let computed = 0;
    const cache = new AnalyticsCache({ cache: new MemoryTextCache(), generation: async () => gen, generationTtlMs: 0 });
    const overview = () => cache.cached('overview', { range: '24h' }, async () => ({ n: ++computed }));
    expect(await overview()).toEqual({ n: 1 });
    expect(await overview()).toEqual({ n: 1 });
    expect(await cache.cached('overview', { range: '7d' }, async () => ({ n: ++computed }))).toEqual({ n: 2 });
    gen = 2;
    expect(await overview()).toEqual({ n: 3 });
    expect(cache.stats()).toEqual({ hits: 1, misses: 3, errors: 0, hitRatio: 0.25 });
  });

  it('keeps an answer computed soon after a move only until the move settles, then for the TTL', async () => {
    const ttls: number[] = [];
    const inner = new MemoryTextCache();
    const spy: TextCache = { get: (k) => inner.get(k), set: (k, v, ttl) => (ttls.push(ttl), inner.set(k, v, ttl)) };
    let mark = { generation: 5, settledInMs: 1200 };
    const cache = new AnalyticsCache({ cache: spy, generation: async () => mark, ttlMs: 10_000 });
    await cache.cached('stats', { range: '24h' }, async () => 1);
    mark = { generation: 5, settledInMs: 0 };
    await cache.cached('stats', { range: '7d' }, async () => 2);
    // A plain number is a settled generation.
    const plain = new AnalyticsCache({ cache: spy, generation: async () => 9, ttlMs: 10_000 });
    await plain.cached('stats', { range: '1h' }, async () => 3);
    expect(ttls).toEqual([1200, 10_000, 10_000]);
  });

  it('treats a failing backend as a miss, never an error', async () => {
    const broken = { get: async () => Promise.reject(new Error('down')), set: async () => Promise.reject(new Error('down')) };
    const cache = new AnalyticsCache({ cache: broken, generation: async () => 0 });
    expect(await cache.cached('x', {}, async () => 7)).toBe(7);
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 1, errors: 2 });
  });

  it('memoises the generation briefly, and bump() forgets it', async () => {
    let reads = 0;
    let t = 0;
    const cache = new AnalyticsCache({ cache: new MemoryTextCache(), generation: async () => ++reads, generationTtlMs: 1000, now: () => t });
    await cache.cached('a', {}, async () => 1);
    await cache.cached('a', {}, async () => 1);
    expect(reads).toBe(1);
    t = 1500;
    await cache.cached('a', {}, async () => 1);
    expect(reads).toBe(2);
    cache.bump();
    await cache.cached('a', {}, async () => 1);
    expect(reads).toBe(3);
  });
});
