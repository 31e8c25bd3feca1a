/**
 * Per-IP state as slabs: every tracked IP owns a fixed-size record in a few ArrayBuffers, so a tracked IP costs the
 * same bytes whatever it sends and the garbage collector sees a handful of objects instead of millions.
 *
 * Two tiers. Most IPs of a busy log are seen once (a crawler's single hit, a spoofed flood); giving each a 188-byte
 * full record made 1,000,000 tracked IPs cost ~230 MB. An IP's first event is therefore parked: a 20-byte record of
 * the quantities observe() derived from it (quantities.ts), which is all a full record needs to be written later
 * exactly as that event would have written it. The IP takes a full record (a slot) on its second event (promotion:
 * the parked event is applied, then the new one), or for one moment, in a scratch slot, when its window must be
 * closed (the same IpWindow comes out). A first event that could itself alert goes straight to a slot.
 *
 * Identity: a tracked IP is a handle (index lookups, recency, open window end, the open-window FIFO all speak in
 * handles); tier[handle] says where its record is. Handles are handed out and reused exactly as slots were before
 * the tiers existed, so which IP is evicted does not depend on the tiers (compactFirstHit: false gives every new IP
 * a slot at once, with identical detections and windows).
 *
 * The full record is contiguous (array of structs), read through several views of the same buffer: an
 * event touches ~3 adjacent cache lines of one record instead of lines scattered over three arrays, which is what
 * bounds the per-event cost once the IP count exceeds the CPU caches. Hot fields come first.
 *
 * Eviction is approximate least-recently-seen (CLOCK, second chance) over handles, both tiers alike: a lookup only
 * sets a byte, and the eviction hand skips (and clears) handles seen since it last passed. An exact LRU list cost
 * five scattered writes per event.
 * IP → handle: canonical dotted IPv4 strings are parsed to 32 bits and looked up in an open-addressing table of
 * (address, handle) pairs (Ipv4Index), one cache line per lookup and no string hashing; the address is kept as its
 * 32-bit value and formatted back on demand, so no IPv4 string (often a slice pinning a log line or a read chunk) is
 * kept. Anything else (IPv6) goes through a 64-bit-hash open-addressing table (Hash64Index), its string kept once,
 * as a flat copy, to confirm matches and for reporting.
 */
import { detach, mix32 } from './sketch.js';

/**
 * Scenarios with a float32 bucket (level and count) in the record, and a bit in overflowMask / trippedMask. The ninth
 * scenario, slow-probing, has no float32 bucket: its bucket is one byte (B.slowProbing), its tripped bit is in
 * windowFlags (WIN_FLAG_SLOW_PROBING) and its alert time and count are in the alert pool (ALERT_SLOW_*).
 */
export const SCENARIO_COUNT = 8;

/**
 * Full record (slot), 188 bytes (was 416: float64 times, float32 emitted counts, 32-bit ring hashes and counters, a 256-bit
 * path bitmap). Read through five views of one buffer (i32/f32/u32 by word, u16 by half-word, u8 by byte); every
 * field is aligned to its size and the record to 4 bytes. Field constants below are indexes relative to the slot's
 * base in that view: W (words: i32, f32, u32) = slot × W.stride, H (u16) = 2 × that, B (u8) = 4 × that.
 *
 * Times are int32 milliseconds relative to IpTable.base (not float64 epoch ms): millisecond precision is kept because
 * the flood bucket leaks one token per 100 ms and the gap histogram's first edge is 100 ms; ±2^31 ms is ±24.8 days
 * around the base, and BehaviourState moves the base (IpTable.rebase) once event time drifts 2^30 ms (12.4 days)
 * away from it. Times that fall out of range on a rebase saturate: they are then ≥ 24.8 days from now, and every
 * comparison the detector makes spans at most rewindMs / cooldownMs / subresourceGapMs (hours), except leaking a
 * bucket whose capacity × leakMs exceeds 24.8 days (no default comes near: recurrence is 1 × 6 h).
 *
 * Derived rather than stored: the leak time (always equal to the last event time: both are set to the clamped event
 * time on every event), the window start (the table's windowEnd − windowMs), the page count (hits − assets), and the
 * per-bucket "count at last alert" (always below the float64 count the re-alert test compared with it: see pour()).
 * Per-bucket alert times are only meaningful while a bucket overflows, which few IPs ever do: they live in a side
 * pool (AlertPool), one 40-byte entry per IP with an overflowing bucket, referenced from the record.
 */
