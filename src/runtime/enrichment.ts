/**
 * Enrichment wiring shared by the runtime and the `collector`, `lookup` and `analyze` commands: open it
 * from config (the shipped GeoIP files by default, shared state per the deployment), the collector over
 * the store, the readiness line, the API routes. Which threats become IOCs is enrichment policy
 * (src/enrich/threat-iocs.ts); the runtime only delivers them (outputs.ts).
 */
import type { CollectorStatus, EnrichmentApi, ReadinessCheck } from '../api/index.js';
import type { Config } from '../config/index.js';
import type { DiskCache } from '../core/index.js';
import { Collector, createEnrichment, type CollectorRunStats, type Enrichment } from '../enrich/index.js';
import type { Store } from '../store/index.js';
import { deploymentOf } from './mode.js';

export interface OpenEnrichmentOptions {
  /** Name databases older than enrich.geoip.maxAgeDays (once: `serve` at start). */
  warnStale?: boolean;
  /** Keeps parsed ASN tables between runs (the CLI's cache directory). */
  diskCache?: DiskCache;
}

export async function openEnrichment(config: Config, onWarning: (message: string) => void, opts: OpenEnrichmentOptions = {}): Promise<Enrichment> {
  const redisUrl = deploymentOf(config).sharedState === 'redis' ? config.redis.url : undefined;
  return createEnrichment(config.enrich, {
    ...(redisUrl ? { redisUrl } : {}),
    onWarning,
    ...(opts.diskCache ? { diskCache: opts.diskCache } : {}),
    warnStale: opts.warnStale === true,
  });
}

export interface RunningCollector {
  collector: Collector;
  status: () => CollectorStatus;
}

export function buildCollector(
  config: Config,
  enrichment: Enrichment,
  store: Store,
  onWarning: (message: string) => void,
  onRun?: (stats: CollectorRunStats) => void,
): RunningCollector {
  const c = config.enrich.collector;
  let lastRun: CollectorStatus['lastRun'] = null;
  const totals: CollectorStatus['totals'] = { runs: 0, picked: 0, enriched: 0, skipped: 0, sourceErrors: 0, failed: 0 };
  const collector = new Collector(enrichment.service, store.iocs, {
    intervalMs: c.intervalSeconds * 1000,
    batchSize: c.batchSize,
    ttlMs: c.ttlSeconds * 1000,
    retryMs: c.retrySeconds * 1000,
    minSeverity: c.minSeverity,
    onWarning,
    onRun: (stats: CollectorRunStats) => {
      lastRun = { at: new Date().toISOString(), ...stats };
      totals.runs++;
      totals.picked += stats.picked;
      totals.enriched += stats.enriched;
      totals.skipped += stats.skipped;
      totals.sourceErrors += stats.sourceErrors;
      totals.failed += stats.failed;
      onRun?.(stats);
    },
  });
  return {
    collector,
    status: () => ({ enabled: c.enabled, intervalSeconds: c.intervalSeconds, batchSize: c.batchSize, lastRun, totals: { ...totals } }),
  };
}

const IDLE_LOG_MS = 3_600_000;

/**
 * The collector's log after its start line: one info line per run that picked something, and while
 * nothing is due one "nothing due" line at once and then at most hourly, so a quiet log still shows
 * it is alive.
 */
export function collectorRunLog(logger: { info: (obj: object, msg: string) => void }, now: () => number = Date.now): (stats: CollectorRunStats) => void {
  let idleRuns = 0;
  let lastIdleLog = -Infinity;
  return (s) => {
    if (s.picked > 0) {
      const extra = [s.skipped ? `${s.skipped} skipped (not public)` : '', s.failed ? `${s.failed} failed` : '', s.sourceErrors ? `${s.sourceErrors} source errors` : '']
        .filter(Boolean)
        .join(', ');
      logger.info({ ...s }, `collector: enriched ${s.enriched} of ${s.picked} due IOCs in ${s.durationMs} ms${extra ? ` (${extra})` : ''}`);
      return;
    }
    idleRuns++;
    if (now() - lastIdleLog >= IDLE_LOG_MS) {
      logger.info({ runs: idleRuns }, 'collector: nothing due');
      lastIdleLog = now();
      idleRuns = 0;
    }
  };
}

export function enrichmentApi(enrichment: Enrichment, config: Config, collector?: RunningCollector): EnrichmentApi {
  return {
    service: enrichment.service,
    geoDatabases: enrichment.geoDatabases,
    geoOnline: config.enrich.geoip.online.enabled,
    ...(collector ? { collector: collector.status } : {}),
  };
}

/** The /ready line: databases with type and build date, each provider's state. Never fails readiness. */
export async function enrichmentCheck(enrichment: Enrichment): Promise<ReadinessCheck> {
  const dbs = enrichment.geoDatabases.map((d) => `${d.file} (${d.type}, built ${d.buildDate?.slice(0, 10) ?? 'unknown'})`);
  const providers = (await enrichment.service.status()).map((p) =>
    p.configured ? `${p.name} ${p.breaker}${p.remaining_today === null ? '' : `, ${p.remaining_today} left today`}` : `${p.name} skipped (no key)`,
  );
  return { ok: true, detail: `geoip: ${dbs.length ? dbs.join('; ') : 'none'} | providers: ${providers.join('; ')}` };
}
