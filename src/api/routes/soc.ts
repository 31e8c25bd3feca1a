/**
 * The SOC analytics route groups (issue #11) and their shared cache: in Redis when the caller passes a client
 * (every API node then shares it), in process otherwise. Keyed by the store's generation (moves when threats
 * land, and at most once a second when requests do), so a dashboard polling every 5 s recomputes only after
 * something changed.
 */
import type { FastifyInstance } from 'fastify';
import { AnalyticsCache, MemoryTextCache, RedisTextCache } from '../cache/index.js';
import type { ApiDeps } from '../types.js';
import { liveAlertRoutes } from './alerts.js';
import { classifyRoutes } from './classify.js';
import { detectionRoutes } from './detections.js';
import { geoRoutes } from './geo.js';
import { modelRoutes } from './models.js';
import { overviewRoutes } from './overview.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The analytics cache: `stats()` gives hits, misses and the hit ratio (for the metrics exporter). */
    analyticsCache: AnalyticsCache;
  }
}

export function analyticsCacheFor(deps: ApiDeps): AnalyticsCache {
  return new AnalyticsCache({
    cache: deps.cacheRedis ? new RedisTextCache(deps.cacheRedis) : new MemoryTextCache(),
    generation: () => deps.store.analytics.generationMark(),
    ...(deps.analyticsCacheTtlMs !== undefined ? { ttlMs: deps.analyticsCacheTtlMs } : {}),
  });
}

export function socRoutes(deps: ApiDeps, cache: AnalyticsCache): ((app: FastifyInstance) => void)[] {
  const d = { store: deps.store, cache, ...(deps.clock ? { clock: deps.clock } : {}) };
  return [
    (app) => overviewRoutes(app, d),
    (app) => detectionRoutes(app, d),
    (app) => geoRoutes(app, d),
    (app) => liveAlertRoutes(app, d),
    (app) => classifyRoutes(app, d),
    (app) => modelRoutes(app, { ...d, ...(deps.ruleIds ? { ruleIds: deps.ruleIds } : {}) }),
  ];
}
