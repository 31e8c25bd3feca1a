/**
 * The API under 1,000 malformed requests generated from its own /openapi.json (seeded, so a failure
 * reproduces): no 5xx, no error-level log line, every 4xx in the error shape, none slower than 1 s. On
 * PGlite always, on PostgreSQL when the server answers. The 10,000-request run is test/faults/api-fuzz.fault.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';
import { createTestSchema, probePostgres, type TestSchema } from '../store/testing/postgres.js';
import { generateRequests, runFuzz } from './testing/fuzz.js';
import { startFuzzTarget } from './testing/fuzz-target.js';

const SEED = 20261206;
const COUNT = 1_000;

async function fuzz(open: () => ReturnType<typeof openStore>) {
  const target = await startFuzzTarget(await open());
  try {
    const requests = generateRequests(target.doc, COUNT, SEED, target.examples);
    const report = await runFuzz(target.port, requests);
    return { report, errorLogs: target.errorLogs };
  } finally {
    await target.close();
  }
}

describe('API fuzz: 1,000 malformed requests', () => {
  it('generates the same requests for a seed, covering every operation', async () => {
    const doc = {
      paths: {
        '/a/{id}': { get: { parameters: [{ name: 'id', in: 'path' }, { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 5 } }] } },
        '/b': { post: { requestBody: { content: {} } } },
      },
    };
    const one = generateRequests(doc, 300, 7, { id: 'abc' });
    expect(one).toEqual(generateRequests(doc, 300, 7, { id: 'abc' }));
    expect(one).not.toEqual(generateRequests(doc, 300, 8, { id: 'abc' }));
    expect(one).toHaveLength(300);
    const all = generateRequests(doc, 5_000, 7, { id: 'abc' });
    expect(all.some((r) => r.target === '/a/abc?limit=Infinity')).toBe(true);
    expect(all.some((r) => r.target === '/a/abc?limit=6')).toBe(true);
    expect(all.some((r) => r.method === 'POST' && r.body?.toString() === '{')).toBe(true);
  });

  it('on PGlite: no 5xx, no error log, none slower than 1 s', { timeout: 300_000 }, async () => {
    const { report, errorLogs } = await fuzz(() => openStore({ databaseUrl: 'memory://' }));
    console.log(`api fuzz pglite: ${JSON.stringify({ ...report, failures: report.failures.length })}`);
    expect(report.failures).toEqual([]);
    expect(errorLogs).toEqual([]);
    expect(report.requests).toBe(COUNT);
  });

  describe('on PostgreSQL', async () => {
    const url = await probePostgres('api fuzz');
    const schemas: TestSchema[] = [];
    afterAll(async () => {
      for (const s of schemas) await s.drop();
    });
    it.skipIf(!url)('no 5xx, no error log, none slower than 1 s', { timeout: 300_000 }, async () => {
      const schema = await createTestSchema(url!, 'rampart_fuzz');
      schemas.push(schema);
      const { report, errorLogs } = await fuzz(() => openStore({ databaseUrl: schema.url, schema: schema.schema }));
      console.log(`api fuzz postgres: ${JSON.stringify({ ...report, failures: report.failures.length })}`);
      expect(report.failures).toEqual([]);
      expect(errorLogs).toEqual([]);
    });
  });
});
