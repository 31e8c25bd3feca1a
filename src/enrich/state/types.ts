/**
 * Shared state for enrichment: result cache, rate-limit counters, circuit-breaker state. One small
 * key/value contract with two implementations — in-process (default) and Redis (REDIS_URL) — so
 * every worker and API node in a deployment sees the same quotas and the same open breakers.
 *
 * Obligations:
 * - Values are strings; TTLs are milliseconds and always given (nothing lives forever).
 * - `incr` is atomic and sets the TTL only when it creates the key (fixed windows).
 * - `setIfAbsent` is atomic (used to elect the single half-open probe).
 * - Failures of the backing store reject; callers decide whether to fail open.
 */
export interface SharedState {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  incr(key: string, ttlMs: number): Promise<number>;
  del(key: string): Promise<void>;
  close(): Promise<void>;
}
