/**
 * AnalyticsCache: `cached(name, params, compute)` answers from the cache when the same aggregate was computed
 * for the same parameters at the current generation (src/store/analytics-rollups.ts: it moves when a batch adds
 * threats, and at most once a second when batches add requests) within the TTL; otherwise it computes and stores.
 * Threats never trail; request counts trail by at most 2 × REQUEST_MOVE_MS (2 s): an answer computed soon after a
 * move, when a batch may still commit requests without moving it, is kept only until that can no longer happen.
 */
import type { CacheStats, TextCache } from './types.js';

/** How long an answer is kept while the generation does not move. */
export const DEFAULT_TTL_MS = 10_000;

/** A generation with how long an answer computed now may be kept (0: the TTL decides). */
export interface GenerationMark {
  generation: number;
  settledInMs: number;
}

export interface AnalyticsCacheOptions {
  cache: TextCache;
  /**
   * The store generation (one indexed row read). Read on every lookup by default, so what a client stored (an
   * ingest call, a batch of threats) shows in the next answer; `generationTtlMs` trusts one read that long.
   */
  generation: () => Promise<number | GenerationMark>;
  ttlMs?: number;
  /** How long one generation read is trusted (default 0: read each time; a read costs one indexed row). */
  generationTtlMs?: number;
  now?: () => number;
}

export class AnalyticsCache {
  private hits = 0;
  private misses = 0;
  private errors = 0;
  private gen: { value: GenerationMark; at: number } | null = null;
  private readonly ttlMs: number;
  private readonly genTtl: number;
  private readonly now: () => number;

  constructor(private readonly o: AnalyticsCacheOptions) {
    this.ttlMs = o.ttlMs ?? DEFAULT_TTL_MS;
    this.genTtl = o.generationTtlMs ?? 0;
    this.now = o.now ?? Date.now;
  }

  async cached<T>(name: string, params: unknown, compute: () => Promise<T>): Promise<T> {
    const mark = await this.generation();
    const key = `${name}:${mark.generation}:${JSON.stringify(params)}`;
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
      const ttl = mark.settledInMs > 0 ? Math.min(this.ttlMs, mark.settledInMs) : this.ttlMs;
      await this.o.cache.set(key, JSON.stringify(value), ttl);
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

  private async generation(): Promise<GenerationMark> {
    const t = this.now();
    if (this.gen && this.genTtl > 0 && t - this.gen.at < this.genTtl) {
      const { generation, settledInMs } = this.gen.value;
      return { generation, settledInMs: settledInMs > 0 ? Math.max(1, settledInMs - (t - this.gen.at)) : 0 };
    }
    const read = await this.o.generation();
    const value = typeof read === 'number' ? { generation: read, settledInMs: 0 } : read;
    this.gen = { value, at: t };
    return value;
  }
}
