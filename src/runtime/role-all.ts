/**
 * Role `all`: every part in one process. Start order: stages (so a bad rule or format stops start-up
 * before anything opens), store (waited for in the background when down), enrichment and collector,
 * outputs, sources and their loops, maintenance (retention, rule reload), API. Stop order drains the
 * pipeline before closing what it writes to.
 */
import type { Logger } from 'pino';
import { PipelineMetrics, sensorIngest } from '../pipeline/index.js';
import { checkAuthMode } from './access.js';
import { startApi } from './api.js';
import { buildCollector, collectorRunLog, openEnrichment } from './enrichment.js';
import { ingestThreadMode, prepareIngest, type PreparedIngest } from './ingest.js';
import { startLiveAlerts } from './live.js';
import { startMaintenance } from './maintenance.js';
import { deploymentOf, type Deployment } from './mode.js';
import { buildOutputs } from './outputs.js';
import { persistSiteKnowledge } from './site-knowledge.js';
import { annotatorFor } from './stages.js';
import { connectRuntimeStore } from './store.js';
import type { Role, Runtime, RuntimeOptions } from './types.js';

export const allRole: Role = {
  name: 'all',
  description: 'sources, parse, detect, store, outputs and the API in one process',
  start: startAll,
};

async function startAll(options: RuntimeOptions & { logger: Logger }): Promise<Runtime> {
  const { config, logger } = options;
  const deployment = deploymentOf(config);
  logger.info(deployment, 'deployment');
  checkAuthMode(config);
  const threadMode = options.ingestThread ?? ingestThreadMode();
  const stages = await prepareIngest(config, threadMode, logger, options.configFile, options.cache);
  try {
    return await startAfterStages(options, deployment, stages);
  } catch (err) {
    // The ingest worker would keep the process alive after a failed start.
    await stages.close();
    throw err;
  }
}

async function startAfterStages(
  options: RuntimeOptions & { logger: Logger },
  deployment: Deployment,
  stages: PreparedIngest,
): Promise<Runtime> {
  const { config, logger } = options;
  const abort = new AbortController();
  const metrics = new PipelineMetrics();
  const { store, outage, link } = await connectRuntimeStore(config, logger, metrics, abort.signal);

  // GeoIP files are checked here (type, build date): a wrong file stops start-up with its name.
  const enrichment = await openEnrichment(config, (message) => logger.warn(message), {
    warnStale: true,
    ...(options.cache ? { diskCache: options.cache } : {}),
  });
  logger.info(
    { databases: enrichment.geoDatabases.map((d) => `${d.file} (${d.type}, ${d.buildDate?.slice(0, 10)})`), openMs: enrichment.geoOpenMs },
    'geoip ready',
  );
  const collector = buildCollector(config, enrichment, store, (message) => logger.warn(message), collectorRunLog(logger));
  if (config.enrich.collector.enabled) {
    collector.collector.start();
    logger.info({ intervalS: config.enrich.collector.intervalSeconds, batch: config.enrich.collector.batchSize }, 'enrichment collector running');
  }
  const outputs = buildOutputs(config, deployment, collector, metrics, logger, store);
  const live = startLiveAlerts(config, outputs.bus, logger);

  const ingest = await stages.start({
    store,
    link,
    metrics,
    annotate: annotatorFor(enrichment),
    sinks: outputs.sinks,
    outage,
    logger,
    signal: abort.signal,
  });
  const siteKnowledge = persistSiteKnowledge(ingest.site, store, link, logger);
  const maintenance = startMaintenance(config, store, ingest.detection, logger);

  const api = await startApi({
    config,
    store,
    metrics,
    ruleIds: () => ingest.ruleIds(),
    notApplicable: () => ingest.notApplicable(),
    allowlist: () => ingest.allowlist(),
    enrichment,
    collector,
    outageChecks: () => outage.checks(),
    sources: () => ({
      ok: abort.signal.aborted || ingest.running.size === ingest.sourceCount,
      detail: `${ingest.running.size} of ${ingest.sourceCount} running`,
    }),
    logger,
    version: options.version,
    // Events from other sensors enter at detect (where the log events are detected) and share the batch writer and sinks.
    events: sensorIngest(ingest.detectEvents, { sink: store.writer, metrics, sinks: outputs.sinks }),
    live: live.hub,
    link,
  });

  return {
    role: 'all',
    logger,
    port: api.port,
    firstRunKey: api.firstRunKey,
    async stop(reason) {
      logger.info({ signal: reason }, 'shutting down: draining sources');
      abort.abort();
      maintenance.stop();
      await ingest.stop();
      await Promise.allSettled(ingest.tasks);
      await siteKnowledge.stop();
      await api.app.close();
      live.stop();
      await collector.collector.stop();
      await outputs.close();
      await enrichment.close();
      await store.close();
      logger.info('stopped');
    },
  };
}
