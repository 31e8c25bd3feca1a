/** The batch writer: one transaction per batch, replays stored once, hostile strings bounded, PGlite slices. */
import { expect, it } from 'vitest';
import { StoreError } from '../../errors.js';
import { makeDetection, makeEvent, makeThreat, makeWindow, T0 } from '../fixtures.js';
import { batchOf, count, MIN, query, type ConformanceSection } from './context.js';

export const writerConformance: ConformanceSection = (t) => {
    it('stores a big batch once, replayed ids and all; on PGlite without holding the event loop', async () => {
      await t.store.writer.write(batchOf([], [makeEvent('big-3'), makeEvent('big-700')]));
      const events = Array.from({ length: 1234 }, (_, i) => makeEvent(`big-${i}`, { time: T0 + i }));
      let ticked = false;
      setImmediate(() => (ticked = true));
      await t.store.writer.write(batchOf([makeThreat(events[1000]!)], events.filter((_, i) => i !== 1000)));
      expect(await count(t.store, 'requests')).toBe(1234);
      expect(await count(t.store, 'threats')).toBe(1);
      // PGlite runs in its worker thread: the loop that answers /health turns while the big insert runs.
      if (t.store.sql.dialect === 'pglite') expect(ticked).toBe(true);
    });

    it('stores hits only with their threat, without a foreign key to check each one (migration 0016)', async () => {
      const threats = [makeThreat(makeEvent('fk1'), { detections: [makeDetection(), makeDetection({ ruleId: 'other' })] }), makeThreat(makeEvent('fk2'))];
      const batch = batchOf(threats, []);
      await t.store.writer.write(batch);
      // A replay whose threats are stored already takes the insert path: no hit twice, none without its threat.
      await t.store.writer.write(batchOf([...threats, makeThreat(makeEvent('fk3'))], []));
      expect(await count(t.store, 'threat_hits')).toBe(4);
      const orphans = await t.store.sql.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM threat_hits h WHERE NOT EXISTS (SELECT 1 FROM threats WHERE id = h.threat_id)',
      );
      expect(orphans.rows[0]!.n).toBe(0);
      const keys = await t.store.sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_constraint WHERE conrelid = 'threat_hits'::regclass AND contype = 'f'`,
      );
      expect(keys.rows[0]!.n).toBe(0);
    });

    it('writes a replayed batch once: rows, detections and rollups do not double', async () => {
      const threats = [
        makeThreat(makeEvent('r1', { ip: '198.51.100.1' })),
        makeThreat(makeEvent('r2', { ip: '198.51.100.2', time: T0 + MIN }), {
          detections: [makeDetection(), makeDetection({ ruleId: 'other' })],
        }),
      ];
      const batch = batchOf(threats, [makeEvent('p1'), makeEvent('p2', { time: T0 + MIN })]);
      await t.store.writer.write(batch);
      const once = await t.store.rollups.stats(T0, T0 + 5 * MIN);
      await t.store.writer.write(batch);
      // A batch repeating an id within itself counts it once too.
      await t.store.writer.write({ events: [makeEvent('p3'), makeEvent('p3')], threats: [], checkpoints: [] });

      expect(await count(t.store, 'requests')).toBe(5);
      expect(await count(t.store, 'threats')).toBe(2);
      expect(await count(t.store, 'threat_hits')).toBe(3);
      const twice = await t.store.rollups.stats(T0, T0 + 5 * MIN);
      expect(once.totalRequests).toBe(4);
      expect(twice).toEqual({
        ...once,
        totalRequests: 5,
        topIps: once.topIps.map((e) => (e.key === '203.0.113.7' ? { ...e, requests: e.requests! + 1 } : e)),
        topPaths: once.topPaths.map((e) => ({ ...e, requests: e.requests! + 1 })),
      });
    });

    it('does not write again a batch whose checkpoints are stored exactly (a commit whose acknowledgement was lost)', async () => {
      const cp = { source: '/var/log/ack.log', fileId: '7:9', offset: 500, line: 4, headHash: 'h' };
      const windows = [makeWindow('10.3.0.1', T0, { hits: 1, threatLevel: 'LOW', knownBot: null })];
      const batch = { events: [makeEvent('ack-1')], threats: [], checkpoints: [cp], windows };
      await t.store.writer.write(batch);
      const once = await t.store.windows.totals(T0, T0 + MIN);
      expect(once).toEqual({ LOW: { windows: 1, stored: 0, hits: 1 } });
      // The retry of the same batch: the window has no row and no id, only its count, which must not double.
      await t.store.writer.write(batch);
      expect(await t.store.windows.totals(T0, T0 + MIN)).toEqual(once);
      // The file truncated in place (same identity, offsets from the start again): a new batch, written.
      const truncated = { ...cp, offset: 120, line: 1, headHash: 'h2' };
      await t.store.writer.write({ events: [makeEvent('ack-2')], threats: [], checkpoints: [truncated], windows });
      expect(await t.store.windows.totals(T0, T0 + MIN)).toEqual({ LOW: { windows: 2, stored: 0, hits: 2 } });
      expect(await count(t.store, 'requests')).toBe(2);
      expect(await t.store.checkpoints.load()).toEqual([truncated]);
      // One of two checkpoints moved on: written.
      const other = { source: '/var/log/other.log', fileId: '7:10', offset: 10, line: 1, headHash: 'o' };
      await t.store.writer.write({ events: [], threats: [], checkpoints: [truncated, other], windows });
      expect(await t.store.windows.totals(T0, T0 + MIN)).toEqual({ LOW: { windows: 3, stored: 0, hits: 3 } });
    });

    it('rolls the whole batch back when any part fails', async () => {
      const bad = makeThreat(makeEvent('bad'), { severity: 'bogus' as never });
      const batch = {
        events: [makeEvent('ok'), bad.event],
        threats: [bad],
        checkpoints: [{ source: '/var/log/a.log', fileId: '1:2', offset: 10, line: 1, headHash: 'h' }],
      };
      const err = await t.store.writer.write(batch).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as Error).message).toMatch(/^store write: /);
      expect(await count(t.store, 'requests')).toBe(0);
      expect(await count(t.store, 'rollup_minute')).toBe(0);
      expect(await t.store.checkpoints.load()).toEqual([]);
      await expect(t.store.writer.write({ events: [makeEvent('nan', { time: NaN })], threats: [], checkpoints: [] })).rejects.toThrow(
        /event nan: time/,
      );
    });

    it('keeps hostile strings intact, except NUL which becomes U+FFFD', async () => {
      const big = 'A'.repeat(8190) + '\'"';
      const quote = `'; DROP TABLE threats; -- "\\x00 $1 %s`;
      const ev = makeEvent(`id'"\u0000`, {
        ip: '10.0.0.1\u0000',
        path: `/p\u0000ath/${'é'.repeat(300)}`,
        query: big,
        userAgent: quote,
        referer: '🧨\u0000',
        host: 'h\u0000',
      });
      const d = makeDetection({ fragment: 'frag\u0000', transforms: ['a"b', 'c\u0000'], detail: quote, field: 'arg:\u0000' });
      await t.store.writer.write({
        events: [ev],
        threats: [makeThreat(ev, { detections: [d] })],
        checkpoints: [{ source: 's\u0000', fileId: 'f', offset: 1, line: 1, headHash: '\u0000' }],
      });
      const got = await t.store.threats.get(`id'"\u0000`);
      expect(got).toMatchObject({
        id: `id'"\uFFFD`,
        ip: '10.0.0.1\uFFFD',
        path: `/p\uFFFDath/${'é'.repeat(300)}`,
        query: big,
        userAgent: quote,
        referer: '🧨\uFFFD',
        host: 'h\uFFFD',
      });
      expect(got?.query).toHaveLength(8192);
      expect(got?.detections).toEqual([
        { ...d, fragment: 'frag\uFFFD', transforms: ['a"b', 'c\uFFFD'], field: 'arg:\uFFFD', simulated: false },
      ]);
      expect(await t.store.checkpoints.load()).toEqual([{ source: 's\uFFFD', fileId: 'f', offset: 1, line: 1, headHash: '\uFFFD' }]);
      expect((await t.store.threats.list(query({ path: 'p\u0000ath' }))).total).toBe(1);
      expect((await t.store.threats.list(query({ ip: '10.0.0.1\u0000' }))).total).toBe(1);
      // The rollup keeps a bounded path key.
      expect((await t.store.rollups.stats(T0, T0 + MIN)).topPaths[0]?.key).toHaveLength(256);
      expect(await count(t.store, 'threats')).toBe(1);
    });

    it('serialises concurrent writes without losing rollup counts, and rolls back a failed transaction', async () => {
      const batches = Array.from({ length: 6 }, (_, b) => ({
        events: Array.from({ length: 50 }, (_, i) => makeEvent(`c${b}-${i}`, { time: T0 + i * 1000 })),
        threats: [],
        checkpoints: [],
      }));
      await Promise.all(batches.map((batch) => t.store.writer.write(batch)));
      expect((await t.store.rollups.stats(T0, T0 + MIN)).totalRequests).toBe(300);

      await expect(
        t.store.sql.transaction(async (tx) => {
          await tx.query(`INSERT INTO checkpoints (source, file_id, byte_offset, line, head_hash) VALUES ('x', 'f', 1, 1, 'h')`);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await t.store.checkpoints.load()).toEqual([]);
    });
};