export const RECORD_BYTES = 188;
const W_STRIDE = RECORD_BYTES / 4;

export const BITMAP_PATH_WORDS = 4;
export const BITMAP_UA_WORDS = 4;
export const BITMAP_JA4_WORDS = 2;
export const RING_PATH_SIZE = 8;
export const RING_4XX_SIZE = 4;
export const GAP_BINS = 8;

/** Word fields (i32 times, f32 bucket state, u32 hashes, counters and bitmaps). */
export const W = {
  /** i32 ms from base: the IP's latest (clamped) event time; also when its buckets were last leaked. */
  lastTime: 0,
  /** i32 ms from base: when it last fetched a page (read only when lastPageHash ≠ 0). */
  lastPageTime: 1,
  /** f32 per scenario: bucket level (as before: levels were already float32). */
  level: 2,
  /** f32 per scenario: tokens poured since the bucket was last empty (fractional: asset weight 0.2). */
  count: 10,
  uaHash: 18,
  lastPageHash: 19,
  /** AlertPool entry + 1, 0 when no bucket of this IP overflows. */
  alertRef: 20,
  // Half-words 42..57 and bytes 88..91: see H and B.
  // Per window, words 29.. (the run [windowFirst, windowEnd) is what a closed window keeps).
  hits: 29,
  /** Sum of logged header counts (saturating at 2^32 − 1; frozen with the other counters, see H). */
  headerSum: 30,
  pathBits: 37,
  uaBits: 41,
  ja4Bits: 45,
  windowFirst: 29,
  windowEnd: 47,
  stride: W_STRIDE,
} as const;

/**
 * u16 fields. The per-window counters other than hits are uint16: they, the header sum and the gap histogram count
 * only the first COUNTED_HITS (65,535) requests of a window, so every ratio and the mean header count are those of
 * that sample (exact below it: one IP sending more than 1,092 requests/s for a whole one-minute window). hits itself
 * stays an exact uint32 (it is the velocity and the IpWindow.hits figure).
 */
export const H = {
  /** Bits 0..2: UA_FACT_*; bits 3..12: known-bot token index + 1 (config caps tokens at 512: 10 bits). */
  uaFacts: 42,
  /** Length of the last page's path, bounded by MAX_HASHED_CHARS (512). */
  lastPageLength: 43,
  /**
   * 16-bit path hashes (the low half of the 32-bit hash), last 8 distinct paths / last 4 distinct 4xx paths. A 16-bit
   * collision makes a new path look seen with probability ≤ 8/65,536 per event: it withholds one crawl or probing
   * token (errs towards no alert).
   */
  ringPath: 46,
  ring4xx: 54,
  assets: 62,
  status4xx: 63,
  status404: 64,
  posts: 65,
  direct: 66,
  headerKnown: 67,
} as const;

/** u8 fields. */
export const B = {
  /** Bit per scenario: bucket overflowing (re-armed when it leaks empty). */
  overflowMask: 88,
  /**
   * The slow-probing bucket, one byte: bits 0..6 its level in whole tokens (config caps its capacity at
   * SLOW_LEVEL_MASK − 1), bit 7 (SLOW_OVERFLOWING) set while it overflows. It leaks one whole token each time event
   * time crosses a multiple of its leakMs (detector.ts), so whole tokens lose nothing to rounding.
   */
  slowProbing: 89,
  /** Bits 0..2: next ringPath position; bits 4..5: next ring4xx position. */
  ringPos: 90,
  /** IP_FLAG_*. */
  ipFlags: 91,
  /** Per window: bit per scenario tripped during the window. */
  trippedMask: 136,
  /** Per window: WIN_FLAG_*. */
  windowFlags: 137,
  /** Per window: inter-arrival gap bins, uint8, halved together when one would pass 255 (see gapAdd). */
  gapHist: 138,
} as const;

