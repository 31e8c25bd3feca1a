export { AnalyticsCache, DEFAULT_TTL_MS, type AnalyticsCacheOptions } from './analytics-cache.js';
export { MemoryTextCache } from './memory.js';
export { RedisTextCache, type RedisLike } from './redis.js';
export type { CacheStats, TextCache } from './types.js';
