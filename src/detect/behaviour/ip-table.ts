/**
 * Per-IP state as a slab: every tracked IP owns one slot, a fixed-size record in one ArrayBuffer, so a tracked IP
 * costs the same bytes whatever it sends and the garbage collector sees a handful of objects instead of millions.
 *
 * The record is contiguous (array of structs), read through three views of the same buffer (f64, f32, u32): an
 * event touches ~5 adjacent cache lines of one record instead of lines scattered over three arrays, which is what
 * bounds the per-event cost once the IP count exceeds the CPU caches. Hot fields come first.
 *
 * Eviction is approximate least-recently-seen (CLOCK, second chance): a lookup only sets a byte, and the eviction
 * hand skips (and clears) slots seen since it last passed. An exact LRU list cost five scattered writes per event.
 * IP → slot: canonical dotted IPv4 strings are parsed to 32 bits and looked up in an open-addressing table of
 * (address, slot) pairs (Ipv4Index), one cache line per lookup and no string hashing; anything else (IPv6) goes
 * through a Map. The buffers grow by doubling up to the cap, so a small deployment does not pay for 100,000 slots.
 */
import { mix32 } from './sketch.js';


export const SCENARIO_COUNT = 8;

/** Record size in bytes (a multiple of 8). */
const RECORD_BYTES = 416;
const F_STRIDE = RECORD_BYTES / 8;
const W_STRIDE = RECORD_BYTES / 4;

/** Float64 fields (index into the f64 view, relative to slot × F.stride): times (epoch ms). Bytes 0..31, 352..415. */
export const F = {
  lastTime: 0,
  windowStart: 1,
  leakTime: 2,
  lastPageTime: 3,
  /** Per-scenario time of the last alert (+ scenario index); cold, only read when a bucket overflows. */
  alertTime: 44,
  stride: F_STRIDE,
} as const;

/**
 * Float32 fields (index into the f32 view, relative to slot × L.stride) per scenario: bucket level (bytes 32..63,
 * next to the times: every event leaks them); tokens poured since the bucket was last empty, the count an alert
 * reports (bytes 64..95); and that count when the last alert went out (cold, bytes 320..351).
 */
export const L = {
  level: 8,
  count: 16,
  emitted: 80,
  stride: W_STRIDE,
} as const;

export const BITMAP_PATH_WORDS = 8;
export const BITMAP_UA_WORDS = 4;
export const BITMAP_JA4_WORDS = 4;
export const RING_PATH_SIZE = 8;
export const RING_4XX_SIZE = 4;
export const GAP_BINS = 8;

/**
 * Uint32 fields (index into the u32 view, relative to slot × U.stride; the same view geometry as L), from byte 96.
 * The per-window fields form one run [windowFirst, windowEnd) so closing a window copies and zeroes one range.
 */
export const U = (() => {
  let o = 24; // after 4 f64 times (8 words), 8 levels and 8 counts
  const take = (n = 1) => ((o += n), o - n);
  const layout = {
    // Per window: counters, sketches, tripped scenarios.
    hits: take(),
    pages: take(),
    assets: take(),
    status4xx: take(),
    status404: take(),
    posts: take(),
    direct: take(),
    trippedMask: take(),
    /** 1 once this window has fed the recurrence bucket. */
    windowRecurred: take(),
    headerSum: take(),
    headerKnown: take(),
    pathBits: take(BITMAP_PATH_WORDS),
    uaBits: take(BITMAP_UA_WORDS),
    ja4Bits: take(BITMAP_JA4_WORDS),
    gapHist: take(GAP_BINS),
    windowFirst: 0,
    windowEnd: 0,
    // Per IP, across windows.
    overflowMask: take(),
    uaHash: take(),
    /** Bits: UA_FACT_*; bits 8 and up: known-bot token index + 1. */
    uaFacts: take(),
    assetsEver: take(),
    lastPageHash: take(),
    /** Length of that page's path (bounded like its hash): a referer of another length is not that page. */
    lastPageLength: take(),
    ringPathPos: take(),
    ring4xxPos: take(),
    ringPath: take(RING_PATH_SIZE),
    ring4xx: take(RING_4XX_SIZE),
    stride: W_STRIDE,
  };
  layout.windowFirst = layout.hits;
  layout.windowEnd = layout.gapHist + GAP_BINS;
  if (o > L.emitted) throw new Error(`ip-table: u32 fields overlap the cold f32 fields (${o} > ${L.emitted})`);
  return layout;
})();

