/** TextCache over a Redis client the caller owns (ioredis): SET with PX, keys under a prefix. */
import type { TextCache } from './types.js';

/** The two commands used, so any ioredis-compatible client (or a cluster) fits. */
export interface RedisLike {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, px: 'PX', ms: number): Promise<unknown>;
}

export class RedisTextCache implements TextCache {
  constructor(
    private readonly redis: RedisLike,
    private readonly prefix = 'rampart:analytics:',
  ) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.prefix + key, value, 'PX', Math.max(1, Math.round(ttlMs)));
  }
}
