/**
 * The analytics cache (issue #11): expensive aggregates are kept briefly, keyed by the store's generation
 * (which moves when new threats land), so a dashboard polling every few seconds recomputes only after
 * something changed. Two implementations: in-process memory, and Redis when a client is passed in (shared by
 * every API node). Values are JSON text; a cache failure is a miss, never an error to the client.
 */
export interface CacheStats {
  hits: number;
  misses: number;
  /** Cache backend failures (Redis down): counted as misses too. */
  errors: number;
  /** hits / (hits + misses), 0 before the first lookup. */
  hitRatio: number;
}

export interface TextCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  close?(): Promise<void>;
}
