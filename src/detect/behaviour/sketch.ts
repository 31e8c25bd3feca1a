/**
 * Fixed-size sketches over 32-bit string hashes, stored in slices of a shared Uint32Array so that a tracked IP
 * costs the same few hundred bytes whatever it sends.
 * - bitmap: linear-counting distinct estimator (collisions only ever undercount, which errs towards no alert);
 * - ring: the last N distinct hashes exactly, to tell "a new path" from "the same path again".
 */

/** Hostile strings can be 8 KiB; hashing a bounded prefix keeps per-event work bounded (a longer tail collides, which undercounts). */
export const MAX_HASHED_CHARS = 512;

/** FNV-1a over the first MAX_HASHED_CHARS UTF-16 units, finalised with murmur3's fmix32 so low bits are usable; never 0. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  const n = s.length < MAX_HASHED_CHARS ? s.length : MAX_HASHED_CHARS;
  for (let i = 0; i < n; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h) || 1;
}

/**
 * hashString() memoised by string, direct-mapped (2^bits entries), for fields that repeat: User-Agents (a site sees
 * a few hundred), paths (assets, popular pages). Why: charCodeAt on the sliced strings a parser makes costs several
 * ns per character, so hashing a 110-character User-Agent costs ~0.6 µs on a loaded box; comparing it with an equal
 * string is a native memcmp (~0.07 µs), and a pointer check when both are the same object. Exact: an entry is only
 * reused for an equal string. Strings longer than MAX_HASHED_CHARS are not kept (bounded memory: a hostile stream of
 * 8 KiB values cannot pin more than 2^bits × MAX_HASHED_CHARS characters).
 */
export class HashMemo {
  private readonly strings: string[];
  private readonly hashes: Uint32Array;
  private readonly shift: number;

  constructor(bits: number) {
    this.strings = new Array<string>(1 << bits).fill('');
    this.hashes = new Uint32Array(1 << bits);
    this.shift = 32 - bits;
  }

  hash(s: string): number {
    const n = s.length;
    if (n < 2) return hashString(s);
    // Entry from the length and five sampled characters (multiplicative hash, top bits): 98-99 % hits for the
    // User-Agents of the bench logs, which mostly differ near the end (versions) or in length.
    const i =
      Math.imul(
        n ^
          (s.charCodeAt(n - 1) << 8) ^
          (s.charCodeAt(n - 2) << 16) ^
          (s.charCodeAt(n >>> 1) << 24) ^
          (s.charCodeAt((n * 3) >>> 2) << 4) ^
          (s.charCodeAt(n >>> 2) << 12),
        0x9e3779b1,
      ) >>> this.shift;
    if (this.strings[i] === s) return this.hashes[i]!;
    const h = hashString(s);
    if (n <= MAX_HASHED_CHARS) {
      this.strings[i] = detach(s);
      this.hashes[i] = h;
    }
    return h;
  }
}

/**
 * A copy of `s` that does not keep a larger string alive. A parser's fields are V8 sliced strings pointing into the
 * line, or into the whole read chunk (1 MiB) the line was split from; a memo entry holding one would pin that chunk.
 * Concatenating makes a cons string, and slicing it flattens it into a new string of s.length + 1 characters.
 * Only on a memo miss.
 */
export function detach(s: string): string {
  return (' ' + s).slice(1);
}

export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Sets the bit chosen by `hash` in a `words`-word bitmap at `base`; true when it was not set yet. */
export function bitmapAdd(arr: Uint32Array, base: number, words: number, hash: number): boolean {
  const bit = hash % (words * 32);
  const i = base + (bit >>> 5);
  const mask = 1 << (bit & 31);
  const word = arr[i]!;
  if ((word & mask) !== 0) return false;
  arr[i] = word | mask;
  return true;
}

export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Linear counting: n ≈ -m·ln(zeros/m). A full bitmap reports m·ln(m), its ceiling. */
export function bitmapEstimate(arr: Uint32Array, base: number, words: number): number {
  let ones = 0;
  for (let i = 0; i < words; i++) ones += popcount32(arr[base + i]!);
  if (ones === 0) return 0;
  const m = words * 32;
  const zeros = m - ones;
  if (zeros === 0) return Math.round(m * Math.log(m));
  return Math.round(-m * Math.log(zeros / m));
}

/**
 * Rings of 16-bit hashes (the low half of a 32-bit hash) in a Uint16Array: the last `size` distinct hashes.
 * True when `hash`'s low half is among the `size` entries of the ring at `base`.
 */
export function ringHas(arr: Uint16Array, base: number, size: number, hash: number): boolean {
  const h = hash & 0xffff;
  for (let i = 0; i < size; i++) if (arr[base + i] === h) return true;
  return false;
}

/** Writes `hash`'s low half at position `pos` (mod size) and returns the next position. */
export function ringPut(arr: Uint16Array, base: number, size: number, pos: number, hash: number): number {
  arr[base + (pos % size)] = hash & 0xffff;
  return (pos + 1) % size;
}

/**
 * Counts one in bin `bin` of the uint8 histogram of `bins` bins at `base`. A bin about to pass 255 halves every bin
 * (rounding up, so a non-empty bin stays non-empty): the histogram only feeds a normalised entropy, which depends on
 * the bins' proportions, and halving keeps them within ±0.5 of a count — exact up to 255 gaps in one bin.
 */
export function histAdd(arr: Uint8Array, base: number, bins: number, bin: number): void {
  if (arr[base + bin] === 255) for (let i = 0; i < bins; i++) arr[base + i] = (arr[base + i]! + 1) >>> 1;
  arr[base + bin]!++;
}
