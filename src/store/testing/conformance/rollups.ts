/** Rollups: stats from the per-minute counters, bounded cardinality, hits per rule and silent rules. */
import { expect, it } from 'vitest';
import type { HttpEvent, ThreatEvent } from '../../../core/index.js';
import { BadRequestError } from '../../../core/index.js';
import { makeDetection, makeEvent, makeThreat, T0 } from '../fixtures.js';
import { batchOf, count, MIN, type ConformanceSection } from './context.js';

export const rollupConformance: ConformanceSection = (t) => {
    it('answers stats from the rollups, matching the written data', async () => {
      const sev = ['info', 'low', 'medium', 'high', 'critical'] as const;
      const cat = ['sqli', 'xss', 'scanner'] as const;
      const events: HttpEvent[] = [];
      const threats: ThreatEvent[] = [];
      for (let i = 0; i < 300; i++) {
        const e = makeEvent(`s${i}`, { time: T0 + i * 1000, ip: `10.1.0.${i % 13}`, path: `/p${i % 7}` });
        events.push(e);
        if (i % 4 === 0) threats.push(makeThreat(e, { severity: sev[i % 5]!, category: cat[i % 3]! }));
      }
      // Two batches, so rollup rows are also added to (not only inserted).
      await t.store.writer.write({ events: events.slice(0, 150), threats: threats.filter((t) => t.event.time < T0 + 150_000), checkpoints: [] });
      await t.store.writer.write({ events: events.slice(150), threats: threats.filter((t) => t.event.time >= T0 + 150_000), checkpoints: [] });
      // Sanity: stats never reads raw rows, so deleting them must not change it.
      await t.store.sql.query('DELETE FROM requests');

      for (const [since, until] of [
        [T0, T0 + 5 * MIN],
        [T0 + MIN, T0 + 3 * MIN],
        [T0 + 90_000, T0 + 3 * MIN], // since rounds down to its minute
      ] as const) {
        const inRange = (t: number) => t >= Math.floor(since / MIN) * MIN && t < until;
        const ev = events.filter((e) => inRange(e.time));
        const th = threats.filter((t) => inRange(t.event.time));
        const s = await t.store.rollups.stats(since, until);
        expect(s.since).toBe(since);
        expect(s.totalRequests).toBe(ev.length);
        expect(s.threats).toBe(th.length);
        for (const v of sev) expect(s.bySeverity[v]).toBe(th.filter((t) => t.severity === v).length);
        for (const c of cat) expect(s.byCategory[c]).toBe(th.filter((t) => t.category === c).length);
        expect(s.topIps).toEqual(expectedTop(ev, th, (e) => e.ip).slice(0, 10));
        expect(s.topPaths).toEqual(expectedTop(ev, th, (e) => e.path).slice(0, 10));
      }
      const empty = await t.store.rollups.stats(T0 - 10 * MIN, T0);
      expect(empty.totalRequests).toBe(0);
      expect(empty.topIps).toEqual([]);
    });

    it('bounds rollup cardinality, folding the long tail into (other)', async () => {
      const small = t.withOptions({ rollupLimits: { maxIps: 3, maxPaths: 2 } });
      const events = Array.from({ length: 10 }, (_, i) => makeEvent(`k${i}`, { ip: `10.9.0.${i}`, path: `/u/${i}` }));
      await small.writer.write({ events, threats: [makeThreat(events[9]!)], checkpoints: [] });
      expect(await count(small, 'rollup_minute_ip')).toBe(3);
      expect(await count(small, 'rollup_minute_path')).toBe(2);
      const s = await small.rollups.stats(T0, T0 + MIN);
      expect(s.totalRequests).toBe(10);
      expect(s.topIps[0]).toEqual({ key: '10.9.0.9', count: 1, threats: 1, requests: 1 });
      expect(s.topIps.map((e) => e.key)).not.toContain('(other)');
      expect(s.topPaths.map((e) => e.key)).toEqual(['/u/9']);
    });

    it('counts hits per rule per time bucket, and lists loaded rules that hit nothing', async () => {
      const H = 60 * MIN;
      const hit = (id: string, time: number, ruleId: string, simulated = false) =>
        makeThreat(makeEvent(id, { time }), { detections: [makeDetection({ ruleId, simulated })] });
      await t.store.writer.write(
        batchOf([
          hit('h1', T0, 'noisy'),
          hit('h2', T0 + 5 * MIN, 'noisy'),
          hit('h3', T0 + H, 'noisy', true),
          hit('h4', T0 + 2 * H + 1, 'rare'),
          hit('h5', T0 - 3 * 24 * H, 'old'),
        ]),
      );
      const hourly = await t.store.rollups.ruleHits(T0, T0 + 3 * H, { bucket: 'hour' });
      expect(hourly).toEqual([
        { ruleId: 'noisy', total: 3, simulated: 1, points: [{ start: T0, count: 2 }, { start: T0 + H, count: 1 }] },
        { ruleId: 'rare', total: 1, simulated: 0, points: [{ start: T0 + 2 * H, count: 1 }] },
      ]);
      const dayStart = Math.floor(T0 / (24 * H)) * 24 * H;
      expect(await t.store.rollups.ruleHits(T0 - 4 * 24 * H, T0 + 3 * H, { bucket: 'day', limit: 1 })).toEqual([
        { ruleId: 'noisy', total: 3, simulated: 1, points: [{ start: dayStart, count: 3 }] },
      ]);
      expect(await t.store.rollups.ruleHits(T0 + 10 * H, T0 + 11 * H, { bucket: 'hour' })).toEqual([]);
      await expect(t.store.rollups.ruleHits(T0, T0 + H, { bucket: 'week' as never })).rejects.toBeInstanceOf(BadRequestError);

      const loaded = ['rare', 'silent-b', 'old', 'noisy', "x'); DROP TABLE threats; --", 'silent-a', 'silent-a'];
      expect(await t.store.rollups.silentRules(T0 - 24 * H, loaded)).toEqual(['old', 'silent-a', 'silent-b', "x'); DROP TABLE threats; --"]);
      expect(await t.store.rollups.silentRules(T0 - 4 * 24 * H, loaded)).not.toContain('old');
      expect(await t.store.rollups.silentRules(T0, [])).toEqual([]);
      expect(await count(t.store, 'threats')).toBe(5);
    });
};
function expectedTop(events: HttpEvent[], threats: ThreatEvent[], key: (e: HttpEvent) => string) {
  const m = new Map<string, { requests: number; threats: number }>();
  for (const e of events) {
    const c = m.get(key(e)) ?? { requests: 0, threats: 0 };
    c.requests++;
    m.set(key(e), c);
  }
  for (const t of threats) m.get(key(t.event))!.threats++;
  return [...m]
    .sort(([ka, a], [kb, b]) => b.threats - a.threats || b.requests - a.requests || (ka < kb ? -1 : 1))
    .map(([k, c]) => ({ key: k, count: c.threats, threats: c.threats, requests: c.requests }));
}
