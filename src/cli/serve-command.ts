/**
 * `rampart serve`: follow logs, detect, store, serve the API. With no log configured it runs the
 * traffic simulator and follows its output, so a newcomer sees detections within seconds.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import pino from 'pino';
import { createApi, enrichmentRoutes, listenApi, openNetworkWarning, storeChecks } from '../api/index.js';
import { InProcessBus } from '../bus/index.js';
import type { Config } from '../config/index.js';
import type { ThreatEvent } from '../core/index.js';
import { BehaviourDetector, RuleDetector, type Detector } from '../detect/index.js';
import { startLiveDemo, FileTailSource } from '../ingest/index.js';
import {
  geoAnnotator,
  buildDetection,
  buildIngest,
  storeOptions,
  PipelineMetrics,
  flushWindows,
  runSource,
  startRuleReload,
  BadLineSampler,
  startRetention,
  deferredSource,
  connectStore,
  StoreOutage,
} from '../pipeline/index.js';
import { openStore } from '../store/index.js';
import { describeTimeZone, resolveTimeZone } from '../time/index.js';
import { cliCache } from './cache.js';
import { buildCollector, collectorRunLog, enrichmentApi, enrichmentCheck, openEnrichment } from './enrichment.js';
import { addConfigFlag, addFormatFlags, addStoreFlags, loadWithFlags, type CommonFlags } from './flags.js';
import { wholeNumber } from './flag-parsers.js';
import type { CliIO } from './io.js';
import { VERSION } from './version.js';

interface ServeFlags extends CommonFlags {
  log?: string[];
  host?: string;
  port?: number;
  demo?: boolean;
  fromStart?: boolean;
}

export function registerServe(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cmd = program
    .command('serve')
    .description('follow access logs, detect attacks, store them and serve the API')
    .option('-l, --log <path...>', 'access log to follow (repeatable; globs allowed, quote them)')
    .option('--host <host>', 'address the API listens on (default 127.0.0.1)')
    .option('-p, --port <port>', 'API port (default 8000)', wholeNumber(0, 65535))
    .option('--no-demo', 'do not run the traffic simulator when no log is configured')
    .option('--from-start', 'read existing log files from their beginning instead of their end');
  addConfigFlag(cmd);
  addStoreFlags(cmd);
  addFormatFlags(cmd);
  cmd.action(async (flags: ServeFlags) => {
    const extra: Record<string, string> = { log: 'ingest.logs', host: 'server.host' };
    if (flags.demo === false) extra.demo = 'demo.enabled';
    const layerFlags: Record<string, unknown> = { ...flags };
    if (flags.fromStart) layerFlags.fromStart = 'start';
    const { config, file } = loadWithFlags(layerFlags, io, {
      ...extra,
      port: 'server.port',
      fromStart: 'ingest.startAt',
    });
    const code = await serve(config, file, io);
    setExit(code);
  });
}

export async function serve(config: Config, configFile: string | null, io: CliIO): Promise<number> {
  const logger = pino({ level: config.log.level, base: { svc: 'rampart' } });
  const ingest = buildIngest(config);
  // Only `serve` may do DNS for goodBots.verifyDns; analyze/explain stay offline and deterministic.
  const detection = buildDetection(config, undefined, { botDns: true, ruleCache: cliCache(io) });
  if (detection.botVerification) {
    const { dns } = config.detect.behaviour.goodBots;
    logger.info(
      { cacheSize: dns.cacheSize, concurrency: dns.concurrency, timeoutMs: dns.timeoutMs },
      'good-bot verification by forward-confirmed reverse DNS on',
    );
  }
  const zone = resolveTimeZone(config.ingest.timezone);
  logger.info(
    { configFile, format: ingest.format.name, rules: detection.ruleCount },
    describeTimeZone(zone, Date.now()),
  );

  const store = await openStore({ ...storeOptions(config), logger, reputationMinScore: config.enrich.reputation.minScore, migrate: false });
  // A database that is down at start is waited for (with /health up and /ready saying so); sources start once it answers.
  const abort = new AbortController();
  const metrics = new PipelineMetrics();
  const outage = new StoreOutage(store.sql.dialect, logger, metrics.storeAvailability);
  const storeLink = await connectStore(store, outage, { signal: abort.signal });
  void storeLink.ready.then((up) => up && logger.info({ store: store.sql.dialect, migrations: up.migrations.applied.length }, 'store ready'));

  // GeoIP files are checked here (type, build date): a wrong file stops start-up with its name.
  const enrichment = await openEnrichment(config, (message) => logger.warn(message), { warnStale: true });
  logger.info(
    { databases: enrichment.geoDatabases.map((d) => `${d.file} (${d.type}, ${d.buildDate?.slice(0, 10)})`), openMs: enrichment.geoOpenMs },
    'geoip ready',
  );
  const annotate = enrichment.geoLocal ? geoAnnotator(enrichment.geoLocal) : undefined;
  const collector = buildCollector(config, enrichment, store, (message) => logger.warn(message), collectorRunLog(logger));
  if (config.enrich.collector.enabled) {
    collector.collector.start();
    logger.info({ intervalS: config.enrich.collector.intervalSeconds, batch: config.enrich.collector.batchSize }, 'enrichment collector running');
  }

  const tasks: Promise<unknown>[] = [];
  let patterns = config.ingest.logs;
  let startAt = config.ingest.startAt;
  if (patterns.length === 0 && config.demo.enabled) {
    const out = resolve(config.demo.out ?? join(config.store.dataDir, 'demo', 'access.log'));
    mkdirSync(join(out, '..'), { recursive: true });
    logger.info({ out, rate: config.demo.ratePerSecond }, 'no log configured: running the traffic simulator (--no-demo turns it off)');
    const demo = await startLiveDemo({
      out,
      seed: config.demo.seed,
      ratePerSecond: config.demo.ratePerSecond,
      signal: abort.signal,
    });
    tasks.push(demo.done.catch((err: unknown) => logger.error({ err }, 'demo simulator stopped')));
    patterns = [out];
    startAt = 'start'; // the demo file is ours: read it whole
  } else if (patterns.length === 0) {
    logger.warn('no log configured and the demo is off: only the API runs (set --log or ingest.logs)');
  }

  const sampler = new BadLineSampler(logger);
  const bus = new InProcessBus<ThreatEvent>((err) => logger.warn({ err }, 'live subscriber failed'));
  const sources = patterns.map((pattern) =>
    deferredSource(pattern, async () => {
      const up = await storeLink.ready;
      return (
        up &&
        new FileTailSource({
          id: pattern,
          patterns: [pattern],
          checkpoints: up.checkpoints,
          startAt,
          pollIntervalMs: config.ingest.pollIntervalMs,
          batchLines: config.ingest.batchLines,
          rotationGlobs: config.ingest.rotation.glob,
          logger,
        })
      );
    }),
  );
  const running = new Set<string>();
  for (const source of sources) {
    running.add(source.id);
    tasks.push(
      runSource(
        source,
        {
          format: ingest.format,
          normalise: ingest.normalise,
          evaluator: detection.engine,
          sink: store,
          metrics,
          sampler,
          ...(annotate ? { annotate } : {}),
          onStored: (threats) => {
            for (const t of threats) if (t.score > 0) bus.publish(t);
            if (config.enrich.collector.enabled) collector.addFromThreats(threats);
          },
        },
        { signal: abort.signal, outage },
      )
        .catch((err: unknown) => logger.error({ err, source: source.id }, 'source stopped'))
        .finally(() => running.delete(source.id)),
    );
  }
  const retention = startRetention(store, config.store.retentionDays, logger);
  // Rule packs and profiles reload on SIGHUP and when a user pack changes; behaviour state is kept.
  const stopReload = startRuleReload(detection, logger);

  const app = createApi({
    store,
    pipeline: metrics,
    readiness: async () => ({
      checks: {
        ...(outage.checks() ?? (await storeChecks(store, logger))),
        sources: {
          ok: abort.signal.aborted || running.size === sources.length,
          detail: `${running.size} of ${sources.length} running`,
        },
        enrichment: await enrichmentCheck(enrichment),
      },
    }),
    logger,
    version: VERSION,
    extraRoutes: [enrichmentRoutes(enrichmentApi(enrichment, config, collector))],
    // Read per request, so GET /api/rules/silent follows what the detection has loaded now.
    ruleIds: () => loadedRuleIds(detection.engine.detectors),
    allowlist: () => detection.engine.allowlist.stats(),
    options: {
      trustProxy: config.server.trustProxy,
      bindHost: config.server.host,
      allowedHosts: config.server.allowedHosts,
    },
  });
  const port = await listenApi(app, config.server);
  io.err(`rampart ${VERSION} listening on http://${config.server.host}:${port} (API docs at /docs)\n`);
  const openWarning = openNetworkWarning(config.server.host, port);
  if (openWarning) {
    logger.warn({ host: config.server.host, port }, 'API open to the network without authentication');
    io.err(`${openWarning}\n`);
  }

  await new Promise<void>((resolveStop) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down: draining sources');
      resolveStop();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  abort.abort();
  stopReload();
  retention.stop();
  if (detection.botVerification) {
    logger.info({ botVerification: detection.botVerification.stats() }, 'stopping good-bot verification');
    await detection.botVerification.close();
  }
  await Promise.all(sources.map((s) => s.stop()));
  await Promise.allSettled(tasks);
  // Open windows would be lost with the process: close them and store them in one last write.
  await flushWindows(store, detection.engine).catch((err: unknown) => logger.warn({ err }, 'storing the open IP windows failed'));
  await app.close();
  await collector.collector.stop();
  await bus.close();
  await enrichment.close();
  await store.close();
  logger.info('stopped');
  return 0;
}

/** Ids a detection can carry: every loaded rule, and `behaviour/<scenario>` for each enabled scenario. */
function loadedRuleIds(detectors: readonly Detector[]): string[] {
  const ids: string[] = [];
  for (const d of detectors) {
    if (d instanceof RuleDetector) for (const r of d.engine.rules) ids.push(r.id);
    if (d instanceof BehaviourDetector) {
      ids.push(...d.ruleIds());
    }
  }
  return ids;
}
