/**
 * The read side of a role: the Fastify app over the store, the pipeline counters, readiness (store,
 * sources, enrichment) and the enrichment routes, listening on server.host:server.port.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createApi, enrichmentRoutes, listenApi, openNetworkWarning, storeChecks } from '../api/index.js';
import type { Config } from '../config/index.js';
import type { Enrichment } from '../enrich/index.js';
import type { AllowEntryStats, NotApplicable } from '../detect/index.js';
import type { PipelineMetrics } from '../pipeline/index.js';
import type { Store } from '../store/index.js';
import { enrichmentApi, enrichmentCheck, type RunningCollector } from './enrichment.js';
import { Redis } from 'ioredis';
import { maskUrl } from '../config/index.js';
import { deploymentOf } from './mode.js';


export interface ApiDeps {
  config: Config;
  store: Store;
  metrics: PipelineMetrics;
  /** The rule ids the detection carries now and its allowlist counters (read per request). */
  ruleIds: () => string[];
  /** Loaded ids the configured log format cannot feed, with the reason. */
  notApplicable: () => NotApplicable[];
  allowlist: () => AllowEntryStats[];
  enrichment: Enrichment;
  collector: RunningCollector;
  /** Store and migrations readiness while the store is down (null while it answers). */
  outageChecks: () => Record<string, { ok: boolean; detail?: string }> | null;
  /** Sources readiness: how many run of how many started (all stopping counts as ready). */
  sources: () => { ok: boolean; detail: string };
  logger: Logger;
  version: string;
}

export interface ListeningApi {
  app: FastifyInstance;
  /** The port bound (server.port, or the one the OS chose for 0). */
  port: number;
}

export async function startApi(deps: ApiDeps): Promise<ListeningApi> {
  const { config, store, enrichment, logger } = deps;
  const redis = analyticsRedis(config, logger);
  const app = createApi({
    store,
    pipeline: deps.metrics,
    readiness: async () => ({
      checks: {
        ...(deps.outageChecks() ?? (await storeChecks(store.schema, logger))),
        sources: deps.sources(),
        enrichment: await enrichmentCheck(enrichment),
      },
    }),
    logger,
    version: deps.version,
    extraRoutes: [enrichmentRoutes(enrichmentApi(enrichment, config, deps.collector))],
    // Read per request, so GET /api/rules/silent follows what the detection has loaded now.
    ruleIds: deps.ruleIds,
    notApplicable: deps.notApplicable,
    allowlist: deps.allowlist,
    ...(redis ? { redis } : {}),
    options: {
      trustProxy: config.server.trustProxy,
      bindHost: config.server.host,
      allowedHosts: config.server.allowedHosts,
    },
  });
  if (redis) app.addHook('onClose', async () => void (await redis.quit().catch(() => redis.disconnect())));
  // A busy port stops start-up with one line naming it (listenApi).
  const port = await listenApi(app, config.server);
  if (openNetworkWarning(config.server.host, port)) {
    logger.warn({ host: config.server.host, port }, 'API open to the network without authentication');
  }
  return { app, port };
}

/**
 * With REDIS_URL the analytics cache is shared by every API node (docs/api.md, Caching). Lazy and without an
 * offline queue: while Redis is down a lookup fails at once and counts as a cache miss; the error is logged
 * once per distinct message, never as ioredis's unhandled error event.
 */
function analyticsRedis(config: Config, logger: Logger): Redis | null {
  if (deploymentOf(config).sharedState !== 'redis' || !config.redis.url) return null;
  const redis = new Redis(config.redis.url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  let last: string | null = null;
  redis.on('error', (e: Error) => {
    const message = `analytics cache: Redis at ${maskUrl(config.redis.url ?? '')}: ${e.message}`;
    if (message !== last) logger.warn(message);
    last = message;
  });
  redis.on('ready', () => (last = null));
  redis.connect().catch(() => undefined);
  return redis;
}
