/**
 * Role `all`: every part in one process. Start order: stages (so a bad rule or format stops start-up
 * before anything opens), store (waited for in the background when down), enrichment and collector,
 * outputs, sources and their loops, maintenance (retention, rule reload), API. Stop order drains the
 * pipeline before closing what it writes to.
 */
import type { Logger } from 'pino';
import { flushWindows, PipelineMetrics } from '../pipeline/index.js';
import { startApi } from './api.js';
import { buildCollector, collectorRunLog, openEnrichment } from './enrichment.js';
import { startMaintenance } from './maintenance.js';
import { deploymentOf } from './mode.js';
import { buildOutputs } from './outputs.js';
import { startProcessing } from './process.js';
import { persistSiteKnowledge } from './site-knowledge.js';
import { startSources } from './sources.js';
import { annotatorFor, buildStages } from './stages.js';
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
  const stages = buildStages(config, options.configFile, logger, options.cache);

  const abort = new AbortController();
  const metrics = new PipelineMetrics();
  const { store, outage, link } = await connectRuntimeStore(config, logger, metrics, abort.signal);
  const siteKnowledge = persistSiteKnowledge(stages.detection.engine.site, store, link, logger);

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
  const outputs = buildOutputs(config, deployment, collector, metrics, logger);

  const { sources, tasks } = await startSources(config, link, logger, abort.signal);
  const processing = startProcessing(sources, {
    stages,
    store: store.writer,
    metrics,
    annotate: annotatorFor(enrichment),
    sinks: outputs.sinks,
    outage,
    logger,
    signal: abort.signal,
  });
  const maintenance = startMaintenance(config, store, stages.detection, logger);

  const api = await startApi({
    config,
    store,
    metrics,
    detection: stages.detection,
    enrichment,
    collector,
    outageChecks: () => outage.checks(),
    sources: () => ({
      ok: abort.signal.aborted || processing.running.size === sources.length,
      detail: `${processing.running.size} of ${sources.length} running`,
    }),
    logger,
    version: options.version,
  });

  return {
    role: 'all',
    logger,
    port: api.port,
    async stop(reason) {
      logger.info({ signal: reason }, 'shutting down: draining sources');
      abort.abort();
      maintenance.stop();
      const { botVerification } = stages.detection;
      if (botVerification) {
        logger.info({ botVerification: botVerification.stats() }, 'stopping good-bot verification');
        await botVerification.close();
      }
      await Promise.all(sources.map((s) => s.stop()));
      await Promise.allSettled([...tasks, ...processing.tasks]);
      // Open windows would be lost with the process: close them and store them in one last write.
      await flushWindows(store.writer, stages.detection.engine).catch((err: unknown) => logger.warn({ err }, 'storing the open IP windows failed'));
      await siteKnowledge.stop();
      await api.app.close();
      await collector.collector.stop();
      await outputs.close();
      await enrichment.close();
      await store.close();
      logger.info('stopped');
    },
  };
}
