import { afterAll, beforeAll } from 'vitest';
import { openPgliteWorker, type PgliteWorkerClient } from './pglite-worker-client.js';
import { createStore } from './store.js';
import { describeStoreConformance } from './testing/conformance.js';

// Starting PGlite costs seconds (initdb), so the tests share one in-memory instance in its worker thread, the
// way the store runs it, each test in a fresh schema. PGlite has one session and the tests run one at a time,
// so search_path is per test.
let sql: PgliteWorkerClient;
let n = 0;
beforeAll(async () => {
  sql = await openPgliteWorker('memory://');
}, 180_000);
afterAll(() => sql.close());

describeStoreConformance('pglite (memory, worker thread)', async () => {
  const schema = `conformance_${++n}`;
  await sql.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
  // The instance outlives each store: close() drops the test's schema instead.
  return createStore({ ...sql, close: () => sql.exec(`DROP SCHEMA ${schema} CASCADE`) });
});
