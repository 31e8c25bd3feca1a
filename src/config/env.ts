/**
 * Environment variables Rampart reads, and the config key each sets. An explicit table rather than
 * a naming convention, so `rampart config --env` can list them and nothing else leaks in.
 *
 * Aliases are the names the services Rampart replaces use (PORT, API_PORT, DB_HOST…). Rampart's own
 * name wins over an alias, and an earlier alias over a later one. DB_* and REDIS_HOST/PORT/DB are
 * composed into a URL, used only when DATABASE_URL / REDIS_URL is not set.
 */
import { ENRICH_ENV_BINDINGS } from '../enrich/index.config.js';
import { ConfigError } from '../core/index.js';

/** `seconds-ms`: a number of seconds (decimals allowed) for a key kept in milliseconds. */
export type EnvKind = 'string' | 'number' | 'boolean' | 'list' | 'seconds-ms';

export interface EnvBinding {
  env: string;
  key: string;
  kind: EnvKind;
  aliases?: readonly string[];
}

export const ENV_BINDINGS: readonly EnvBinding[] = [
  { env: 'DATABASE_URL', key: 'store.databaseUrl', kind: 'string' },
  { env: 'REDIS_URL', key: 'redis.url', kind: 'string' },
  { env: 'RAMPART_HOST', key: 'server.host', kind: 'string' },
  { env: 'RAMPART_PORT', key: 'server.port', kind: 'number', aliases: ['API_PORT', 'PORT'] },
  { env: 'RAMPART_DATA_DIR', key: 'store.dataDir', kind: 'string' },
  { env: 'RAMPART_RETENTION_DAYS', key: 'store.retentionDays', kind: 'number' },
  { env: 'RAMPART_WINDOW_MIN_HITS', key: 'store.windowMinHits', kind: 'number' },
  { env: 'RAMPART_LOGS', key: 'ingest.logs', kind: 'list' },
  { env: 'RAMPART_LOG_FORMAT', key: 'ingest.format', kind: 'string' },
  { env: 'RAMPART_TIMEZONE', key: 'ingest.timezone', kind: 'string' },
  { env: 'RAMPART_TRUSTED_PROXIES', key: 'ingest.trustedProxies', kind: 'list' },
  { env: 'RAMPART_ALLOWED_HOSTS', key: 'server.allowedHosts', kind: 'list' },
  { env: 'RAMPART_METRICS_LISTEN', key: 'server.metricsListen', kind: 'string' },
  { env: 'RAMPART_DEMO', key: 'demo.enabled', kind: 'boolean' },
  { env: 'LOG_LEVEL', key: 'log.level', kind: 'string' },
  { env: 'RAMPART_API_KEY', key: 'auth.apiKey', kind: 'string', aliases: ['API_KEY'] },
  { env: 'RAMPART_AUTH_MODE', key: 'auth.mode', kind: 'string' },
  { env: 'RAMPART_CORS_ORIGINS', key: 'server.corsOrigins', kind: 'list' },
  { env: 'RAMPART_RATE_LIMIT_PER_KEY', key: 'auth.rateLimit.perKey', kind: 'number' },
  { env: 'RAMPART_RATE_LIMIT_PER_IP', key: 'auth.rateLimit.perIp', kind: 'number' },
  ...ENRICH_ENV_BINDINGS,
  { env: 'RAMPART_CROWDSEC_LAPI_URL', key: 'crowdsec.lapiUrl', kind: 'string' },
  { env: 'RAMPART_CROWDSEC_BOUNCER_KEY', key: 'crowdsec.bouncerKey', kind: 'string' },
  { env: 'RAMPART_CROWDSEC_MACHINE_LOGIN', key: 'crowdsec.machine.login', kind: 'string' },
  { env: 'RAMPART_CROWDSEC_MACHINE_PASSWORD', key: 'crowdsec.machine.password', kind: 'string' },
];

/** A URL built from several variables (DB_HOST…), for a key whose own variable is not set. */
export interface ComposedEnv {
  key: string;
  /** The variable that, when set, makes the parts unused. */
  overriddenBy: string;
  parts: readonly string[];
  /** The URL, or undefined when none of the parts is set. Values are percent-encoded. */
  compose: (get: (name: string) => string | undefined) => string | undefined;
}

export const COMPOSED_ENV: readonly ComposedEnv[] = [
  {
    key: 'store.databaseUrl',
    overriddenBy: 'DATABASE_URL',
    parts: ['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASSWORD'],
    compose: (get) => {
      const host = get('DB_HOST');
      const given = ['DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASSWORD'].filter((n) => get(n) !== undefined);
      if (host === undefined) {
        if (given.length === 0) return undefined;
        throw new ConfigError(given[0]!, 'is set but DB_HOST is not: set DB_HOST (or DATABASE_URL) to use a PostgreSQL server');
      }
      const port = get('DB_PORT');
      if (port !== undefined && !/^\d{1,5}$/.test(port)) throw new ConfigError('DB_PORT', `expected a port number, got ${JSON.stringify(port)}`);
      const user = get('DB_USER');
      const password = get('DB_PASSWORD');
      const name = get('DB_NAME');
      const auth = user === undefined && password === undefined ? '' : `${enc(user ?? '')}${password === undefined ? '' : `:${enc(password)}`}@`;
      return `postgres://${auth}${hostPart(host)}${port === undefined ? '' : `:${port}`}/${name === undefined ? '' : enc(name)}`;
    },
  },
  {
    key: 'redis.url',
    overriddenBy: 'REDIS_URL',
    parts: ['REDIS_HOST', 'REDIS_PORT', 'REDIS_DB'],
    compose: (get) => {
      const host = get('REDIS_HOST');
      const port = get('REDIS_PORT');
      const db = get('REDIS_DB');
      if (host === undefined && port === undefined && db === undefined) return undefined;
      if (port !== undefined && !/^\d{1,5}$/.test(port)) throw new ConfigError('REDIS_PORT', `expected a port number, got ${JSON.stringify(port)}`);
      if (db !== undefined && !/^\d{1,3}$/.test(db)) throw new ConfigError('REDIS_DB', `expected a database number, got ${JSON.stringify(db)}`);
      return `redis://${hostPart(host ?? '127.0.0.1')}:${port ?? '6379'}${db === undefined ? '' : `/${db}`}`;
    },
  },
];

const enc = (s: string): string => encodeURIComponent(s);

/** An IPv6 literal needs brackets in a URL; anything else is encoded so it cannot add a path or userinfo. */
function hostPart(host: string): string {
  if (host.includes(':') && !host.startsWith('[')) return `[${host}]`;
  return host.startsWith('[') ? host : enc(host);
}
