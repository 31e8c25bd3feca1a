import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from './migrations/index.js';
import { openPg } from './pg-client.js';
import { createStore } from './store.js';
import { createTestSchema, probePostgres, type TestSchema } from './testing/postgres.js';

const url = await probePostgres('migrate race');
const schemas: TestSchema[] = [];
afterAll(async () => {
  for (const s of schemas) await s.drop();
});

describe.skipIf(!url)('migrate on a postgres server', () => {
  it('applies each migration once when several processes start together', async () => {
    const s = await createTestSchema(url!);
    schemas.push(s);
    const stores = Array.from({ length: 4 }, () => createStore(openPg(s.url, { schema: s.schema, max: 2 })));
    try {
      const results = await Promise.all(stores.map((st) => st.schema.migrate()));
      const all = MIGRATIONS.map((m) => m.id);
      for (const r of results) expect(r).toEqual({ applied: all, pending: [] });
      const { rows } = await stores[0]!.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
      expect(rows[0]?.n).toBe(all.length);
    } finally {
      await Promise.all(stores.map((st) => st.close()));
    }
  });
});
