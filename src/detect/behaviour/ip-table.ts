/**
 * Per-IP state as a slab: every tracked IP owns one slot, a fixed stride in three typed arrays, so a tracked IP costs
 * the same bytes whatever it sends and the garbage collector sees a handful of objects instead of millions.
 *
 * Eviction is exact least-recently-seen (a linked list over slots); the Map only indexes IP → slot.
 * The arrays grow by doubling up to the cap, so a small deployment does not pay for 100,000 slots.
 */

export const SCENARIO_COUNT = 8;

/** Float64 fields: times (epoch ms) and per-scenario last alert time. */
export const F = {
  lastTime: 0,
  windowStart: 1,
  leakTime: 2,
  lastPageTime: 3,
  alertTime: 4, // + scenario index
  stride: 4 + SCENARIO_COUNT,
} as const;

/**
 * Float32 fields per scenario: bucket level; tokens poured since the bucket was last empty (the count an alert
 * reports); and that count when the last alert went out.
 */
export const L = {
  level: 0,
  count: SCENARIO_COUNT,
  emitted: 2 * SCENARIO_COUNT,
  stride: 3 * SCENARIO_COUNT,
} as const;

export const BITMAP_PATH_WORDS = 8;
export const BITMAP_UA_WORDS = 4;
export const BITMAP_JA4_WORDS = 4;
export const RING_PATH_SIZE = 8;
export const RING_4XX_SIZE = 4;
export const GAP_BINS = 8;

/** Uint32 fields: window counters, cached User-Agent facts, sketches. */
export const U = (() => {
  let o = 0;
  const take = (n = 1) => ((o += n), o - n);
  const layout = {
    generation: take(),
    hits: take(),
    pages: take(),
    assets: take(),
    status4xx: take(),
    status404: take(),
    posts: take(),
    direct: take(),
    headerSum: take(),
    headerKnown: take(),
    trippedMask: take(),
    /** 1 once this window has fed the recurrence bucket. */
    windowRecurred: take(),
    overflowMask: take(),
    uaHash: take(),
    /** Bits: UA_FACT_*; bits 8 and up: known-bot token index + 1. */
    uaFacts: take(),
    assetsEver: take(),
    lastPageHash: take(),
    lastPageFamily: take(),
    ringPathPos: take(),
    ring4xxPos: take(),
    pathBits: take(BITMAP_PATH_WORDS),
    uaBits: take(BITMAP_UA_WORDS),
    ja4Bits: take(BITMAP_JA4_WORDS),
    ringPath: take(RING_PATH_SIZE),
    ring4xx: take(RING_4XX_SIZE),
    gapHist: take(GAP_BINS),
    stride: 0,
  };
  layout.stride = o;
  return layout;
})();

export const UA_FACT_BROWSER = 1;
export const UA_FACT_HEADLESS = 2;
/** Set per event by the detector: the claimed crawler is not proven fake (or is verified, when required). */
export const UA_FACT_GOOD_BOT = 4;

export class IpTable {
  f64: Float64Array;
  f32: Float32Array;
  u32: Uint32Array;
  private readonly index = new Map<string, number>();
  private ips: string[] = [];
  // Recency as a doubly linked list over slots (older → newer): O(1) touch and eviction. (A Map used as a queue,
  // deleting from the front, makes V8 skip ever more holes on each `keys().next()` — quadratic under IP churn.)
  private prev: Int32Array;
  private next: Int32Array;
  private oldest = -1;
  private newest = -1;
  private size = 0;

  constructor(readonly cap: number) {
    const initial = Math.min(cap, 1024);
    this.f64 = new Float64Array(initial * F.stride);
    this.f32 = new Float32Array(initial * L.stride);
    this.u32 = new Uint32Array(initial * U.stride);
    this.prev = new Int32Array(initial);
    this.next = new Int32Array(initial);
  }

  get tracked(): number {
    return this.index.size;
  }

  /** Bytes of the slab arrays (allocated capacity, not just used slots). */
  get slabBytes(): number {
    return (
      this.f64.byteLength +
      this.f32.byteLength +
      this.u32.byteLength +
      this.prev.byteLength +
      this.next.byteLength
    );
  }

  ipOf(slot: number): string {
    return this.ips[slot]!;
  }

  /** The slot for `ip`, or -1, without touching recency. */
  peek(ip: string): number {
    return this.index.get(ip) ?? -1;
  }

  /** The slot for `ip`, or -1. Marks it most recently seen. */
  find(ip: string): number {
    const slot = this.index.get(ip);
    if (slot === undefined) return -1;
    if (slot !== this.newest) {
      this.unlink(slot);
      this.append(slot);
    }
    return slot;
  }

  /** The least recently seen slot when the table is full (the caller closes its window, then calls `assign`). */
  victim(): number {
    return this.index.size < this.cap ? -1 : this.oldest;
  }

  /** Gives `ip` a zeroed slot: a free one, or `victim` (whose IP is forgotten). */
  assign(ip: string, victim: number): number {
    let slot: number;
    if (victim >= 0) {
      slot = victim;
      this.index.delete(this.ips[slot]!);
      this.unlink(slot);
      this.clear(slot);
    } else {
      slot = this.size++;
      if (slot * U.stride >= this.u32.length) this.grow();
    }
    this.ips[slot] = ip;
    this.index.set(ip, slot);
    this.append(slot);
    return slot;
  }

  /** Zeroes a slot, keeping and bumping its generation so queued references to the old occupant go stale. */
  clear(slot: number): void {
    const gen = this.u32[slot * U.stride + U.generation]!;
    this.f64.fill(0, slot * F.stride, (slot + 1) * F.stride);
    this.f32.fill(0, slot * L.stride, (slot + 1) * L.stride);
    this.u32.fill(0, slot * U.stride, (slot + 1) * U.stride);
    this.u32[slot * U.stride + U.generation] = (gen + 1) >>> 0;
  }

  *slots(): IterableIterator<number> {
    yield* this.index.values();
  }

  private unlink(slot: number): void {
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    if (p >= 0) this.next[p] = n;
    else this.oldest = n;
    if (n >= 0) this.prev[n] = p;
    else this.newest = p;
  }

  private append(slot: number): void {
    this.prev[slot] = this.newest;
    this.next[slot] = -1;
    if (this.newest >= 0) this.next[this.newest] = slot;
    else this.oldest = slot;
    this.newest = slot;
  }

  private grow(): void {
    const slots = Math.min(this.cap, (this.u32.length / U.stride) * 2);
    const f64 = new Float64Array(slots * F.stride);
    f64.set(this.f64);
    const f32 = new Float32Array(slots * L.stride);
    f32.set(this.f32);
    const u32 = new Uint32Array(slots * U.stride);
    u32.set(this.u32);
    const prev = new Int32Array(slots);
    prev.set(this.prev);
    const next = new Int32Array(slots);
    next.set(this.next);
    this.f64 = f64;
    this.f32 = f32;
    this.u32 = u32;
    this.prev = prev;
    this.next = next;
  }
}
