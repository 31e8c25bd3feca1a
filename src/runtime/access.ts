/**
 * Access control of a role's API, from config (`auth.*`, `server.corsOrigins`, `redis.url`):
 * - `auth.mode: keys` (default): keys from the store and RAMPART_API_KEY; rate limits (shared through Redis when
 *   REDIS_URL is set); on a loopback bind with no key ever created, a first-run admin key, created once the
 *   store answers and handed to the caller to print once (it never goes to the log).
 * - `auth.mode: off`: open, allowed only on a loopback bind (checkAuthMode refuses it otherwise).
 */
import type { Logger } from 'pino';
import { DEFAULT_RATE_LIMITS, generateApiKey, hashApiKey, isLoopbackBind, type AccessOptions } from '../api/index.js';
import type { Config } from '../config/index.js';
import { ConfigError } from '../core/index.js';
import { newRedisClient } from '../enrich/index.js';

/** How long a rate-limit or ticket command may wait for Redis (it runs on every request). */
const RATE_LIMIT_REDIS_TIMEOUT_MS = 300;
import type { StoreConnection } from '../pipeline/index.js';
import type { Store } from '../store/index.js';

export const FIRST_RUN_KEY_NAME = 'first-run';

/** Refuses a configuration that would open the API to the network. Runs before anything starts. */
export function checkAuthMode(config: Config): void {
  if (config.auth.mode === 'off' && !isLoopbackBind(config.server.host)) {
    throw new ConfigError(
      'auth.mode',
      `off is refused on server.host ${config.server.host}: anyone who reaches the port could read every threat. ` +
        'Keep auth.mode: keys and give clients keys (rampart keys create), or bind to 127.0.0.1',
    );
  }
}

export interface RuntimeAccess {
  access: AccessOptions;
  /** The first-run admin key, once created (null when none is created); to be printed once, never logged. */
  firstRunKey: Promise<string | null>;
  close(): Promise<void>;
}

export async function runtimeAccess(config: Config, store: Store, link: StoreConnection, logger: Logger): Promise<RuntimeAccess> {
  checkAuthMode(config);
  const rl = config.auth.rateLimit;
  const access: AccessOptions = {
    mode: config.auth.mode === 'off' ? 'open' : 'keys',
    keys: store.apiKeys,
    limits: { ...DEFAULT_RATE_LIMITS, perKey: rl.perKey, perIp: rl.perIp, failedAuth: rl.failedAuth, windowMs: rl.windowSeconds * 1000 },
    corsOrigins: config.server.corsOrigins,
  };
  if (config.auth.apiKey) access.bootstrapKey = config.auth.apiKey;
  let close = async (): Promise<void> => undefined;
  if (config.redis.url) {
    // No offline queue and a short command timeout: while Redis is away, limits are skipped at once (skipOnError);
    // a Redis stopped without closing its sockets costs each request at most this timeout, not a wait.
    const redis = await newRedisClient(config.redis.url, RATE_LIMIT_REDIS_TIMEOUT_MS);
    redis.on('error', (err: Error) => logger.debug({ err: err.message }, 'redis (rate limits, tickets)'));
    redis.connect().catch((err: unknown) => logger.warn({ err: String(err) }, 'redis unreachable: rate limits are per process until it answers'));
    access.redis = redis;
    close = async () => {
      redis.disconnect();
    };
  }
  if (config.auth.mode === 'off') {
    logger.warn(
      { host: config.server.host },
      'auth.mode is off: the API answers anyone who reaches it without a key (allowed on a loopback address only)',
    );
  }
  const firstRunKey = config.auth.mode === 'keys' && !config.auth.apiKey && config.auth.firstRunKey && isLoopbackBind(config.server.host)
    ? createFirstRunKey(store, link, logger)
    : Promise.resolve(null);
  return { access, firstRunKey, close: () => close() };
}

/** An admin key when the store has never held one; null otherwise (or when the store never came up). */
async function createFirstRunKey(store: Store, link: StoreConnection, logger: Logger): Promise<string | null> {
  try {
    if (!(await link.ready)) return null;
    if ((await store.apiKeys.count()) > 0) return null;
    const key = generateApiKey();
    const made = await store.apiKeys.create({ name: FIRST_RUN_KEY_NAME, scopes: ['admin'], hash: hashApiKey(key), expiresAt: null }, Date.now());
    logger.info({ id: made.id, name: made.name }, 'first-run admin key created (printed once on stderr, stored hashed)');
    return key;
  } catch (err) {
    // Another process may have created it at the same moment (the name is unique among active keys).
    logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'no first-run key created');
    return null;
  }
}
