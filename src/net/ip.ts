/**
 * IP address parsing and normalisation for both families. Everything here reads hostile input (log fields,
 * headers), so parsing is a bounded hand-written scan: no regex, no allocation on the IPv4 fast path.
 */

/** A parsed address: IPv4 as an unsigned 32-bit integer, IPv6 as eight 16-bit groups. */
export type ParsedIp = { version: 4; value: number } | { version: 6; groups: Uint16Array };

/** Longer input cannot be an address, even with brackets, zone id and port. */
const MAX_IP_TEXT = 128;

/** Parses a dotted quad strictly: four decimal octets, no leading zeros (inet_aton reads them as octal). */
export function parseIpv4(s: string, start = 0, end = s.length): number | null {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return null; // leading zero
      octet = octet * 10 + (c - 48);
      if (octet > 255) return null;
      digits++;
    } else if (c === 46) {
      if (digits === 0 || dots === 3) return null;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      return null;
    }
  }
  if (dots !== 3 || digits === 0) return null;
  return value * 256 + octet;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Parses IPv6 text (RFC 4291 section 2.2, including a trailing dotted quad) into eight groups. */
export function parseIpv6(s: string, start = 0, end = s.length): Uint16Array | null {
  if (end - start < 2 || end - start > 45) return null;
  const groups = new Uint16Array(8);
  let n = 0;
  let gap = -1; // index in `groups` where '::' sits
  let i = start;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return null;
    gap = 0;
    i += 2;
    if (i === end) return groups; // '::'
  }
  while (i < end) {
    if (n === 8) return null;
    let j = i;
    let v = 0;
    while (j < end && j - i < 5) {
      const h = hexValue(s.charCodeAt(j));
      if (h < 0) break;
      v = v * 16 + h;
      j++;
    }
    const len = j - i;
    if (j < end && s.charCodeAt(j) === 46) {
      // Embedded IPv4 takes the last two groups.
      if (n > 6) return null;
      const v4 = parseIpv4(s, i, end);
      if (v4 === null) return null;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      i = end;
      break;
    }
    if (len === 0 || len > 4) return null;
    groups[n++] = v;
    i = j;
    if (i === end) break;
    if (s.charCodeAt(i) !== 58) return null;
    i++;
    if (s.charCodeAt(i) === 58) {
      if (gap >= 0) return null; // a second '::'
      gap = n;
      i++;
      if (i === end) break;
    } else if (i === end) {
      return null; // trailing single ':'
    }
  }
  if (gap < 0) return n === 8 ? groups : null;
  if (n === 8) return null; // '::' must stand for at least one group
  const tail = n - gap;
  for (let k = 0; k < tail; k++) groups[7 - k] = groups[n - 1 - k]!;
  for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  return groups;
}

/** Bounds of the address inside decorated text: `[v6]:port`, `[v6]`, `v6%zone`, `v4:port`. */
function addressBounds(s: string): [number, number] | null {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) === 32) start++;
  while (end > start && s.charCodeAt(end - 1) === 32) end--;
  if (end - start > MAX_IP_TEXT || end === start) return null;
  if (s.charCodeAt(start) === 91) {
    const close = s.indexOf(']', start);
    if (close < 0 || close >= end) return null;
    const after = close + 1;
    if (after !== end && !isPort(s, after, end)) return null;
    start++;
    end = close;
  } else {
    const firstColon = s.indexOf(':', start);
    if (firstColon >= 0 && firstColon < end && s.lastIndexOf(':', end - 1) === firstColon) {
      // Exactly one colon: only `v4:port` has that shape.
      if (!isPort(s, firstColon, end)) return null;
      end = firstColon;
    }
  }
  const zone = s.indexOf('%', start);
  if (zone >= 0 && zone < end) end = zone;
  return [start, end];
}

function isPort(s: string, colon: number, end: number): boolean {
  if (s.charCodeAt(colon) !== 58 || end - colon < 2 || end - colon > 6) return false;
  for (let i = colon + 1; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** True when the groups are `::ffff:a.b.c.d` (IPv4-mapped). */
function isMapped(g: Uint16Array): boolean {
  return g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff;
}

/**
 * Parses an address as it appears in logs and headers: brackets, zone ids and ports are stripped and
 * IPv4-mapped IPv6 folds to IPv4. Returns null when the text is not an address.
 */
export function parseIp(s: string): ParsedIp | null {
  const b = addressBounds(s);
  if (b === null) return null;
  const [start, end] = b;
  if (s.indexOf(':', start) < 0 || s.indexOf(':', start) >= end) {
    const v4 = parseIpv4(s, start, end);
    return v4 === null ? null : { version: 4, value: v4 };
  }
  const g = parseIpv6(s, start, end);
  if (g === null) return null;
  if (isMapped(g)) return { version: 4, value: g[6]! * 65536 + g[7]! };
  return { version: 6, groups: g };
}

export function formatIpv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero groups as '::'. */
export function formatIpv6(g: Uint16Array): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out !== '' && !out.endsWith(':')) out += ':';
    out += g[i]!.toString(16);
  }
  return out;
}

export function formatIp(ip: ParsedIp): string {
  return ip.version === 4 ? formatIpv4(ip.value) : formatIpv6(ip.groups);
}

/** True when `s` is already a canonical dotted quad (the common case, checked without allocating). */
function isCanonicalIpv4(s: string): boolean {
  return s.length <= 15 && parseIpv4(s) !== null;
}

/** Canonical text of an address (see parseIp), or null when `s` is not one. */
export function normaliseIp(s: string): string | null {
  if (isCanonicalIpv4(s)) return s;
  const ip = parseIp(s);
  return ip === null ? null : formatIp(ip);
}

export function isIp(s: string): boolean {
  return parseIp(s) !== null;
}

/** 4 or 6 for an address (after folding IPv4-mapped IPv6), null when `s` is not one. */
export function ipVersion(s: string): 4 | 6 | null {
  if (isCanonicalIpv4(s)) return 4;
  const ip = parseIp(s);
  return ip === null ? null : ip.version;
}

/** The 128-bit value of IPv6 groups, for range arithmetic. */
export function ipv6ToBigInt(g: Uint16Array): bigint {
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 16n) | BigInt(g[i]!);
  return v;
}

/** The address as 4 or 16 bytes in network order (mmdb trees and range tables walk bits). */
export function ipToBytes(ip: ParsedIp): Uint8Array {
  if (ip.version === 4) {
    const v = ip.value;
    return Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[i * 2] = ip.groups[i]! >> 8;
    out[i * 2 + 1] = ip.groups[i]! & 0xff;
  }
  return out;
}
