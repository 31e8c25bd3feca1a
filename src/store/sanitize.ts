/**
 * Values from logs on their way into PostgreSQL. Text columns cannot hold U+0000, so NUL becomes U+FFFD
 * (visible in the evidence, unlike a silent strip). Keys of btree indexes are bounded: an index entry over
 * ~2.7 KB makes PostgreSQL reject the whole batch.
 */

/** Longest IP kept (an IPv6 address with a zone fits; anything longer is not an address). */
export const MAX_IP = 64;

export function text(s: string): string {
  return s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s;
}

export function textOrNull(s: string | null | undefined): string | null {
  return s == null ? null : text(s);
}

export function ip(s: string): string {
  return text(s.length > MAX_IP ? s.slice(0, MAX_IP) : s);
}

/** Integers for integer columns: non-finite becomes 0, fractions are cut. */
export function int(n: number): number {
  return Number.isFinite(n) ? Math.trunc(n) : 0;
}

export function realOrNull(n: number | null | undefined): number | null {
  return n == null || !Number.isFinite(n) ? null : n;
}
