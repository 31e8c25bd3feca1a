import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/index.js';
import type { DnsResolver } from '../enrich/index.js';
import { buildDetection } from './build.js';

/** Counts questions; answers none (no network in tests). */
function countingResolver(): DnsResolver & { asked: number } {
  const r = {
    asked: 0,
    reverse: () => {
      r.asked++;
      return Promise.reject(Object.assign(new Error('none'), { code: 'ENOTFOUND' }));
    },
    resolve4: () => Promise.resolve([]),
    resolve6: () => Promise.resolve([]),
  };
  return r;
}

describe('buildDetection: good-bot DNS verification', () => {
  it('is off by default, and off without opts.botDns (analyze, explain) even when the config asks for it', () => {
    expect(validateConfig({}).detect.behaviour.goodBots).toMatchObject({
      verifyDns: false,
      dns: {
        cacheSize: 10_000,
        ttlMs: 86_400_000,
        retryMs: 3_600_000,
        concurrency: 4,
        timeoutMs: 2_000,
        maxPending: 1_000,
      },
    });
    expect(buildDetection(validateConfig({})).botVerification).toBeNull();
    expect(buildDetection(validateConfig({}), undefined, { botDns: true }).botVerification).toBeNull();
    const on = validateConfig({ detect: { behaviour: { goodBots: { verifyDns: true } } } });
    expect(buildDetection(on).botVerification).toBeNull();
  });

  it('rejects out-of-range bounds naming the key', () => {
    expect(() =>
      validateConfig({ detect: { behaviour: { goodBots: { dns: { concurrency: 1_000 } } } } }),
    ).toThrow(/concurrency/);
    expect(() => validateConfig({ detect: { behaviour: { goodBots: { dns: { bogus: 1 } } } } })).toThrow();
  });

  it('with verifyDns and opts.botDns, feeds crawler claims to the verifier', async () => {
    const resolver = countingResolver();
    const config = validateConfig({ detect: { behaviour: { goodBots: { verifyDns: true } } } });
    const parts = buildDetection(config, undefined, { botDns: true, resolver });
    const bv = parts.botVerification!;
    expect(bv).not.toBeNull();
    bv.onBotClaim('203.0.113.5', 'Googlebot');
    await bv.scheduler.idle();
    expect(resolver.asked).toBe(1);
    expect(bv.botVerdicts.get('203.0.113.5')).toBe('fake');
    await bv.close();
  });
});
