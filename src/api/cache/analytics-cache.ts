/**
 * AnalyticsCache: `cached(name, params, compute)` answers from the cache when the same aggregate was computed
 * for the same parameters at the current generation (src/store/analytics-rollups.ts: it moves when a batch adds
 * threats) within the TTL; otherwise it computes and stores. Request counts can trail by at most the TTL (they
 * do not move the generation, or a live site would never hit); threats never trail.
 */
import type { CacheStats, TextCache } from './types.js';

/** Request counts trail by at most this (they do not move the generation); a dashboard polling every 5 s hits every other time. */
export const DEFAULT_TTL_MS = 10_000;

export interface AnalyticsCacheOptions {
  cache: TextCache;
  /**
   * The store generation (one indexed row read). Read on every lookup by default, so what a client stored (an
   * ingest call, a batch of threats) shows in the next answer; `generationTtlMs` trusts one read that long.
   */
  generation: () => Promise<number>;
  ttlMs?: number;
  /** How long one generation read is trusted (default 0: read each time; a read costs one indexed row). */
  generationTtlMs?: number;
  now?: () => number;
}

export class AnalyticsCache {
  private hits = 0;
  private misses = 0;
  private errors = 0;
  private gen: { value: number; at: number } | null = null;
  private readonly ttlMs: number;
  private readonly genTtl: number;
  private readonly now: () => number;

  constructor(private readonly o: AnalyticsCacheOptions) {
    this.ttlMs = o.ttlMs ?? DEFAULT_TTL_MS;
    this.genTtl = o.generationTtlMs ?? 0;
    this.now = o.now ?? Date.now;
  }

  async cached<T>(name: string, params: unknown, compute: () => Promise<T>): Promise<T> {
    const key = `${name}:${await this.generation()}:${JSON.stringify(params)}`;
    try {
      const hit = await this.o.cache.get(key);
      if (hit !== undefined) {
        this.hits++;
        return JSON.parse(hit) as T;
      }
    } catch {
      this.errors++;
    }
    this.misses++;
    const value = await compute();
    try {
      await this.o.cache.set(key, JSON.stringify(value), this.ttlMs);
    } catch {
      this.errors++;
    }
    return value;
  }

  /** Forget the memoised generation (the live bus calls this when threats land in this process). */
  bump(): void {
    this.gen = null;
  }

  stats(): CacheStats {
    const lookups = this.hits + this.misses;
    return { hits: this.hits, misses: this.misses, errors: this.errors, hitRatio: lookups === 0 ? 0 : this.hits / lookups };
  }

  private async generation(): Promise<number> {
    const t = this.now();
    if (this.gen && this.genTtl > 0 && t - this.gen.at < this.genTtl) return this.gen.value;
    const value = await this.o.generation();
    this.gen = { value, at: t };
    return value;
  }
}
