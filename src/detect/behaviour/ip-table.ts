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

import { detach } from './sketch.js';
import { AlertPool } from './alert-pool.js';
import { formatIpv4, hashHigh, hashLow, Hash64Index, Ipv4Index, parseIpv4 } from './ip-index.js';
import { NO_WINDOW, PARKED_TIME, PARKED_WORDS, RECORD_BYTES, W, saturateRel } from './record-layout.js';

// The layout, the pool and the address parsing are part of this module's surface (the detector and state read them).
export * from './record-layout.js';
export { AlertPool } from './alert-pool.js';
export { formatIpv4, parseIpv4 } from './ip-index.js';

const W_STRIDE = RECORD_BYTES / 4;

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

