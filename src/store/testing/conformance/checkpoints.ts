/** Checkpoints: upserted with their batch, loaded at start. */
import { expect, it } from 'vitest';
import { makeEvent } from '../fixtures.js';
import type { ConformanceSection } from './context.js';

export const checkpointConformance: ConformanceSection = (t) => {
    it('upserts checkpoints with the batch', async () => {
      const a = { source: '/var/log/a.log', fileId: '1:2', offset: 100, line: 3, headHash: 'ha' };
      const b = { source: '/var/log/b.log', fileId: '1:3', offset: 5, line: 1, headHash: 'hb' };
      await t.store.writer.write({ events: [makeEvent('e1')], threats: [], checkpoints: [a, b] });
      const a2 = { ...a, fileId: '1:9', offset: 2 ** 40 + 7, line: 2 ** 33, headHash: 'ha2' };
      await t.store.writer.write({ events: [], threats: [], checkpoints: [{ ...a, offset: 200 }, a2] });
      expect(await t.store.checkpoints.load()).toEqual([a2, b]);
    });
};
