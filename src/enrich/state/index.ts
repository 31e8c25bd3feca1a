export type { SharedState } from './types.js';
export { MemoryState } from './memory.js';
export { RedisState } from './redis.js';
export { redisOptions } from './redis-options.js';
export { FallbackState, type FallbackPrimary } from './fallback.js';
export { QuotaLimiter } from './limiter.js';
export type { Quota, Permit } from './limiter.js';
export { CircuitBreaker } from './breaker.js';
export type { BreakerState, BreakerOptions, Admission } from './breaker.js';
