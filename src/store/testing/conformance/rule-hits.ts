/**
 * The hourly rule-hit rollup (rollup_hour_rule, rule-hit-rollup.ts): rankings and series over any [since, until)
 * equal a count of the stored hits, whole hours come from the rollup, a replay adds nothing, and concurrent
 * writers of the same rule hours do not deadlock.
 */
import { expect, it } from 'vitest';
import type { Detection, ThreatEvent } from '../../../core/index.js';
import { makeDetection, makeEvent, makeThreat, T0 } from '../fixtures.js';
import { batchOf, MIN, type ConformanceSection } from './context.js';

const H = 60 * MIN;
const RULES = ['r-a', 'r-b', 'r-c', 'r-d'] as const;

/** Threats over five hours from T0 - 1 h, each with one to three hits, some simulated, at odd milliseconds. */
function threatsOverHours(): ThreatEvent[] {
  const out: ThreatEvent[] = [];
  for (let i = 0; i < 120; i++) {
    const time = T0 - H + i * 2.5 * MIN + (i % 7) * 1013;
    const detections: Detection[] = [];
    for (let k = 0; k <= i % 3; k++) detections.push(makeDetection({ ruleId: RULES[(i + k * 3) % 4]!, simulated: (i + k) % 5 === 0 }));
    out.push(makeThreat(makeEvent(`rh${i}`, { time }), { detections }));
  }
  return out;
}

/** Hits per rule in [since, until), ranked as topRules ranks (most first, then id). */
function expectedRanking(threats: ThreatEvent[], since: number, until: number) {
  const n = new Map<string, number>();
  for (const t of threats) {
    if (t.event.time < since || t.event.time >= until) continue;
    for (const d of t.detections) n.set(d.ruleId, (n.get(d.ruleId) ?? 0) + 1);
  }
  return [...n]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
}

export const ruleHitConformance: ConformanceSection = (t) => {
  it('ranks rules over any range exactly: whole hours from the rollup, partial hours from the hits', async () => {
    const threats = threatsOverHours();
    // Two batches, the second replaying part of the first: the replayed threats add nothing.
    await t.store.writer.write(batchOf(threats.slice(0, 70)));
    await t.store.writer.write(batchOf(threats.slice(40)));
    const { rows: sums } = await t.store.sql.query<{ n: number; s: number }>(
      'SELECT sum(hits)::int AS n, sum(simulated)::int AS s FROM rollup_hour_rule',
    );
    const all = threats.flatMap((x) => x.detections);
    expect(sums[0]).toEqual({ n: all.length, s: all.filter((d) => d.simulated).length });

    const windows: [number, number][] = [
      [T0 - H, T0 + 4 * H], // whole hours only
      [T0 - H + 17 * MIN + 333, T0 + 2 * H + 41 * MIN + 7], // partial first and last hour
      [T0 + 10 * MIN + 1, T0 + 50 * MIN - 1], // inside one hour
      [T0 + H, T0 + H + 1], // one millisecond
      [T0 + 30 * MIN, T0 + 30 * MIN], // empty
    ];
    for (const [since, until] of windows) {
      expect(await t.store.threats.topRules(since, until, 10)).toEqual(expectedRanking(threats, since, until));
      expect(await t.store.analytics.ruleActivity({ since, until })).toEqual(expectedRanking(threats, since, until));
    }
    const [since, until] = windows[1]!;
    const series = await t.store.rollups.ruleHits(since, until, { bucket: 'hour', limit: 4 });
    for (const s of series) {
      const hits = threats
        .filter((x) => x.event.time >= since && x.event.time < until)
        .flatMap((x) => x.detections.filter((d) => d.ruleId === s.ruleId).map((d) => ({ d, hour: Math.floor(x.event.time / H) * H })));
      expect(s.total).toBe(hits.length);
      expect(s.simulated).toBe(hits.filter((h) => h.d.simulated).length);
      expect(s.points.reduce((a, p) => a + p.count, 0)).toBe(hits.length);
      for (const p of s.points) expect(p.count).toBe(hits.filter((h) => h.hour === p.start).length);
    }

    // Whole hours are read from the rollup: without the hits of those hours, a whole-hour ranking is unchanged
    // and a partial one loses only its edges.
    const before = await t.store.threats.topRules(T0, T0 + 2 * H, 10);
    await t.store.sql.query(
      `DELETE FROM threat_hits WHERE threat_id IN (SELECT id FROM threats WHERE time >= to_timestamp($1::float8 / 1000)
         AND time < to_timestamp($2::float8 / 1000))`,
      [T0, T0 + 2 * H],
    );
    expect(await t.store.threats.topRules(T0, T0 + 2 * H, 10)).toEqual(before);
    const silent = await t.store.rollups.silentRules(T0 + H + 30 * MIN, [...RULES, 'never']);
    expect(silent).toEqual(['never']);
  });

  it('lets concurrent writers add to the same rule hours without deadlock', async () => {
    const batch = (tag: string, order: readonly string[]) =>
      batchOf(
        Array.from({ length: 40 }, (_, i) =>
          makeThreat(makeEvent(`${tag}${i}`, { time: T0 + (i % 4) * H + i }), {
            detections: order.map((ruleId) => makeDetection({ ruleId })),
          }),
        ),
      );
    const reversed = [...RULES].reverse();
    await Promise.all([
      t.store.writer.write(batch('cw-a', RULES)),
      t.store.writer.write(batch('cw-b', reversed)),
      t.store.writer.write(batch('cw-c', RULES)),
      t.store.writer.write(batch('cw-d', reversed)),
    ]);
    expect(await t.store.threats.topRules(T0, T0 + 4 * H, 10)).toEqual(RULES.map((key) => ({ key, count: 160 })));
  });
};