/** Words of a slot's per-window run (what a closed window record keeps). */
export const WINDOW_WORDS = U.windowEnd - U.windowFirst;

export const UA_FACT_BROWSER = 1;
export const UA_FACT_HEADLESS = 2;
/** Set per event by the detector: the claimed crawler is not proven fake (or is verified, when required). */
export const UA_FACT_GOOD_BOT = 4;

export class IpTable {
  f64: Float64Array;
  f32: Float32Array;
  u32: Uint32Array;
  private bytes: Uint8Array;
  /** Non-IPv4 (or non-canonical) addresses → slot. */
  private readonly index = new Map<string, number>();
  private readonly v4 = new Ipv4Index();
  private ips: string[] = [];
  /**
   * Per slot: end of its open window, 0 when none (kept out of the record so that the open-window FIFO can tell
   * stale entries without touching records; see BehaviourState.popFront).
   */
  windowEnd: Float64Array;
  /** CLOCK reference bits: 1 when the slot was looked up since the hand last passed it. */
  private referenced: Uint8Array;
  private hand = 0;
  private size = 0;

  constructor(readonly cap: number) {
    const initial = Math.min(cap, 1024);
    this.bytes = new Uint8Array(initial * RECORD_BYTES);
    this.f64 = new Float64Array(this.bytes.buffer);
    this.f32 = new Float32Array(this.bytes.buffer);
    this.u32 = new Uint32Array(this.bytes.buffer);
    this.referenced = new Uint8Array(initial);
    this.windowEnd = new Float64Array(initial);
  }

  get tracked(): number {
    return this.index.size + this.v4.size;
  }

  /** Bytes of the slab arrays (allocated capacity, not just used slots), the IPv4 index included. */
  get slabBytes(): number {
    return this.bytes.byteLength + this.referenced.byteLength + this.windowEnd.byteLength + this.v4.bytes;
  }

  ipOf(slot: number): string {
    return this.ips[slot]!;
  }

  /** The slot for `ip`, or -1, without touching recency. */
  peek(ip: string): number {
    const a = parseIpv4(ip);
    return a >= 0 ? this.v4.get(a) : (this.index.get(ip) ?? -1);
  }

  /** The slot for `ip`, or -1. Marks it recently seen. */
  find(ip: string): number {
    const a = parseIpv4(ip);
    const slot = a >= 0 ? this.v4.get(a) : (this.index.get(ip) ?? -1);
    if (slot >= 0) this.referenced[slot] = 1;
    return slot;
  }

  /**
   * The slot to evict when the table is full, -1 otherwise (the caller closes its window, then calls `assign`).
   * Second chance: the hand clears the reference bit of slots seen since its last pass and stops at one that was not;
   * at worst one full turn (then every bit is clear), amortised O(1) per eviction.
   */
  victim(): number {
    if (this.tracked < this.cap) return -1;
    const refs = this.referenced;
    const n = this.size;
    let h = this.hand;
    while (refs[h] !== 0) {
      refs[h] = 0;
      h = h + 1 === n ? 0 : h + 1;
    }
    this.hand = h + 1 === n ? 0 : h + 1;
    return h;
  }

  /** Gives `ip` a zeroed slot: a free one, or `victim` (whose IP is forgotten). */
  assign(ip: string, victim: number): number {
    let slot: number;
    if (victim >= 0) {
      slot = victim;
      const old = this.ips[slot]!;
      const a = parseIpv4(old);
      if (a >= 0) this.v4.delete(a);
      else this.index.delete(old);
      this.clear(slot);
    } else {
      slot = this.size++;
      if (slot * RECORD_BYTES >= this.bytes.length) this.grow();
    }
    // A new IP starts unreferenced: a one-off visitor is the first to go when the hand comes round.
    this.referenced[slot] = 0;
    this.ips[slot] = ip;
    const a = parseIpv4(ip);
    if (a >= 0) this.v4.set(a, slot);
    else this.index.set(ip, slot);
    return slot;
  }

  /** Zeroes a slot (its window must have been closed first). */
  clear(slot: number): void {
    this.bytes.fill(0, slot * RECORD_BYTES, (slot + 1) * RECORD_BYTES);
    this.windowEnd[slot] = 0;
  }

