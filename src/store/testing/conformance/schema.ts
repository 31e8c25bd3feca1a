/** Schema: migrations applied once, status, ping. */
import { expect, it } from 'vitest';
import { MIGRATIONS } from '../../migrations/index.js';
import { makeEvent, makeThreat } from '../fixtures.js';
import { batchOf, count, type ConformanceSection } from './context.js';

const ALL_IDS = MIGRATIONS.map((m) => m.id);

export const schemaConformance: ConformanceSection = (t) => {
    it('migrates a fresh database, and migrating again changes nothing', async () => {
      expect(t.before).toEqual({ applied: [], pending: ALL_IDS });
      expect(t.first).toEqual({ applied: ALL_IDS, pending: [] });
      await t.store.writer.write(batchOf([makeThreat(makeEvent('keep'))]));
      expect(await t.store.schema.migrate()).toEqual({ applied: ALL_IDS, pending: [] });
      expect(await t.store.schema.status()).toEqual({ applied: ALL_IDS, pending: [] });
      expect(await count(t.store, 'schema_migrations')).toBe(ALL_IDS.length);
      expect(await count(t.store, 'threats')).toBe(1);
      await t.store.schema.ping();
    });
};
