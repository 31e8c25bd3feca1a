import { afterAll, describe } from 'vitest';
import { openPg } from './pg-client.js';
import { createStore } from './store.js';
import { describeStoreConformance } from './testing/conformance.js';
import { createTestSchema, probePostgres, type TestSchema } from './testing/postgres.js';

const url = await probePostgres('store conformance');
const schemas: TestSchema[] = [];
afterAll(async () => {
  for (const s of schemas) await s.drop();
});

describe.skipIf(!url)('postgres server', () => {
  describeStoreConformance('postgres', async () => {
    const s = await createTestSchema(url!);
    schemas.push(s);
    return createStore(openPg(s.url, { schema: s.schema, max: 4 }));
  });
});
