/**
 * The app the fuzzer attacks: every route (rules, allowlist, lookups with no provider keys, so nothing
 * leaves the machine), the shared data set in a PGlite or PostgreSQL store, listening on 127.0.0.1. Counts
 * the error-level log lines: bad input must not be logged as a failure.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { ResultCache, enrichConfigSchema, EnrichmentService } from '../../enrich/index.js';
import { LocalGeoLookup, mmdbFromBuffer, createProviders, MemoryState } from '../../enrich/testing/parts.js';
import { nestedCity } from '../../enrich/geoip/testing/fixtures.js';
import { validateConfig } from '../../config/index.js';
import { buildDetection, detectWithVerdicts, PipelineMetrics, sensorIngest } from '../../pipeline/index.js';
import type { Store } from '../../store/index.js';
import { createApi } from '../app.js';
import { OPEN_ACCESS_FOR_TESTS } from '../auth/access-control.js';
import { enrichmentRoutes } from '../routes/enrichment.js';
import { ingestApi } from '../routes/ingest.js';
import type { OpenApiDocument } from './fuzz.js';
import { behaviourDataset, dataset, NOW } from './fixtures.js';

export interface FuzzTarget {
  port: number;
  doc: OpenApiDocument;
  /** Valid path parameter values (a stored threat id, a stored IP, an indicator). */
  examples: Record<string, string>;
  /** Error-level lines the app logged. */
  errorLogs: Record<string, unknown>[];
  close(): Promise<void>;
}

/** `store` is open and migrated; the target fills it with the shared data set and closes it at the end. */
export async function startFuzzTarget(store: Store): Promise<FuzzTarget> {
  const { events, threats, ids } = dataset();
  await store.writer.write({ events, threats, checkpoints: [] });
  for (const batch of behaviourDataset()) await store.writer.write(batch);
  const errorLogs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (typeof entry.level === 'number' && entry.level >= 50) errorLogs.push(entry);
      }
      done();
    },
  });
  const cfg = enrichConfigSchema.parse({ http: { deadlineMs: 500, retries: 0 } });
  const state = new MemoryState();
  const { providers, limiter, breaker } = createProviders(cfg, state);
  const geoSource = mmdbFromBuffer(nestedCity(), 'City.mmdb', 'geo');
  const service = new EnrichmentService({ providers, cache: new ResultCache(state, 60_000), limiter, breaker, geo: new LocalGeoLookup([geoSource]) });
  const metrics = new PipelineMetrics(() => NOW);
  // The ingest API over the real detection and batch writer: a malformed event must be a 4xx, a valid one stored.
  const { engine } = buildDetection(validateConfig({}), undefined, { site: false });
  const ingest = sensorIngest(async (batch, verdicts) => detectWithVerdicts(batch, verdicts, { evaluator: engine, metrics }), { sink: store.writer, metrics });
  const app = createApi({
    store,
    pipeline: metrics,
    readiness: async () => ({ checks: { store: { ok: true } } }),
    logger: pino({ level: 'warn' }, sink),
    version: 'fuzz',
    clock: () => NOW,
    ruleIds: () => ['sqli-union-select', 'never-fires'],
    allowlist: () => [],
    extraRoutes: [enrichmentRoutes({ service, geoDatabases: [geoSource.info], geoOnline: false }), ingestApi(ingest)],
    // The fuzzer probes the routes' input handling; access control has its own tests (src/api/auth).
    access: OPEN_ACCESS_FOR_TESTS,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const doc = (await (await fetch(`http://127.0.0.1:${port}/openapi.json`)).json()) as OpenApiDocument;
  return {
    port,
    doc,
    examples: { id: ids.sqli, ip: '203.0.113.7', ioc: '8.8.8.8' },
    errorLogs,
    async close() {
      await app.close();
      await store.close();
    },
  };
}
