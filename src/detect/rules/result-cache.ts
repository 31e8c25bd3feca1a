/**
 * Per field key, what the rules found in a value: logs repeat the same user agents, paths and probe
 * payloads over and over, and a field's result depends only on (key, value), so a repeated value
 * costs one Map lookup instead of a scan (and its regexes).
 *
 * Bounded: values longer than CACHE_MAX_VALUE are not cached, and a key's map is emptied when it
 * reaches CACHE_MAX_ENTRIES (simpler than LRU; a burst of unique values only costs misses).
 */
import type { TransformName } from '../transforms/index.js';

export const CACHE_MAX_VALUE = 256;
export const CACHE_MAX_ENTRIES = 4096;

/** A rule that matched a value: its index, the matched text and the transforms that revealed it. */
export interface FieldMatch {
  rule: number;
  fragment: string;
  transforms: readonly TransformName[];
}

/** The shared result for "nothing matched", the usual case. */
export const NO_MATCHES: readonly FieldMatch[] = Object.freeze([]);

export class ResultCache {
  private readonly map = new Map<string, readonly FieldMatch[]>();
  // The last value looked up: consecutive requests (one client's burst) often repeat a field, and a
  // string comparison is cheaper than hashing a fresh string for the Map.
  private lastValue: string | null = null;
  private lastMatches: readonly FieldMatch[] = NO_MATCHES;

  get(value: string): readonly FieldMatch[] | undefined {
    if (value === this.lastValue) return this.lastMatches;
    const found = this.map.get(value);
    if (found !== undefined) this.remember(value, found);
    return found;
  }

  set(value: string, matches: readonly FieldMatch[]): void {
    if (this.map.size >= CACHE_MAX_ENTRIES) this.map.clear();
    const own = ownCopy(value);
    this.map.set(own, matches);
    this.remember(own, matches);
  }

  private remember(value: string, matches: readonly FieldMatch[]): void {
    this.lastValue = value;
    this.lastMatches = matches;
  }
}

/**
 * A copy of `s` that does not share memory with the string it was cut from: a value sliced out of a
 * log line (or a whole read buffer) would otherwise keep that parent alive for as long as it is cached.
 * Concatenation then slicing makes V8 flatten into a fresh string.
 */
function ownCopy(s: string): string {
  return (' ' + s).slice(1);
}
