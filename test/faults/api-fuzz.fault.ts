/**
 * Fault: 10,000 malformed requests, generated from the served /openapi.json (every parameter: wrong types,
 * out of range, Infinity/-Infinity/1e309/NaN, 10 KB strings, SQL fragments, unicode, NUL, invalid
 * percent-encoding, duplicates, unknown parameters; bad bodies and content types on POST routes; wrong
 * methods), against the API on PGlite and on PostgreSQL (its own schema on the local server; the server is
 * never stopped). Expected: no 5xx, no error-level log line, every 4xx in the error shape, none slower than
 * 1 s. The 1,000-request sample of the same generator runs in `npm test` (src/api/fuzz.test.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { generateRequests, runFuzz } from '../../src/api/testing/fuzz.js';
import { startFuzzTarget } from '../../src/api/testing/fuzz-target.js';
import { openStore } from '../../src/store/index.js';
import { createTestSchema, probePostgres, type TestSchema } from '../../src/store/testing/postgres.js';

const SEED = 20261206;
const COUNT = 10_000;

async function fuzz(what: string, open: () => ReturnType<typeof openStore>) {
  const target = await startFuzzTarget(await open());
  try {
    const requests = generateRequests(target.doc, COUNT, SEED, target.examples);
    const started = Date.now();
    const report = await runFuzz(target.port, requests);
    const summary = { ...report, failures: report.failures.slice(0, 20), seconds: (Date.now() - started) / 1000 };
    console.log(`api fuzz ${what}: ${JSON.stringify(summary)}`);
    return { report, errorLogs: target.errorLogs };
  } finally {
    await target.close();
  }
}

describe('API fuzz: 10,000 malformed requests', () => {
  it('on PGlite: no 5xx, no error log, none slower than 1 s', async () => {
    const { report, errorLogs } = await fuzz('pglite', () => openStore({ databaseUrl: 'memory://' }));
    expect(report.requests).toBe(COUNT);
    expect(report.failures).toEqual([]);
    expect(errorLogs).toEqual([]);
  });

  describe('on PostgreSQL', async () => {
    const url = await probePostgres('api fuzz fault');
    const schemas: TestSchema[] = [];
    afterAll(async () => {
      for (const s of schemas) await s.drop();
    });
    it.skipIf(!url)('no 5xx, no error log, none slower than 1 s', async () => {
      const schema = await createTestSchema(url!, 'rampart_fuzz');
      schemas.push(schema);
      const { report, errorLogs } = await fuzz('postgres', () => openStore({ databaseUrl: schema.url, schema: schema.schema }));
      expect(report.requests).toBe(COUNT);
      expect(report.failures).toEqual([]);
      expect(errorLogs).toEqual([]);
    });
  });
});
