/**
 * /api/stats over the daily rollups (migration 0012, top-keys.ts): against the truth computed here from the rows
 * written, over ranges whose first and last days are whole, partial with data outside, or inside one day; the
 * hourly category rollup; the generation rule for request batches; concurrent writers; pruning.
 */
import { expect, it } from 'vitest';
import type { Category, HttpEvent, ThreatEvent } from '../../../core/index.js';
import { makeEvent, makeThreat, T0 } from '../fixtures.js';
import { MIN, type ConformanceSection } from './context.js';

const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const D = Math.floor(T0 / DAY) * DAY;
const CATEGORIES: Category[] = ['sqli', 'xss', 'scanner'];

/** A deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Three days from D - 1 day, an event every ~4 minutes; IPs and paths skewed (`skew` > 1) or flat (1). */
function seed(skew: number, seedNo: number) {
  const rnd = random(seedNo);
  const pick = (n: number) => Math.floor(n * Math.pow(rnd(), skew));
  const events: HttpEvent[] = [];
  const threats: ThreatEvent[] = [];
  for (let i = 0; i < 1080; i++) {
    const e = makeEvent(`k${seedNo}-${String(i).padStart(5, '0')}`, {
      time: D - DAY + i * 4 * MIN + Math.floor(rnd() * 3 * MIN),
      ip: `10.1.0.${pick(40)}`,
      path: `/p/${pick(15)}`,
    });
    events.push(e);
    if (rnd() < 0.3) threats.push(makeThreat(e, { category: CATEGORIES[i % 3]!, severity: 'high' }));
  }
  return { events, threats };
}

interface Truth {
  threats: number;
  requests: number;
}

/** Per key over [since, until) at minute resolution (a minute counts when it starts in the range rounded down). */
function truth(d: ReturnType<typeof seed>, since: number, until: number, key: (e: HttpEvent) => string): Map<string, Truth> {
  const from = Math.floor(since / MIN) * MIN;
  const inRange = (e: HttpEvent) => Math.floor(e.time / MIN) * MIN >= from && Math.floor(e.time / MIN) * MIN < until;
  const out = new Map<string, Truth>();
  const get = (k: string) => out.get(k) ?? (out.set(k, { threats: 0, requests: 0 }), out.get(k)!);
  for (const e of d.events) if (inRange(e)) get(key(e)).requests++;
  for (const t of d.threats) if (inRange(t.event)) get(key(t.event)).threats++;
  return out;
}

