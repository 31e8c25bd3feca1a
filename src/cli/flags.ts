/**
 * Command-line flags shared by commands that start the pipeline, and their mapping onto config keys
 * (flags are the top layer: flags > env > config file > defaults).
 */
import { Option, type Command } from 'commander';
import { loadConfig, setPath, type Layer, type LoadedConfig } from '../config/index.js';
import type { CliIO } from './io.js';

export interface CommonFlags {
  config?: string;
  databaseUrl?: string;
  dataDir?: string;
  format?: string;
  logFormat?: string;
  timezone?: string;
  trustedProxy?: string[];
  logLevel?: string;
}

export function addConfigFlag(cmd: Command): Command {
  return cmd.option('-c, --config <file>', 'config file (default: ./rampart.yaml when present)');
}

export function addStoreFlags(cmd: Command): Command {
  return cmd
    .option('--database-url <url>', 'PostgreSQL server URL (default: embedded PGlite; env DATABASE_URL)')
    .option('--data-dir <dir>', 'folder for embedded data (default ./data)');
}

export function addFormatFlags(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('-f, --format <name>', 'log format: combined, common, apache_combined, json').default(
        undefined,
      ),
    )
    .option('--log-format <string>', "an nginx log_format string to compile a parser from, e.g. '$remote_addr - …'")
    .option('--timezone <zone>', 'IANA zone for formats whose times carry no offset (default UTC)')
    .option(
      '--trusted-proxy <cidr...>',
      'trust X-Forwarded-For from these peers (CIDRs, or the built-in sets `cdn`, `private`)',
    )
    .option('--log-level <level>', 'trace, debug, info, warn, error, silent');
}

/** Maps parsed flags onto the config shape; only flags the user actually gave are set. */
export function flagsLayer(given: CommonFlags, extra: Record<string, string> = {}): Layer {
  const flags = given as Record<string, unknown>;
  const layer: Layer = {};
  const map: Record<string, string> = {
    databaseUrl: 'store.databaseUrl',
    dataDir: 'store.dataDir',
    format: 'ingest.format',
    logFormat: 'ingest.logFormat',
    timezone: 'ingest.timezone',
    trustedProxy: 'ingest.trustedProxies',
    logLevel: 'log.level',
    ...extra,
  };
  for (const [flag, key] of Object.entries(map)) {
    const v = flags[flag];
    if (v !== undefined) setPath(layer, key, v);
  }
  if (typeof flags.logFormat === 'string') setPath(layer, 'ingest.format', 'custom');
  return layer;
}

export function loadWithFlags(flags: CommonFlags, io: CliIO, extra?: Record<string, string>): LoadedConfig {
  return loadConfig({ file: flags.config, env: io.env, flags: flagsLayer(flags, extra), ...(io.cwd === undefined ? {} : { cwd: io.cwd }) });
}
