/**
 * IP address → handle indexes of IpTable (ip-table.ts): canonical IPv4 parsed to 32 bits in an open-addressing
 * table of (address, handle) pairs; anything else by a 64-bit string hash. No string is hashed for an IPv4 address.
 */
import { mix32 } from './sketch.js';

/** Formats a 32-bit IPv4 value as its canonical dotted string (a fresh flat string, pinning nothing). */
export function formatIpv4(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** Two independent 32-bit hashes of a whole string (FNV-1a with two offsets, fmix32-finalised): a 64-bit key. */
export function hashLow(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix32(h);
}

export function hashHigh(s: string): number {
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
export class Ipv4Index {
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
export class Hash64Index {
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