function ranked(m: Map<string, Truth>): string[] {
  return [...m]
    .sort(([ka, a], [kb, b]) => b.threats - a.threats || b.requests - a.requests || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .map(([k]) => k);
}

const RANGES: [string, number, number][] = [
  ['three whole days', D - DAY, D + 2 * DAY],
  ['partial first and last days with data outside', D - DAY + 7 * HOUR + 13 * MIN, D + DAY + 5 * HOUR],
  ['inside one day, most of it', D + 2 * HOUR, D + 20 * HOUR + 30 * MIN],
  ['inside one day, a few hours', D + 2 * HOUR + 30_000, D + 5 * HOUR],
  ['ending after the data (the last day read whole)', D + 3 * HOUR, D + 2 * DAY + 6 * HOUR],
];

export const topKeyConformance: ConformanceSection = (t) => {
  const write = async (d: ReturnType<typeof seed>) => {
    for (let i = 0; i < d.events.length; i += 270) {
      const events = d.events.slice(i, i + 270);
      const ids = new Set(events.map((e) => e.id));
      await t.store.writer.write({ events, threats: d.threats.filter((x) => ids.has(x.event.id)), checkpoints: [] });
    }
  };

  for (const [skew, k] of [
    [3, 12],
    [1, 10],
    [2, 40],
  ] as const) {
    it(`ranks from the daily rollups: listed counts exact, the bound holds, exact lists are the truth (skew ${skew}, ${k} a day)`, async () => {
      const d = seed(skew, skew * 100 + k);
      await write(d);
      const daily = t.withOptions({ topKeys: { exactRows: 0, dayCandidates: k } });
      const exact = t.withOptions({ topKeys: { exactRows: Number.MAX_SAFE_INTEGER } });
      let provedExact = 0;
      for (const [name, since, until] of RANGES) {
        const s = await daily.rollups.stats(since, until);
        const e = await exact.rollups.stats(since, until);
        expect(e.topAccuracy.exact, name).toBe(true);
        for (const [list, exactList, key, bound] of [
          [s.topIps, e.topIps, (x: HttpEvent) => x.ip, s.topAccuracy.unlistedMaxIpThreats],
          [s.topPaths, e.topPaths, (x: HttpEvent) => x.path, s.topAccuracy.unlistedMaxPathThreats],
        ] as const) {
          const real = truth(d, since, until, key);
          const order = ranked(real);
          // The exact path is the truth.
          expect(exactList.map((x) => x.key), name).toEqual(order.slice(0, 10));
          for (const x of list) expect({ key: x.key, threats: x.threats, requests: x.requests }, name).toEqual({ key: x.key, ...real.get(x.key) });
          const listed = new Set(list.map((x) => x.key));
          for (const [k2, c] of real) if (!listed.has(k2)) expect(c.threats, `${name}: ${k2} unlisted`).toBeLessThanOrEqual(bound);
        }
        if (s.topAccuracy.exact) {
          provedExact++;
          expect(s.topIps.map((x) => x.key), name).toEqual(e.topIps.map((x) => x.key));
          expect(s.topPaths.map((x) => x.key), name).toEqual(e.topPaths.map((x) => x.key));
        }
        // Totals and categories do not depend on the ranking (categories: whole hours plus minute edges).
        expect(s.totalRequests, name).toBe([...truth(d, since, until, () => '')].reduce((n, [, c]) => n + c.requests, 0));
        const cats = truth(d, since, until, (x) => d.threats.find((th) => th.event === x)?.category ?? 'none');
        cats.delete('none');
        expect(s.byCategory, name).toEqual(Object.fromEntries([...cats].filter(([, c]) => c.threats > 0).map(([c, n]) => [c, n.threats])));
      }
      // With 40 candidates a day every key is one: every list is exact by construction.
      if (k === 40) expect(provedExact).toBe(RANGES.length);
    });
  }

  it('moves the generation for threats always, for requests at most once a second, and says how long an answer may be kept', async () => {
    const a = t.store.analytics;
    const g0 = (await a.generationMark()).generation;
    await t.store.writer.write({ events: [makeEvent('g1', { time: T0 })], threats: [], checkpoints: [] });
    const m1 = await a.generationMark();
    expect(m1.generation).toBe(g0 + 1);
    expect(m1.settledInMs).toBeGreaterThan(0);
    expect(m1.settledInMs).toBeLessThanOrEqual(2000);
    // Within the second: requests alone do not move it (every batch would make every answer miss).
    await t.store.writer.write({ events: [makeEvent('g2', { time: T0 })], threats: [], checkpoints: [] });
    expect((await a.generationMark()).generation).toBe(g0 + 1);
    const th = makeThreat(makeEvent('g3', { time: T0 }));
    await t.store.writer.write({ events: [th.event], threats: [th], checkpoints: [] });
    expect((await a.generationMark()).generation).toBe(g0 + 2);
    // A second later (moved back instead of waiting), requests move it again; an old move is settled.
    await t.store.sql.query(`UPDATE analytics_generation SET moved_at = moved_at - interval '5 seconds'`);
    expect((await a.generationMark()).settledInMs).toBe(0);
    await t.store.writer.write({ events: [makeEvent('g4', { time: T0 })], threats: [], checkpoints: [] });
    expect((await a.generationMark()).generation).toBe(g0 + 3);
    // A replayed batch adds nothing and moves nothing.
    await t.store.sql.query(`UPDATE analytics_generation SET moved_at = moved_at - interval '5 seconds'`);
    await t.store.writer.write({ events: [makeEvent('g4', { time: T0 })], threats: [], checkpoints: [] });
    expect((await a.generationMark()).generation).toBe(g0 + 3);
  });

  it('loses no update when batches commit concurrently on the same daily rows', async () => {
    const batches = Array.from({ length: 8 }, (_, b) => {
      const events = Array.from({ length: 25 }, (_, i) => makeEvent(`c${b}-${i}`, { time: T0 + i * MIN, ip: `10.9.0.${i % 3}`, path: `/c/${i % 2}` }));
      const threats = events.filter((_, i) => i % 5 === 0).map((e) => makeThreat(e));
      return { events, threats, checkpoints: [] };
    });
    await Promise.all(batches.map((b) => t.store.writer.write(b)));
    const { rows } = await t.store.sql.query<{ r: number; th: number; n: number }>(
      `SELECT sum(requests)::int AS r, sum(threats)::int AS th, count(*)::int AS n FROM rollup_day_ip`,
    );
    expect(rows[0]).toEqual({ r: 200, th: 40, n: 3 });
    const paths = await t.store.sql.query<{ r: number }>(`SELECT sum(requests)::int AS r FROM rollup_day_path`);
    expect(paths.rows[0]!.r).toBe(200);
  });

  it('prunes the daily rollups of days wholly before the retention bound', async () => {
    const events = [0, 1, 2].map((n) => makeEvent(`p${n}`, { time: D - DAY + n * DAY + HOUR }));
    await t.store.writer.write({ events, threats: [], checkpoints: [] });
    await t.store.rollups.prune(D + 12 * HOUR);
    const { rows } = await t.store.sql.query<{ d: number }>(
      `SELECT (extract(epoch FROM day) * 1000)::float8 AS d FROM rollup_day_ip ORDER BY day`,
    );
    expect(rows.map((r) => r.d)).toEqual([D, D + DAY]);
    const paths = await t.store.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM rollup_day_path`);
    expect(paths.rows[0]!.n).toBe(2);
  });
};
