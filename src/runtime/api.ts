/**
 * The read side of a role: the Fastify app over the store, the pipeline counters, readiness (store,
 * sources, enrichment) and the enrichment routes, listening on server.host:server.port.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createApi, enrichmentRoutes, listenApi, storeChecks } from '../api/index.js';
import type { Config } from '../config/index.js';
import type { Enrichment } from '../enrich/index.js';
import type { AllowEntryStats, NotApplicable } from '../detect/index.js';
import type { PipelineMetrics } from '../pipeline/index.js';
import type { StoreConnection } from '../pipeline/index.js';
import type { Store } from '../store/index.js';
import { runtimeAccess } from './access.js';
import { enrichmentApi, enrichmentCheck, type RunningCollector } from './enrichment.js';


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
  /** The store's start-up connection: the first-run key is created once it answers. */
  link: StoreConnection;
}

export interface ListeningApi {
  app: FastifyInstance;
  /** The port bound (server.port, or the one the OS chose for 0). */
  port: number;
  /** The first-run admin key once created, for the CLI to print once (never logged); null when none. */
  firstRunKey: Promise<string | null>;
}

export async function startApi(deps: ApiDeps): Promise<ListeningApi> {
  const { config, store, enrichment, logger } = deps;
  const access = await runtimeAccess(config, store, deps.link, logger);
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
    access: access.access,
    options: {
      trustProxy: config.server.trustProxy,
      bindHost: config.server.host,
      allowedHosts: config.server.allowedHosts,
    },
  });
  // A busy port stops start-up with one line naming it (listenApi).
  app.addHook('onClose', () => access.close());
  const port = await listenApi(app, config.server);
  return { app, port, firstRunKey: access.firstRunKey };
}
