/**
 * The read side of a role: the Fastify app over the store, the pipeline counters, readiness (store,
 * sources, enrichment) and the enrichment routes, listening on server.host:server.port.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import {
  ApiMetrics,
  createApi,
  enrichmentRoutes,
  ingestApi,
  listenApi,
  listenMetrics,
  liveAlertRoutes,
  notificationRoutes,
  type MetricsListener,
  parseListenAddress,
  storeChecks,
  type AlertHub,
  type ReadinessCheck,
} from '../api/index.js';
import type { Config } from '../config/index.js';
import { newRedisClient, type Enrichment } from '../enrich/index.js';
import type { SensorIngest } from '../ingest/index.js';
import type { AllowEntryStats, NotApplicable } from '../detect/index.js';
import type { PipelineMetrics } from '../pipeline/index.js';
import type { StoreConnection } from '../pipeline/index.js';
import type { Store } from '../store/index.js';
import { runtimeAccess } from './access.js';
import { enrichmentApi, enrichmentCheck, type RunningCollector } from './enrichment.js';
import { deploymentOf } from './mode.js';
import { lazyChannels } from './notify.js';
import { RedisMonitor } from './redis-health.js';


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
  /** The ingest API's way into the pipeline (POST /api/threats/ingest and bulk-ingest); absent, those routes are not served. */
  events?: SensorIngest;
  /** The live alert hub behind /ws/alerts and /api/alerts/stream (src/runtime/live.ts). */
  live?: AlertHub;
  /** More /ready lines (the CrowdSec LAPI's), read per request. */
  extraChecks?: () => Record<string, ReadinessCheck>;
  /** The store's start-up connection: the first-run key is created once it answers. */
  link: StoreConnection;
}

export interface ListeningApi {
  app: FastifyInstance;
  /** The port bound (server.port, or the one the OS chose for 0). */
  port: number;
  /** The port of server.metricsListen, when configured. */
  metricsPort?: number;
  /** The Redis watch, when Redis is configured: later users of Redis add themselves (addUser). */
  redis?: RedisMonitor;
  /** The first-run admin key once created, for the CLI to print once (never logged); null when none. */
  firstRunKey: Promise<string | null>;
}

/** What uses Redis today when it is configured (deploymentOf: sharedState). */
const REDIS_USERS = ['enrichment cache, quotas and breakers', 'API rate limits and WebSocket tickets', 'live alert fan-out', 'analytics cache'];

export async function startApi(deps: ApiDeps): Promise<ListeningApi> {
  const { config, store, enrichment, logger } = deps;
  const access = await runtimeAccess(config, store, deps.link, logger);
  const redis =
    deploymentOf(config).sharedState === 'redis' && config.redis.url
      ? await RedisMonitor.open(config.redis.url, [...REDIS_USERS], logger)
      : undefined;
  await redis?.start();
  // The analytics cache is shared by every API node through Redis when there is one; while Redis is away a lookup
  // is a miss (computed here), never an error to the client.
  const cacheRedis = config.redis.url ? await newRedisClient(config.redis.url, 1000) : undefined;
  cacheRedis?.on('error', () => {});
  cacheRedis?.connect().catch(() => {});
  // The app's cache does not exist yet: the registry reads it through this once it does.
  let analyticsCounts = (): { hits: number; misses: number } => ({ hits: 0, misses: 0 });
  const live = deps.live;
  const metrics = new ApiMetrics({
    pipeline: deps.metrics,
    enrichment: () => enrichment.service.status(),
    caches: {
      enrichment: () => enrichment.service.cacheCounts(),
      analytics: () => analyticsCounts(),
    },
    ...(live
      ? {
          websocket: () => {
            const st = live.stats();
            return { clients: st.clients.websocket + st.clients.sse, sent: st.sent, dropped: st.slowClosed };
          },
        }
      : {}),
    ...(redis ? { redis: () => redis.counts() } : {}),
  });
  const app = createApi({
    store,
    ...(cacheRedis ? { cacheRedis } : {}),
    pipeline: deps.metrics,
    readiness: async () => {
      // Side by side: a Redis that stopped answering costs each its 1 s timeout, once, within /ready's 2 s.
      const [storeLines, enrichmentLine, redisLine] = await Promise.all([
        deps.outageChecks() ?? storeChecks(store.schema, logger),
        enrichmentCheck(enrichment),
        redis?.readiness(),
      ]);
      return {
        checks: { ...storeLines, sources: deps.sources(), enrichment: enrichmentLine, ...(redisLine ? { redis: redisLine } : {}), ...deps.extraChecks?.() },
      };
    },
    metrics,
    ...(redis ? { redis } : {}),
    logger,
    version: deps.version,
    extraRoutes: [
      enrichmentRoutes(enrichmentApi(enrichment, config, deps.collector)),
      ...(deps.events ? [ingestApi(deps.events)] : []),
      ...(deps.live ? [(app: FastifyInstance) => liveAlertRoutes(app, { hub: deps.live! })] : []),
      notificationRoutes({ deadLetters: store.deadLetters, channels: lazyChannels(config) }),
    ],
    // Read per request, so GET /api/rules/silent follows what the detection has loaded now.
    ruleIds: deps.ruleIds,
    notApplicable: deps.notApplicable,
    allowlist: deps.allowlist,
    access: access.access,
    options: {
      trustProxy: config.server.trustProxy,
      bindHost: config.server.host,
      allowedHosts: config.server.allowedHosts,
    },
  });
  analyticsCounts = () => app.analyticsCache.stats();
  let listener: MetricsListener | undefined;
  app.addHook('onClose', async () => {
    await listener?.close();
    redis?.close();
    cacheRedis?.disconnect();
    await access.close();
  });
  let port: number;
  try {
    if (config.server.metricsListen) {
      const at = parseListenAddress(config.server.metricsListen);
      listener = await listenMetrics(metrics, at, {
        allowedHosts: config.server.allowedHosts,
        onError: (err) => logger.warn({ err }, 'metrics listener: collecting failed'),
      });
      // No key on this address: it is for a scraper on a private network.
      logger.info({ host: at.host, port: listener.port }, 'metrics (no key) on a separate address');
    }
    // A busy port stops start-up with one line naming it (listenApi).
    port = await listenApi(app, config.server);
  } catch (err) {
    await app.close();
    throw err;
  }
  return { app, port, firstRunKey: access.firstRunKey, ...(listener ? { metricsPort: listener.port } : {}), ...(redis ? { redis } : {}) };
}
