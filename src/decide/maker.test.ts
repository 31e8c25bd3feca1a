/**
 * The policy applied to stored threats, over a real store (PGlite): one decision per source for a burst, the
 * ladder across offences, simulate recorded apart and never stacked, replayed threats leaving nothing active,
 * exemptions counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Allowlist, configAllowSpecs, GoodBotMatcher } from '../detect/index.js';
import { openStore, type Store } from '../store/index.js';
import { makeEvent, makeThreat } from '../store/testing/fixtures.js';
import { decisionsConfigSchema } from './config.js';
import { DecisionMaker } from './maker.js';
import { compilePolicy } from './policy.js';

const H = 3_600_000;
let store: Store;
let now = Date.UTC(2026, 11, 7, 12);

beforeAll(async () => {
  store = await openStore({ databaseUrl: 'memory://' });
}, 60_000);
afterAll(async () => {
  await store?.close();
});

function maker(rules: unknown[]) {
  const policy = compilePolicy(decisionsConfigSchema.parse({ rules }), {
    allowlist: new Allowlist(configAllowSpecs({ ips: ['10.0.0.0/8'], paths: [], userAgents: [], rules: [] })),
    goodBots: new GoodBotMatcher(),
  });
  return new DecisionMaker(policy, store.decisions, () => now);
}

const threat = (ip: string, i: number, over: { time?: number; ua?: string } = {}) =>
  makeThreat(makeEvent(`e${ip}-${i}`, { ip, time: over.time ?? now, userAgent: over.ua ?? 'sqlmap/1.7' }), { score: 0.9 });

describe('DecisionMaker', () => {
  it('makes one decision for a burst, then escalates when the source comes back', async () => {
    const m = maker([{ id: 'ban', durations: ['4h', '24h', '7d'] }]);
    const burst = Array.from({ length: 20 }, (_, i) => threat('192.0.2.1', i));
    const first = await m.decide(burst);
    expect(first.map((d) => [d.value, d.until - now, d.origin, d.ruleId])).toEqual([['192.0.2.1', 4 * H, 'rampart', 'ban']]);
    // Still banned: nothing more.
    expect(await m.decide([threat('192.0.2.1', 99)])).toEqual([]);
    expect(m.counters.alreadyDecided).toBe(1);
    now += 5 * H;
    expect((await m.decide([threat('192.0.2.1', 100)]))[0]!.until - now).toBe(24 * H);
    now += 25 * H;
    expect((await m.decide([threat('192.0.2.1', 101)]))[0]!.until - now).toBe(7 * 24 * H);
  });

  it('records simulated decisions apart, without counting an offence or stacking them', async () => {
    const m = maker([{ id: 'sim', simulate: true, durations: ['1h'] }]);
    const made = await m.decide([threat('192.0.2.2', 1), threat('192.0.2.2', 2)]);
    expect(made.map((d) => [d.value, d.simulated])).toEqual([['192.0.2.2', true]]);
    expect(await m.decide([threat('192.0.2.2', 3)])).toEqual([]);
    expect(await store.decisions.offences('192.0.2.2', now, 30 * 24 * H)).toBe(0);
    expect((await store.decisions.stream({}, null, now)).new.map((d) => d.value)).not.toContain('192.0.2.2');
  });

  it('leaves nothing active for a replayed old threat, and counts exemptions', async () => {
    const m = maker([{ id: 'ban', durations: ['4h'] }]);
    expect(await m.decide([threat('192.0.2.3', 1, { time: now - 10 * H })])).toEqual([]);
    expect(m.counters.stale).toBe(1);
    expect(await store.decisions.offences('192.0.2.3', now, 30 * 24 * H)).toBe(0);
    expect(await m.decide([threat('10.1.2.3', 1), threat('192.0.2.4', 1, { ua: 'Mozilla/5.0 (compatible; Googlebot/2.1)' })])).toEqual([]);
    expect(m.counters).toMatchObject({ allowlisted: 1, goodBots: 1 });
  });

  it('decides IPv6 sources on their /64', async () => {
    const m = maker([{ id: 'ban', durations: ['4h'] }]);
    const made = await m.decide([threat('2001:db8:5:6:a::1', 1), threat('2001:db8:5:6:b::2', 1)]);
    expect(made.map((d) => [d.scope, d.value])).toEqual([['Range', '2001:db8:5:6::/64']]);
    expect((await store.decisions.active({ ip: '2001:db8:5:6:ffff::9' }, now)).map((d) => d.value)).toEqual(['2001:db8:5:6::/64']);
  });
});
