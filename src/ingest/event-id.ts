/**
 * Event ids: 16 hex characters of FNV-1a 64 over the UTF-8 bytes of a line's stable key. Pure
 * arithmetic, so every process and every replay derives the same id, and far cheaper than sha1 through
 * node:crypto, which matters at a million lines a second.
 */

const encoder = new TextEncoder();
/** Char code of each hex digit, so the id is built flat in one call rather than by concatenation. */
const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

function hexCode(limb: number, shift: number): number {
  return HEX_CODES[(limb >>> shift) & 15]!;
}

/** FNV-1a 64 of `key` as 16 lower-case hex characters. */
export function eventId(key: string): string {
  // The 64-bit state as four 16-bit limbs so every product stays a small integer;
  // offset basis 0xcbf29ce484222325, prime 0x100000001b3 = 2^40 + 435.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  let bytes: Uint8Array | null = null;
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) > 0x7f) {
      bytes = encoder.encode(key);
      break;
    }
  }
  const n = bytes === null ? key.length : bytes.length;
  for (let i = 0; i < n; i++) {
    h0 ^= bytes === null ? key.charCodeAt(i) : bytes[i]!;
    const t0 = h0 * 435;
    let t1 = h1 * 435;
    let t2 = h2 * 435;
    let t3 = h3 * 435;
    t2 += h0 << 8; // the 2^40 term: limb k moves to limb k+2, shifted by 8 bits
    t3 += h1 << 8;
    t1 += t0 >>> 16;
    h0 = t0 & 0xffff;
    t2 += t1 >>> 16;
    h1 = t1 & 0xffff;
    h3 = (t3 + (t2 >>> 16)) & 0xffff;
    h2 = t2 & 0xffff;
  }
  return String.fromCharCode(
    hexCode(h3, 12),
    hexCode(h3, 8),
    hexCode(h3, 4),
    hexCode(h3, 0),
    hexCode(h2, 12),
    hexCode(h2, 8),
    hexCode(h2, 4),
    hexCode(h2, 0),
    hexCode(h1, 12),
    hexCode(h1, 8),
    hexCode(h1, 4),
    hexCode(h1, 0),
    hexCode(h0, 12),
    hexCode(h0, 8),
    hexCode(h0, 4),
    hexCode(h0, 0),
  );
}
