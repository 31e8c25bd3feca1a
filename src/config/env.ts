/**
 * Environment variables Rampart reads, and the config key each sets. An explicit table rather than
 * a naming convention, so `rampart config --help` can list them and nothing else leaks in.
 */
import { ENRICH_ENV_BINDINGS } from '../enrich/config.js';

export type EnvKind = 'string' | 'number' | 'boolean' | 'list';

export interface EnvBinding {
  env: string;
  key: string;
  kind: EnvKind;
}

export const ENV_BINDINGS: readonly EnvBinding[] = [
  { env: 'DATABASE_URL', key: 'store.databaseUrl', kind: 'string' },
  { env: 'REDIS_URL', key: 'redis.url', kind: 'string' },
  { env: 'RAMPART_HOST', key: 'server.host', kind: 'string' },
  { env: 'RAMPART_PORT', key: 'server.port', kind: 'number' },
  { env: 'RAMPART_DATA_DIR', key: 'store.dataDir', kind: 'string' },
  { env: 'RAMPART_RETENTION_DAYS', key: 'store.retentionDays', kind: 'number' },
  { env: 'RAMPART_WINDOW_MIN_HITS', key: 'store.windowMinHits', kind: 'number' },
  { env: 'RAMPART_LOGS', key: 'ingest.logs', kind: 'list' },
  { env: 'RAMPART_LOG_FORMAT', key: 'ingest.format', kind: 'string' },
  { env: 'RAMPART_TIMEZONE', key: 'ingest.timezone', kind: 'string' },
  { env: 'RAMPART_TRUSTED_PROXIES', key: 'ingest.trustedProxies', kind: 'list' },
  { env: 'RAMPART_DEMO', key: 'demo.enabled', kind: 'boolean' },
  { env: 'LOG_LEVEL', key: 'log.level', kind: 'string' },
  ...ENRICH_ENV_BINDINGS,
];