/** The IP fetched at least one asset ever (was a saturating uint32 only ever compared with 0). */
export const IP_FLAG_ASSETS = 1;
/** This window has fed the recurrence bucket. */
export const WIN_FLAG_RECURRED = 1;
/** slow-probing was overflowing at an event of this window, and not muted (trippedMask has no ninth bit). */
export const WIN_FLAG_SLOW_PROBING = 2;
/** B.slowProbing: the level bits, and the overflowing bit. */
export const SLOW_LEVEL_MASK = 0x7f;
export const SLOW_OVERFLOWING = 0x80;
/** Requests of a window counted by the uint16 counters (see H). */
export const COUNTED_HITS = 0xffff;

/** Words of a slot's per-window run (what a closed window record keeps). */
export const WINDOW_WORDS = W.windowEnd - W.windowFirst;

(() => {
  // Layout sanity: fields in bounds, the run contiguous and word-aligned.
  const ends = [
    4 * (W.alertRef + 1),
    2 * (H.ring4xx + RING_4XX_SIZE),
    B.ipFlags + 1,
    2 * (H.headerKnown + 1),
    B.gapHist + GAP_BINS,
    4 * (W.pathBits + BITMAP_PATH_WORDS),
    4 * (W.uaBits + BITMAP_UA_WORDS),
    4 * (W.ja4Bits + BITMAP_JA4_WORDS),
  ];
  if (
    4 * W.uaBits !== 4 * W.pathBits + 4 * BITMAP_PATH_WORDS ||
    W.ja4Bits !== W.uaBits + BITMAP_UA_WORDS ||
    W.windowEnd !== W.ja4Bits + BITMAP_JA4_WORDS ||
    4 * W.windowEnd !== RECORD_BYTES ||
    2 * H.ringPath !== B.ringPos + 2 ||
    2 * H.assets !== 4 * (W.headerSum + 1) ||
    B.trippedMask !== 2 * (H.headerKnown + 1) ||
    B.gapHist + GAP_BINS > 4 * W.pathBits ||
    ends.some((e) => e > RECORD_BYTES)
  ) {
    throw new Error('ip-table: inconsistent record layout');
  }
})();

export const UA_FACT_BROWSER = 1;
export const UA_FACT_HEADLESS = 2;
/** Set per event by the detector: the claimed crawler is not proven fake (or is verified, when required). */
export const UA_FACT_GOOD_BOT = 4;
/** uaFacts >>> UA_FACT_BOT_SHIFT: known-bot token index + 1, 0 when none. */
export const UA_FACT_BOT_SHIFT = 3;

/** windowEnd value of a slot without an open window. */
export const NO_WINDOW = -0x80000000;
/** Range times are kept in relative to the base (NO_WINDOW excluded). */
const REL_MIN = -0x7fffffff;
const REL_MAX = 0x7fffffff;
/** Distance from the base at which BehaviourState moves it: half the int32 range, so stored times keep headroom. */
export const REBASE_AT = 2 ** 30;

export function saturateRel(v: number): number {
  return v < REL_MIN ? REL_MIN : v > REL_MAX ? REL_MAX : v;
}

/** AlertPool entry: SCENARIO_COUNT last-alert times, then slow-probing's last-alert time and its count. */
export const ALERT_STRIDE = SCENARIO_COUNT + 2;
export const ALERT_SLOW_TIME = SCENARIO_COUNT;
/** Tokens poured into slow-probing since its fresh overflow (capacity + 1 then): not a time, rebase skips it. */
export const ALERT_SLOW_COUNT = SCENARIO_COUNT + 1;

/**
 * Per-scenario last-alert times (int32 ms from base) of IPs that have an overflowing bucket, and slow-probing's
 * count: 40 bytes per such IP, instead of 64 bytes of float64 in every record. Entries are freed when the IP's last
 * overflowing bucket empties or its slot is cleared; storage grows by doubling up to one entry per slot.
 */
export class AlertPool {
  times = new Int32Array(ALERT_STRIDE * 64);
  private free: number[] = [];
  private size = 0;

