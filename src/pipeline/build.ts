/**
 * Composition of the hot path from configuration: which format parses, how the client IP is chosen,
 * which detectors run. The same function serves `serve`, `analyze` and `explain`, so the batch and
 * live paths can never drift apart.
 */
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { ConfigError } from '../core/errors.js';
import { BehaviourDetector } from '../detect/behaviour/index.js';
import { DetectionEngine } from '../detect/engine.js';
import { RuleDetector, bundledRulePaths, loadRulePacks } from '../detect/rules/index.js';
import { getFormat } from '../ingest/formats/index.js';
import { normaliseRecord } from '../ingest/normalise.js';
import type { LogFormat } from '../ingest/types.js';
import { createTrustedProxies, type TrustedProxies } from '../net/index.js';
import { isValidTimeZone } from '../time/zone.js';
import type { Normaliser } from './pipeline.js';

export interface IngestParts {
  format: LogFormat;
  trusted: TrustedProxies | null;
  normalise: Normaliser;
}

export function buildIngest(config: Config, now: () => number = Date.now): IngestParts {
  const { ingest } = config;
  if (!isValidTimeZone(ingest.timezone)) {
    throw new ConfigError('ingest.timezone', `unknown time zone ${JSON.stringify(ingest.timezone)} (use an IANA name such as Europe/Paris)`);
  }
  let format: LogFormat;
  try {
    if (ingest.format === 'custom' || ingest.logFormat !== undefined) {
      if (!ingest.logFormat) throw new Error('format "custom" needs ingest.logFormat (an nginx log_format string)');
      format = getFormat({ logFormat: ingest.logFormat }, { timeZone: ingest.timezone });
    } else {
      format = getFormat(ingest.format, { timeZone: ingest.timezone });
    }
  } catch (err) {
    throw new ConfigError(ingest.logFormat !== undefined ? 'ingest.logFormat' : 'ingest.format', (err as Error).message);
  }
  let trusted: TrustedProxies | null = null;
  if (ingest.trustedProxies.length > 0) {
    try {
      trusted = createTrustedProxies(ingest.trustedProxies);
    } catch (err) {
      throw new ConfigError('ingest.trustedProxies', (err as Error).message);
    }
  }
  const opts = { trusted, now };
  return { format, trusted, normalise: (record, line) => normaliseRecord(record, line, opts) };
}

export interface DetectParts {
  engine: DetectionEngine;
  rules: RuleDetector;
  behaviour: BehaviourDetector;
  ruleCount: number;
}

export function buildDetection(_config: Config, rulePaths: readonly string[] = bundledRulePaths()): DetectParts {
  const ruleSet = loadRulePacks(rulePaths);
  const rules = new RuleDetector(ruleSet);
  const behaviour = new BehaviourDetector({});
  return { engine: new DetectionEngine([rules, behaviour]), rules, behaviour, ruleCount: ruleSet.rules.length };
}

/** Store options from config: a server when databaseUrl is set, else PGlite in `<dataDir>/pglite`. */
export function storeOptions(config: Config): { databaseUrl?: string; dataDir: string } {
  return config.store.databaseUrl
    ? { databaseUrl: config.store.databaseUrl, dataDir: config.store.dataDir }
    : { dataDir: join(config.store.dataDir, 'pglite') };
}
