/**
 * Which pipeline stages run, from configuration: parse (log format, client-IP normaliser), detect (the
 * detection engine with rules, behaviour, allowlists; good-bot DNS verification when enabled, which
 * only a long-running role may do) and the geo annotation of threats before they are stored.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { DiskCache } from '../core/index.js';
import type { Enrichment } from '../enrich/index.js';
import { buildDetection, buildIngest, geoAnnotator, type Annotator, type DetectParts, type IngestParts } from '../pipeline/index.js';
import { describeTimeZone, resolveTimeZone } from '../time/index.js';

export interface Stages {
  ingest: IngestParts;
  detection: DetectParts;
}

export function buildStages(config: Config, configFile: string | null, logger: Logger, ruleCache?: DiskCache): Stages {
  const ingest = buildIngest(config, Date.now, true);
  // Only a serving role may do DNS for goodBots.verifyDns; analyze/explain stay offline and deterministic.
  const detection = buildDetection(config, undefined, { botDns: true, ...(ruleCache ? { ruleCache } : {}) });
  if (detection.botVerification) {
    const { dns } = config.detect.behaviour.goodBots;
    logger.info(
      { cacheSize: dns.cacheSize, concurrency: dns.concurrency, timeoutMs: dns.timeoutMs },
      'good-bot verification by forward-confirmed reverse DNS on',
    );
  }
  const zone = resolveTimeZone(config.ingest.timezone);
  logger.info({ configFile, format: ingest.format.name, rules: detection.ruleCount }, describeTimeZone(zone, Date.now()));
  return { ingest, detection };
}

/** Geo/ASN on each threat from the local databases, when any is open. */
export function annotatorFor(enrichment: Enrichment): Annotator | undefined {
  return enrichment.geoLocal ? geoAnnotator(enrichment.geoLocal) : undefined;
}