  /** Every occupied slot (slots are handed out in order and only ever reused, never freed). */
  *slots(): IterableIterator<number> {
    for (let slot = 0; slot < this.size; slot++) yield slot;
  }

  private grow(): void {
    const slots = Math.min(this.cap, (this.bytes.length / RECORD_BYTES) * 2);
    const bytes = new Uint8Array(slots * RECORD_BYTES);
    bytes.set(this.bytes);
    const referenced = new Uint8Array(slots);
    referenced.set(this.referenced);
    const windowEnd = new Float64Array(slots);
    windowEnd.set(this.windowEnd);
    this.windowEnd = windowEnd;
    this.bytes = bytes;
    this.f64 = new Float64Array(bytes.buffer);
    this.f32 = new Float32Array(bytes.buffer);
    this.u32 = new Uint32Array(bytes.buffer);
    this.referenced = referenced;
  }
}

/**
 * The 32-bit value of a canonical dotted IPv4 address ('192.0.2.1': four decimal octets, no leading zeros), or -1.
 * Canonical only, so that two strings with one value are the same string and the parsed key identifies the IP
 * exactly as the string did ('010.0.0.1' stays a different, Map-indexed, IP).
 */
export function parseIpv4(s: string): number {
  const n = s.length;
  if (n < 7 || n > 15) return -1;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      const d = c - 48;
      if (d < 0 || d > 9 || (digits === 1 && octet === 0)) return -1; // not a digit, or a leading zero
      octet = octet * 10 + d;
      if (octet > 255) return -1;
      digits++;
    }
  }
  if (digits === 0 || dots !== 3) return -1;
  return value * 256 + octet;
}

/**
 * IPv4 address → slot, open addressing with linear probing over interleaved (address, slot + 1) pairs in one
 * Int32Array: a lookup reads one or two adjacent pairs, usually one cache line, and never touches a string.
 * Kept at most half full; deletion shifts the following run back (no tombstones, so churn never degrades it).
 */
class Ipv4Index {
  /** [2i]: address (as int32), [2i + 1]: slot + 1, 0 when the bucket is empty. */
  private pairs = new Int32Array(2 * 2048);
  private mask = 2047;
  size = 0;

  get bytes(): number {
    return this.pairs.byteLength;
  }

  get(address: number): number {
    const pairs = this.pairs;
    const key = address | 0;
    for (let i = mix32(address) & this.mask; ; i = (i + 1) & this.mask) {
      const v = pairs[2 * i + 1]!;
      if (v === 0) return -1;
      if (pairs[2 * i] === key) return v - 1;
    }
  }

  /** Adds an address that is not present. */
  set(address: number, slot: number): void {
    if (2 * (this.size + 1) > this.mask + 1) this.rehash(2 * (this.mask + 1));
    this.insert(address | 0, slot + 1);
    this.size++;
  }

  delete(address: number): void {
    const pairs = this.pairs;
    const mask = this.mask;
    const key = address | 0;
    let i = mix32(address) & mask;
    for (; ; i = (i + 1) & mask) {
      if (pairs[2 * i + 1] === 0) return;
      if (pairs[2 * i] === key) break;
    }
    // Backward-shift deletion: move later members of the probe run into the hole when their home allows it.
    let hole = i;
    for (let j = (i + 1) & mask; pairs[2 * j + 1] !== 0; j = (j + 1) & mask) {
      const home = mix32(pairs[2 * j]! >>> 0) & mask;
      // j may fill the hole unless its home lies cyclically in (hole, j].
      if (hole <= j ? home > hole && home <= j : home > hole || home <= j) continue;
      pairs[2 * hole] = pairs[2 * j]!;
      pairs[2 * hole + 1] = pairs[2 * j + 1]!;
      hole = j;
    }
    pairs[2 * hole] = 0;
    pairs[2 * hole + 1] = 0;
    this.size--;
  }

  private insert(key: number, value: number): void {
    const pairs = this.pairs;
    let i = mix32(key >>> 0) & this.mask;
    while (pairs[2 * i + 1] !== 0) i = (i + 1) & this.mask;
    pairs[2 * i] = key;
    pairs[2 * i + 1] = value;
  }

  private rehash(buckets: number): void {
    const old = this.pairs;
    this.pairs = new Int32Array(2 * buckets);
    this.mask = buckets - 1;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.insert(old[i]!, old[i + 1]!);
  }
}
