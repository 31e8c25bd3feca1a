/** Shared by every Redis connection of the process; types only, so importing it does not load ioredis. */
import type { RedisOptions } from 'ioredis';

/**
 * Options for a connection that must never hold a caller: no offline queue (a command while disconnected
 * fails at once), one retry, a command timeout (a Redis that stops answering without closing the socket),
 * and reconnection every second at most, so a Redis that returns is used again within about a second.
 */
export function redisOptions(connectTimeoutMs: number): RedisOptions {
  return {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: 1000,
    retryStrategy: (times: number) => Math.min(times * 100, 1000),
  };
}
