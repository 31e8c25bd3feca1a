/**
 * Leaky buckets keyed by a 32-bit hash (of an IP, a site, a page), in a direct-mapped table of typed arrays: a
 * bounded number of entries whatever the input, O(1) per token, and nothing allocated per request. Two keys that
 * share a cell take turns: the newcomer resets the cell, so a collision can only delay an alert, never invent one.
 */
export class KeyedBuckets {
  private readonly keys: Uint32Array;
  private readonly level: Float64Array;
  private readonly count: Float64Array;
  /** Event time (epoch ms) of the cell's last token: its leak is computed from it. */
  private readonly last: Float64Array;
  private readonly overflowing: Uint8Array;
  private readonly mask: number;

  /**
   * `size`: cells, rounded up to a power of two. `rewindMs`: an event this much older than a cell's last token
   * starts a new timeline for it (another replay), as it does for an IP's record.
   */
  constructor(
    size: number,
    private readonly rewindMs = 3_600_000,
  ) {
    let n = 1;
    while (n < size) n *= 2;
    this.mask = n - 1;
    this.keys = new Uint32Array(n);
    this.level = new Float64Array(n);
    this.count = new Float64Array(n);
    this.last = new Float64Array(n);
    this.overflowing = new Uint8Array(n);
  }

  get bytes(): number {
    return this.keys.byteLength * 2 + this.level.byteLength * 3 + this.overflowing.byteLength;
  }

  /**
   * Pours `amount` tokens for `key` (never 0) at time `t` into a bucket of `capacity` leaking one token per `leakMs`.
   * Returns the tokens poured since the bucket was last empty when it overflows (every call while it does), else 0.
   */
  pour(key: number, t: number, amount: number, capacity: number, leakMs: number): number {
    const i = key & this.mask;
    let level: number;
    if (this.keys[i] !== key || t < this.last[i]! - this.rewindMs) {
      this.keys[i] = key;
      this.count[i] = 0;
      this.overflowing[i] = 0;
      level = 0;
    } else {
      // A late event (t before the cell's last) leaks nothing: buckets never run backwards.
      const dt = t - this.last[i]!;
      level = dt > 0 ? this.level[i]! - dt / leakMs : this.level[i]!;
      if (level <= 0) {
        level = 0;
        this.count[i] = 0;
        this.overflowing[i] = 0;
      }
    }
    if (t > this.last[i]! || level === 0) this.last[i] = t;
    level += amount;
    const count = (this.count[i] = this.count[i]! + amount);
    if (level > capacity) {
      this.level[i] = capacity + 1 > level ? level : capacity + 1;
      this.overflowing[i] = 1;
      return count;
    }
    this.level[i] = level;
    return 0;
  }

  /** Forgets every cell (a new timeline for all: BehaviourState.flush on a rewind). */
  clear(): void {
    this.keys.fill(0);
  }

  /** The bucket's level for `key` at time `t`, without pouring; 0 when the key has no cell. */
  levelOf(key: number, t: number, leakMs: number): number {
    const i = key & this.mask;
    if (this.keys[i] !== key) return 0;
    const dt = t - this.last[i]!;
    const level = dt > 0 ? this.level[i]! - dt / leakMs : this.level[i]!;
    return level > 0 ? level : 0;
  }
}
