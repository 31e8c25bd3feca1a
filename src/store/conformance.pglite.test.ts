import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll } from 'vitest';
import { pgliteClient } from './pglite-client.js';
import { createStore } from './store.js';
import { describeStoreConformance } from './testing/conformance.js';

// Starting PGlite costs seconds (initdb), so the tests share one in-memory instance, each in a fresh
// schema. PGlite has one session and the tests run one at a time, so search_path is per test.
let db: PGlite;
let n = 0;
beforeAll(async () => {
  db = await PGlite.create();
});
afterAll(() => db.close());

describeStoreConformance('pglite (memory)', async () => {
  const schema = `conformance_${++n}`;
  await db.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
  // The instance outlives each store: close() drops the test's schema instead.
  const sql = { ...pgliteClient(db), close: () => db.exec(`DROP SCHEMA ${schema} CASCADE`).then(() => undefined) };
  return createStore(sql);
});
