/** SharedState over Redis, so quotas, breakers and cached results are shared across processes. */
import { Redis } from 'ioredis';
import { maskUrl } from '../../config/index.js';
import { ConfigError } from '../../core/index.js';
import { redisOptions } from './redis-options.js';
import type { SharedState } from './types.js';

export class RedisState implements SharedState {
  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly owned: boolean,
  ) {}

  /**
   * Connects eagerly so a wrong REDIS_URL fails at start-up, not on the first lookup, with one line
   * that names the setting and what was tried. Later connection errors go to `onError` (each distinct
   * message once until the connection is back), never to ioredis's "Unhandled error event" print.
   */
  static async connect(
    url: string,
    opts: { prefix?: string; connectTimeoutMs?: number; onError?: (message: string) => void } = {},
  ): Promise<RedisState> {
    checkRedisUrl(url);
    const redis = new Redis(url, redisOptions(opts.connectTimeoutMs ?? 2000));
    // While connecting, the cause (ECONNREFUSED, ENOTFOUND…) goes into the start-up error, not a warning.
    let connecting = true;
    let cause: string | null = null;
    let last: string | null = null;
    redis.on('error', (e: Error) => {
      if (connecting) {
        cause ??= e.message;
        return;
      }
      const message = `Redis at ${maskUrl(url)}: ${e.message}`;
      if (message !== last) opts.onError?.(message);
      last = message;
    });
    redis.on('ready', () => (last = null));
    try {
      await redis.connect();
    } catch (e) {
      redis.disconnect();
      throw new ConfigError(
        'redis.url',
        `cannot connect to Redis at ${maskUrl(url)} (${cause ?? (e as Error).message}): ` +
          'check REDIS_URL (or REDIS_HOST/REDIS_PORT), or unset it to keep caches and quotas in this process',
      );
    } finally {
      connecting = false;
    }
    return new RedisState(redis, opts.prefix ?? 'rampart:', true);
  }

  /**
   * Connected now. While false every command would fail at once (no offline queue), so FallbackState
   * goes to its in-process state without trying; ioredis reconnects by itself meanwhile.
   */
  get available(): boolean {
    return this.redis.status === 'ready';
  }

  /** Shares a connection the caller owns (close() leaves it open). */
  static wrap(redis: Redis, prefix = 'rampart:'): RedisState {
    return new RedisState(redis, prefix, false);
  }

  async get(key: string): Promise<string | null> {
    return this.redis.get(this.prefix + key);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.prefix + key, value, 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.prefix + key, value, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
  }

  async incr(key: string, ttlMs: number): Promise<number> {
    const k = this.prefix + key;
    // SET NX gives the window its TTL once; INCR keeps it. MULTI makes the pair atomic.
    const res = await this.redis.multi().set(k, '0', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX').incr(k).exec();
    const [err, n] = res?.[1] ?? [new Error('redis: empty MULTI reply'), null];
    if (err) throw err;
    return Number(n);
  }

  async del(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async close(): Promise<void> {
    if (this.owned) await this.redis.quit();
  }
}

/** A connection with redisOptions that does not connect until asked (for a caller that watches Redis, as the API's monitor). */
export function newRedisClient(url: string, commandTimeoutMs: number): Redis {
  checkRedisUrl(url);
  return new Redis(url, { ...redisOptions(2000), commandTimeout: commandTimeoutMs });
}

/** redis:// or rediss:// with a host; ioredis would otherwise take "localhost6379" for a host name and retry it. */
export function checkRedisUrl(url: string): void {
  // Not a URL, so no userinfo to mask, unless an @ says a credential may be in it.
  const shown = url.includes('@') ? maskUrl(url) : url.slice(0, 100);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError('redis.url', `${JSON.stringify(shown)} is not a URL: expected redis://host:port (REDIS_URL)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new ConfigError('redis.url', `${JSON.stringify(maskUrl(url))}: expected a redis:// or rediss:// URL (REDIS_URL)`);
  }
  if (u.hostname === '') throw new ConfigError('redis.url', `${JSON.stringify(maskUrl(url))} names no host: expected redis://host:port (REDIS_URL)`);
}
