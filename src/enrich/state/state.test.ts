/** One conformance suite, run on the in-process state and on Redis. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, serviceAvailable } from '../testing/services.js';
import { CircuitBreaker } from './breaker.js';
import { QuotaLimiter } from './limiter.js';
import { MemoryState } from './memory.js';
import { RedisState } from './redis.js';
import type { SharedState } from './types.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function conformance(name: string, open: () => Promise<SharedState | null>) {
  describe(`SharedState conformance: ${name}`, () => {
    let state: SharedState | null = null;
    beforeAll(async () => {
      state = await open();
    });
    afterAll(async () => {
      await state?.close();
    });
    const t = (title: string, fn: (s: SharedState) => Promise<void>) =>
      it(title, async (ctx) => {
        if (!state) return ctx.skip();
        await fn(state);
      });

    t('get/set/del', async (s) => {
      expect(await s.get('k1')).toBeNull();
      await s.set('k1', 'v', 10_000);
      expect(await s.get('k1')).toBe('v');
      await s.del('k1');
      expect(await s.get('k1')).toBeNull();
    });

    t('expiry', async (s) => {
      await s.set('k2', 'v', 30);
      await sleep(80);
      expect(await s.get('k2')).toBeNull();
    });

    t('setIfAbsent elects one winner', async (s) => {
      const wins = await Promise.all([1, 2, 3, 4].map(() => s.setIfAbsent('k3', 'x', 10_000)));
      expect(wins.filter(Boolean)).toHaveLength(1);
    });

    t('incr is atomic and keeps the window TTL', async (s) => {
      const ns = await Promise.all(Array.from({ length: 20 }, () => s.incr('k4', 150)));
      expect(ns.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      await sleep(200);
      expect(await s.incr('k4', 150)).toBe(1);
    });

    t('limiter: per-minute and per-day windows, provider blocks', async (s) => {
      let now = Date.UTC(2025, 0, 1, 12, 0, 10);
      const lim = new QuotaLimiter(s, { vt: { perMinute: 4, perDay: 6 } }, () => now);
      const take = async () => (await lim.acquire('vt')).ok;
      expect([await take(), await take(), await take(), await take(), await take()]).toEqual([true, true, true, true, false]);
      now += 60_000;
      expect([await take(), await take(), await take()]).toEqual([true, true, false]);
      expect(await lim.remainingToday('vt')).toBe(0);
      now += 86_400_000;
      expect(await take()).toBe(true);
      await lim.block('vt', now + 5000);
      const p = await lim.acquire('vt');
      expect(p).toMatchObject({ ok: false, reason: 'provider asked to back off' });
      expect(p.ok || p.retryAfterMs).toBeGreaterThan(4000);
    });

    t('limiter: provider-reported remaining lowers what status shows', async (s) => {
      const lim = new QuotaLimiter(s, { abuseipdb: { perDay: 1000 } });
      await lim.acquire('abuseipdb');
      expect(await lim.remainingToday('abuseipdb')).toBe(999);
      await lim.noteRemaining('abuseipdb', 12, Date.now() + 60_000);
      expect(await lim.remainingToday('abuseipdb')).toBe(12);
      await lim.noteRemaining('abuseipdb', 0, Date.now() + 60_000);
      expect((await lim.acquire('abuseipdb')).ok).toBe(false);
    });

    t('breaker: opens after N failures, one half-open probe, closes on success', async (s) => {
      const cb = new CircuitBreaker(s, { threshold: 3, cooldownMs: 100, probeTimeoutMs: 5000 });
      for (let i = 0; i < 3; i++) {
        expect((await cb.admit('otx')).ok).toBe(true);
        await cb.failure('otx');
      }
      expect(await cb.status('otx')).toBe('open');
      expect((await cb.admit('otx')).ok).toBe(false);
      await sleep(150);
      expect(await cb.status('otx')).toBe('half_open');
      const [a, b] = await Promise.all([cb.admit('otx'), cb.admit('otx')]);
      expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
      await cb.success('otx', true);
      expect(await cb.status('otx')).toBe('closed');
    });

    t('breaker: a failed probe reopens; trip opens at once', async (s) => {
      const cb = new CircuitBreaker(s, { threshold: 2, cooldownMs: 80, probeTimeoutMs: 5000 });
      await cb.trip('vt', 80);
      expect(await cb.status('vt')).toBe('open');
      await sleep(120);
      const a = await cb.admit('vt');
      expect(a).toEqual({ ok: true, probe: true });
      await cb.failure('vt');
      expect(await cb.status('vt')).toBe('open');
    });
  });
}

conformance('memory', async () => new MemoryState());
conformance('redis', async () => {
  if (!(await serviceAvailable('redis'))) return null;
  return RedisState.connect(REDIS_URL, { prefix: `rampart-test:${randomUUID()}:` });
});
