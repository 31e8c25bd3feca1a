/**
 * The parse stage composed from configuration: which log format parses and how the client IP is chosen. Apart from
 * build.ts (which adds detection), so that a thread that only parses (analyze's parse worker) loads no detector.
 */
import type { Config } from '../config/index.js';
import { ConfigError } from '../core/index.js';
import { DEMO_JA4_LOG_FORMAT, getFormat, normaliseRecord, type FormatSpec, type LogFormat } from '../ingest/index.js';
import { createTrustedProxies, type TrustedProxies } from '../net/index.js';
import { isValidTimeZone } from '../time/index.js';
import type { Normaliser } from './types.js';

export interface IngestParts {
  format: LogFormat;
  trusted: TrustedProxies | null;
  normalise: Normaliser;
}

/** True when `serve` will run the traffic simulator (no log configured, demo on): its source is the demo's log. */
export function demoRuns(config: Pick<Config, 'ingest' | 'demo'>): boolean {
  return config.ingest.logs.length === 0 && config.demo.enabled;
}

/**
 * The format the sources parse with: a log_format string wins over a name; the demo's own JA4 format when `serve`
 * runs the demo with `demo.format: ja4` (`forDemo`).
 */
export function ingestFormatSpec(config: Pick<Config, 'ingest' | 'demo'>, forDemo = false): FormatSpec {
  const { ingest } = config;
  if (forDemo && demoRuns(config) && config.demo.format === 'ja4') return { logFormat: DEMO_JA4_LOG_FORMAT, name: 'demo-ja4' };
  if (ingest.format === 'custom' || ingest.logFormat !== undefined) {
    if (!ingest.logFormat) throw new Error('format "custom" needs ingest.logFormat (an nginx log_format string)');
    return { logFormat: ingest.logFormat };
  }
  return ingest.format;
}

/** `forDemo`: `serve`, whose source is the demo's log when no log is configured (see ingestFormatSpec). */
export function buildIngest(config: Config, now: () => number = Date.now, forDemo = false): IngestParts {
  const { ingest } = config;
  if (!isValidTimeZone(ingest.timezone)) {
    throw new ConfigError('ingest.timezone', `unknown time zone ${JSON.stringify(ingest.timezone)} (use an IANA name such as Europe/Paris)`);
  }
  let format: LogFormat;
  try {
    format = getFormat(ingestFormatSpec(config, forDemo), { timeZone: ingest.timezone });
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
