/** SharedState over Redis, so quotas, breakers and cached results are shared across processes. */
import { Redis } from 'ioredis';
import type { SharedState } from './types.js';

export class RedisState implements SharedState {
  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly owned: boolean,
  ) {}

  /** Connects eagerly so a wrong REDIS_URL fails at start-up, not on the first lookup. */
  static async connect(url: string, opts: { prefix?: string; connectTimeoutMs?: number } = {}): Promise<RedisState> {
    const redis = new Redis(url, { lazyConnect: true, connectTimeout: opts.connectTimeoutMs ?? 2000, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    try {
      await redis.connect();
    } catch (e) {
      redis.disconnect();
      throw e;
    }
    return new RedisState(redis, opts.prefix ?? 'rampart:', true);
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