  get bytes(): number {
    return this.times.byteLength;
  }

  get live(): number {
    return this.size - this.free.length;
  }

  /** A zeroed entry's index. */
  alloc(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const i = this.size++;
    if ((i + 1) * ALERT_STRIDE > this.times.length) {
      const times = new Int32Array(this.times.length * 2);
      times.set(this.times);
      this.times = times;
    }
    return i;
  }

  release(i: number): void {
    this.times.fill(0, i * ALERT_STRIDE, (i + 1) * ALERT_STRIDE);
    this.free.push(i);
  }

  rebase(shift: number): void {
    const t = this.times;
    for (let k = 0, n = this.size * ALERT_STRIDE; k < n; k++) {
      if (k % ALERT_STRIDE !== ALERT_SLOW_COUNT) t[k] = saturateRel(t[k]! + shift);
    }
  }
}

/** Formats a 32-bit IPv4 value as its canonical dotted string (a fresh flat string, pinning nothing). */
export function formatIpv4(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/**
 * Parked first hit (the compact tier): PARKED_WORDS int32 words per IP seen once, laid out by EventQuantities
 * (quantities.ts). Word PARKED_TIME is the event's time, int32 ms from the base like the record times (rebase moves
 * it); in a free record it links the free list instead.
 */
export const PARKED_WORDS = 5;
export const PARKED_TIME = 0;

export class IpTable {
  /** Full records: `cap` slots, then one scratch slot (see `scratch`). */
  readonly i32: Int32Array;
  readonly f32: Float32Array;
  readonly u32: Uint32Array;
  readonly u16: Uint16Array;
  readonly u8: Uint8Array;
  /**
   * A slot no IP owns: a parked first hit is written there, as its full record would be, when something must read
   * that record (closing its window, levelOf); cleared before each use.
   */
  readonly scratch: number;
  /** Parked first hits, PARKED_WORDS words each (`cap` of them at most). */
  readonly parked: Int32Array;
  readonly alerts = new AlertPool();
  /** Epoch ms that relative times (record times, windowEnd) count from; set by the first event (see rebase). */
  base = Number.NaN;
  /**
   * Per handle: where its record is: slot + 1 of a full record, −(index + 1) of a parked first hit (0 only between
   * `assign` and the caller's `takeSlot` or `park`).
   */
  readonly tier: Int32Array;
  /**
   * Per handle: end of its open window (int32 ms from base), NO_WINDOW when none (kept out of the record so that the
   * open-window FIFO can tell stale entries without touching records; see BehaviourState.popFront). For a parked
   * first hit this is also what tells whether its window was already closed.
   */
  readonly windowEnd: Int32Array;
  /**
   * Per handle: the IPv4 value (a canonical dotted address is not stored as a string: ipOf formats it on demand),
   * or for other addresses the low half of their 64-bit key hash.
   */
  private readonly keys: Uint32Array;
  /**
   * Per handle, only for addresses that are not canonical IPv4 (created on the first one): the address, as a flat
   * copy so that it pins no log line or read chunk; undefined for IPv4 handles.
   */
  private names: (string | undefined)[] | null = null;
  private readonly v4 = new Ipv4Index();
  /** Other addresses → handle, by a 64-bit hash of the string; a match is confirmed against names[handle]. */
  private readonly other = new Hash64Index();
  /** CLOCK reference bits: 1 when the handle was looked up since the hand last passed it. */
  private readonly referenced: Uint8Array;
  private hand = 0;
  private size = 0;
  /** Slots and parked records handed out so far (a prefix of each array), and their free lists (−1: empty). */
  private slotsUsed = 0;
  private freeSlot = -1;
  private parkedUsed = 0;
  private freeParked = -1;
  private fullCount = 0;

  /**
   * Every per-slot and per-handle array is allocated at full capacity up front. Zero-filled ArrayBuffers of this
   * size come from fresh mmap'd pages, which cost address space but no resident memory until first written: slots,
   * parked records and handles are handed out from the front (freed ones reused first), so only the used prefix of
   * each is resident, and growing never copies (doubling a 188 MB slab held old and new copies at once).
   */
  constructor(readonly cap: number) {
    const buffer = new ArrayBuffer((cap + 1) * RECORD_BYTES);
    this.i32 = new Int32Array(buffer);
    this.f32 = new Float32Array(buffer);
    this.u32 = new Uint32Array(buffer);
    this.u16 = new Uint16Array(buffer);
    this.u8 = new Uint8Array(buffer);
    this.scratch = cap;
    this.parked = new Int32Array(cap * PARKED_WORDS);
    this.tier = new Int32Array(cap);
    this.keys = new Uint32Array(cap);
    this.referenced = new Uint8Array(cap);
    this.windowEnd = new Int32Array(cap).fill(NO_WINDOW);
  }

  get tracked(): number {
    return this.v4.size + this.other.size;
  }

  /** Tracked IPs with a full record (the others are parked first hits). */
  get full(): number {
    return this.fullCount;
  }

  /** Bytes allocated (address space: capacity, not just what is used), indexes and alert pool included. */
  get slabBytes(): number {
    return (
      this.u8.byteLength +
      this.parked.byteLength +
      this.tier.byteLength +
      this.keys.byteLength +
      this.referenced.byteLength +
      this.windowEnd.byteLength +
      this.v4.bytes +
      this.other.bytes +
      this.alerts.bytes
    );
  }

  /**
   * Bytes written so far (the resident part of the arrays: their used prefixes, to the page), indexes and alert pool
   * included: what the state costs in memory, as opposed to slabBytes.
   */
  get usedBytes(): number {
    const page = (bytes: number) => Math.ceil(bytes / 4096) * 4096;
    return (
      page(this.slotsUsed * RECORD_BYTES) +
      page(RECORD_BYTES) + // the scratch slot, at the end of the slab
      page(this.parkedUsed * PARKED_WORDS * 4) +
      page(this.size * 4) * 2 + // tier, keys
      page(this.size) + // referenced
      this.windowEnd.byteLength + // filled with NO_WINDOW up front: every page written
      this.v4.bytes +
      this.other.bytes +
      this.alerts.bytes
    );
  }

  ipOf(handle: number): string {
    const name = this.names?.[handle];
    return name !== undefined ? name : formatIpv4(this.keys[handle]!);
  }

  /** The handle for `ip`, or -1, without touching recency. */
  peek(ip: string): number {
    const a = parseIpv4(ip);
    return a >= 0 ? this.v4.get(a) : this.findOther(ip);
  }

  /** The handle for `ip`, or -1. Marks it recently seen. */
  find(ip: string): number {
    const a = parseIpv4(ip);
    const handle = a >= 0 ? this.v4.get(a) : this.findOther(ip);
    if (handle >= 0) this.referenced[handle] = 1;
    return handle;
  }

  private findOther(ip: string): number {
    if (this.other.size === 0) return -1;
    const names = this.names!;
    return this.other.get(hashLow(ip), hashHigh(ip), (handle) => names[handle] === ip);
  }

  /**
   * The handle to evict when the table is full, -1 otherwise (the caller closes its window, then calls `assign`).
   * Second chance: the hand clears the reference bit of handles seen since its last pass and stops at one that was
   * not; at worst one full turn (then every bit is clear), amortised O(1) per eviction.
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

  /**
   * Gives `ip` a handle: a new one, or `victim` (whose IP is forgotten, its record freed). The caller then gives it
   * a record: `takeSlot` or `park`.
   */
  assign(ip: string, victim: number): number {
    let handle: number;
    if (victim >= 0) {
      handle = victim;
      const old = this.names?.[handle];
      if (old === undefined) this.v4.delete(this.keys[handle]!);
      else {
        this.other.delete(this.keys[handle]!, hashHigh(old), handle);
        this.names![handle] = undefined;
      }
      this.release(handle);
    } else {
      handle = this.size++;
    }
    // A new IP starts unreferenced: a one-off visitor is the first to go when the hand comes round.
    this.referenced[handle] = 0;
    const a = parseIpv4(ip);
    if (a >= 0) {
      this.keys[handle] = a;
      this.v4.set(a, handle);
    } else {
      this.names ??= [];
      const name = detach(ip);
      this.names[handle] = name;
      const lo = hashLow(name);
      this.keys[handle] = lo;
      this.other.set(lo, hashHigh(name), handle);
    }
    return handle;
  }

  /**
   * Gives `handle` a zeroed full record and returns its slot; a parked first hit it had is freed (read it first).
   * Slots come from the free list, else the next unused one: a table that never parks hands slot h to handle h.
   */
  takeSlot(handle: number): number {
    if (this.tier[handle]! < 0) this.freeParkedRecord(-this.tier[handle]! - 1);
    let slot = this.freeSlot;
    if (slot >= 0) {
      const w = slot * W_STRIDE;
      this.freeSlot = this.i32[w]!;
      this.i32[w] = 0;
    } else {
      slot = this.slotsUsed++;
    }
    this.fullCount++;
    this.tier[handle] = slot + 1;
    return slot;
  }

  /** Gives `handle` a parked record and returns its word index in `parked` (the caller fills it). */
  park(handle: number): number {
    let p = this.freeParked;
    if (p >= 0) this.freeParked = this.parked[p * PARKED_WORDS + PARKED_TIME]!;
    else p = this.parkedUsed++;
    this.tier[handle] = -(p + 1);
    return p * PARKED_WORDS;
  }

  /** Word index in `parked` of the parked first hit of `handle` (tier[handle] < 0). */
  parkedAt(handle: number): number {
    return (-this.tier[handle]! - 1) * PARKED_WORDS;
  }

  /** Forgets the record of an evicted handle (its window must have been closed first). */
  private release(handle: number): void {
    const tier = this.tier[handle]!;
    if (tier > 0) {
      const slot = tier - 1;
      this.clear(slot);
      this.i32[slot * W_STRIDE] = this.freeSlot;
      this.freeSlot = slot;
      this.fullCount--;
    } else if (tier < 0) {
      this.freeParkedRecord(-tier - 1);
    }
    this.tier[handle] = 0;
    this.windowEnd[handle] = NO_WINDOW;
  }

  private freeParkedRecord(p: number): void {
    this.parked[p * PARKED_WORDS + PARKED_TIME] = this.freeParked;
    this.freeParked = p;
  }

  /** Zeroes a slot (its IP's window must have been closed first), releasing its alert times. */
  clear(slot: number): void {
    const w = slot * W_STRIDE;
    const ref = this.u32[w + W.alertRef]!;
    if (ref !== 0) this.alerts.release(ref - 1);
    this.u32.fill(0, w, w + W_STRIDE);
  }

  /** Every handle in use (handed out in order and only ever reused, never freed). */
  *handles(): IterableIterator<number> {
    for (let handle = 0; handle < this.size; handle++) yield handle;
  }

  /**
   * Moves the base to `base`, shifting every stored relative time (saturating; see the record comment). Returns the
   * shift so the caller can move its own relative times. O(handles), once per 12 days of event time at most, or on
   * a jump of the timeline by more than that.
   */
  rebase(to: number): number {
    // Whole ms: parsers produce whole-ms times; a fractional base would make every stored time drop a fraction.
    const base = Math.floor(to);
    if (Number.isNaN(this.base)) {
      this.base = base;
      return 0;
    }
    const shift = this.base - base;
    this.base = base;
    const i32 = this.i32;
    const parked = this.parked;
    for (let handle = 0; handle < this.size; handle++) {
      const tier = this.tier[handle]!;
      if (tier > 0) {
        const w = (tier - 1) * W_STRIDE;
        i32[w + W.lastTime] = saturateRel(i32[w + W.lastTime]! + shift);
        i32[w + W.lastPageTime] = saturateRel(i32[w + W.lastPageTime]! + shift);
      } else if (tier < 0) {
        const at = (-tier - 1) * PARKED_WORDS + PARKED_TIME;
        parked[at] = saturateRel(parked[at]! + shift);
      }
      const end = this.windowEnd[handle]!;
      if (end !== NO_WINDOW) this.windowEnd[handle] = saturateRel(end + shift);
    }
    this.alerts.rebase(shift);
    return shift;
  }
}

/** Two independent 32-bit hashes of a whole string (FNV-1a with two offsets, fmix32-finalised): a 64-bit key. */
function hashLow(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix32(h);
}

function hashHigh(s: string): number {
  let h = 0x2545f491;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix32(h ^ 0x9e3779b9);
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
 * IPv4 address → handle, open addressing with linear probing over interleaved (address, handle + 1) pairs in one
 * Int32Array: a lookup reads one or two adjacent pairs, usually one cache line, and never touches a string.
 * Kept at most half full; deletion shifts the following run back (no tombstones, so churn never degrades it).
 */
class Ipv4Index {
  /** [2i]: address (as int32), [2i + 1]: handle + 1, 0 when the bucket is empty. */
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
  set(address: number, handle: number): void {
    if (2 * (this.size + 1) > this.mask + 1) this.rehash(2 * (this.mask + 1));
    this.insert(address | 0, handle + 1);
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

/**
 * 64-bit key → handle, open addressing over (low, high, handle + 1) triples in one Int32Array, for addresses that are
 * not canonical IPv4: ~24 bytes per address at most half full, instead of a Map entry plus the string as its key.
 * Keys are hashes, so a match is confirmed by `same(handle)` (the caller compares the stored string); two strings with
 * one 64-bit hash both live in the table and are told apart that way. Backward-shift deletion, as Ipv4Index.
 */
class Hash64Index {
  private cells = new Int32Array(3 * 64);
  private mask = 63;
  size = 0;

  get bytes(): number {
    return this.cells.byteLength;
  }

  get(lo: number, hi: number, same: (handle: number) => boolean): number {
    const c = this.cells;
    const l = lo | 0;
    const h = hi | 0;
    for (let i = lo & this.mask; ; i = (i + 1) & this.mask) {
      const v = c[3 * i + 2]!;
      if (v === 0) return -1;
      if (c[3 * i] === l && c[3 * i + 1] === h && same(v - 1)) return v - 1;
    }
  }

  set(lo: number, hi: number, handle: number): void {
    if (2 * (this.size + 1) > this.mask + 1) this.rehash(2 * (this.mask + 1));
    this.insert(lo | 0, hi | 0, handle + 1);
    this.size++;
  }

  /** Removes the entry of `handle` (keyed lo, hi). */
  delete(lo: number, hi: number, handle: number): void {
    const c = this.cells;
    const mask = this.mask;
    const l = lo | 0;
    const h = hi | 0;
    let i = lo & mask;
    for (; ; i = (i + 1) & mask) {
      if (c[3 * i + 2] === 0) return;
      if (c[3 * i] === l && c[3 * i + 1] === h && c[3 * i + 2] === handle + 1) break;
    }
    let hole = i;
    for (let j = (i + 1) & mask; c[3 * j + 2] !== 0; j = (j + 1) & mask) {
      const home = c[3 * j]! & mask;
      if (hole <= j ? home > hole && home <= j : home > hole || home <= j) continue;
      c[3 * hole] = c[3 * j]!;
      c[3 * hole + 1] = c[3 * j + 1]!;
      c[3 * hole + 2] = c[3 * j + 2]!;
      hole = j;
    }
    c[3 * hole] = 0;
    c[3 * hole + 1] = 0;
    c[3 * hole + 2] = 0;
    this.size--;
  }

  private insert(lo: number, hi: number, value: number): void {
    const c = this.cells;
    let i = lo & this.mask;
    while (c[3 * i + 2] !== 0) i = (i + 1) & this.mask;
    c[3 * i] = lo;
    c[3 * i + 1] = hi;
    c[3 * i + 2] = value;
  }

  private rehash(buckets: number): void {
    const old = this.cells;
    this.cells = new Int32Array(3 * buckets);
    this.mask = buckets - 1;
    for (let i = 0; i < old.length; i += 3) if (old[i + 2] !== 0) this.insert(old[i]!, old[i + 1]!, old[i + 2]!);
  }
}
