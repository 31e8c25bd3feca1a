/**
 * Event ids: 16 hex characters of FNV-1a 64 over the UTF-8 bytes of a line's stable key. Pure
 * arithmetic, so every process and every replay derives the same id, and far cheaper than sha1 through
 * node:crypto, which matters at a million lines a second.
 *
 * File lines have the key `${prefix}${offset}` (a per-file prefix and the line's byte offset). Hashing
 * is a left-to-right fold, so `eventIdAt(prefix, offset)` keeps the FNV state after the prefix (hashed
 * once per file, not once per line) and continues over the decimal digits of the offset: the same id as
 * `eventId(prefix + offset)`, without building the key string.
 */

const encoder = new TextEncoder();
/** Char code of each hex digit, so the id is built flat in one call rather than by concatenation. */
const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** FNV-1a 64 offset basis 0xcbf29ce484222325, as two unsigned 32-bit halves. */
const BASIS_HI = 0xcbf29ce4;
const BASIS_LO = 0x84222325;
const TWO_32 = 4294967296;

// The running state, as two unsigned 32-bit halves. Module-level so the hot loops allocate nothing.
let hi = BASIS_HI;
let lo = BASIS_LO;

/**
 * One FNV-1a step: xor the byte into the low half, multiply by the prime 0x100000001b3 = 2^40 + 435.
 * Every intermediate is an integer below 2^53, so the double arithmetic is exact: lo * 435 < 2^41,
 * and hi * 435 + (lo << 8) + carry < 2^42. `>>> 0` then reduces mod 2^32 (ToUint32 is exact for any
 * integral double, negative ones from the int32 `<<` included).
 */
function step(byte: number): void {
  const l = (lo ^ byte) >>> 0;
  const t = l * 435;
  hi = (hi * 435 + (l << 8) + Math.floor(t / TWO_32)) >>> 0;
  lo = t >>> 0;
}

/** Continues the state over the UTF-8 bytes of `key`. */
function hashString(key: string): void {
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) > 0x7f) {
      // Not ASCII: hash the UTF-8 bytes from here on (the ASCII prefix before i is already hashed).
      const bytes = encoder.encode(key.slice(i));
      for (let j = 0; j < bytes.length; j++) step(bytes[j]!);
      return;
    }
    step(key.charCodeAt(i));
  }
}

function hexCode(limb: number, shift: number): number {
  return HEX_CODES[(limb >>> shift) & 15]!;
}

/** The current state as 16 lower-case hex characters. */
function digest(): string {
  const h = hi;
  const l = lo;
  return String.fromCharCode(
    hexCode(h, 28),
    hexCode(h, 24),
    hexCode(h, 20),
    hexCode(h, 16),
    hexCode(h, 12),
    hexCode(h, 8),
    hexCode(h, 4),
    hexCode(h, 0),
    hexCode(l, 28),
    hexCode(l, 24),
    hexCode(l, 20),
    hexCode(l, 16),
    hexCode(l, 12),
    hexCode(l, 8),
    hexCode(l, 4),
    hexCode(l, 0),
  );
}

/** FNV-1a 64 of `key` as 16 lower-case hex characters. */
export function eventId(key: string): string {
  hi = BASIS_HI;
  lo = BASIS_LO;
  hashString(key);
  return digest();
}

// One-entry cache of the state after a prefix: a reader keys every line of a file with the same prefix.
let cachedPrefix: string | null = null;
let cachedHi = 0;
let cachedLo = 0;
// One-entry cache of the state after prefix + the digits of floor(offset / 1000): consecutive lines of
// a file are a few hundred bytes apart, so they mostly share every digit but the last three.
let cachedThousands = -1;
let cachedThousandsHi = 0;
let cachedThousandsLo = 0;
/** Decimal digits, least significant first (2^53 has 16 digits). */
const digits = new Uint8Array(20);

/** Continues the state over the decimal digits of a non-negative safe integer. */
function hashDecimal(v: number): void {
  let n = 0;
  do {
    const q = Math.floor(v / 10);
    digits[n++] = v - q * 10;
    v = q;
  } while (v > 0);
  while (n > 0) step(48 + digits[--n]!);
}

/**
 * `eventId(prefix + String(offset))` without building that string. Safe for every non-negative safe
 * integer, whose String() is its plain decimal digits; anything else takes the concatenating path.
 */
export function eventIdAt(prefix: string, offset: number): string {
  if (!(offset >= 0 && offset <= Number.MAX_SAFE_INTEGER && Math.floor(offset) === offset)) {
    return eventId(prefix + String(offset));
  }
  if (prefix !== cachedPrefix) {
    hi = BASIS_HI;
    lo = BASIS_LO;
    hashString(prefix);
    cachedPrefix = prefix;
    cachedHi = hi;
    cachedLo = lo;
    cachedThousands = -1;
  }
  if (offset < 1000) {
    hi = cachedHi;
    lo = cachedLo;
    hashDecimal(offset);
    return digest();
  }
  // For offset >= 1000, String(offset) is String(floor(offset / 1000)) followed by exactly three
  // digits (zero-padded), so the state after the leading part can be reused across lines.
  const thousands = Math.floor(offset / 1000);
  if (thousands !== cachedThousands) {
    hi = cachedHi;
    lo = cachedLo;
    hashDecimal(thousands);
    cachedThousands = thousands;
    cachedThousandsHi = hi;
    cachedThousandsLo = lo;
  } else {
    hi = cachedThousandsHi;
    lo = cachedThousandsLo;
  }
  const rest = offset - thousands * 1000;
  const d0 = Math.floor(rest / 100);
  const d1 = Math.floor(rest / 10) - d0 * 10;
  step(48 + d0);
  step(48 + d1);
  step(48 + (rest - Math.floor(rest / 10) * 10));
  return digest();
}
