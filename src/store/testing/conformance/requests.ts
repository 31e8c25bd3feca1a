/** Requests: pruned by age in chunks; threats stay. */
import { expect, it } from 'vitest';
import { makeEvent, makeThreat, T0 } from '../fixtures.js';
import { MIN, type ConformanceSection } from './context.js';

export const requestConformance: ConformanceSection = (t) => {
    it('prunes only requests older than the cut-off, in chunks', async () => {
      const small = t.withOptions({ pruneChunk: 3 });
      const old = Array.from({ length: 10 }, (_, i) => makeEvent(`old${i}`, { time: T0 - 10 * MIN + i }));
      const recent = Array.from({ length: 4 }, (_, i) => makeEvent(`new${i}`, { time: T0 + i }));
      await small.writer.write({ events: [...old, ...recent], threats: [makeThreat(old[0]!)], checkpoints: [] });
      expect(await small.requests.prune(T0)).toBe(10);
      expect(await small.requests.prune(T0)).toBe(0);
      const { rows } = await small.sql.query<{ id: string }>('SELECT id FROM requests ORDER BY id');
      expect(rows.map((r) => r.id)).toEqual(['new0', 'new1', 'new2', 'new3']);
      expect(await small.threats.get('old0')).not.toBeNull();
      expect((await small.rollups.stats(T0 - 10 * MIN, T0 + MIN)).totalRequests).toBe(14);
    });
};
