/**
 * CIDR ranges and a set of them with fast membership. IPv4 ranges are merged into sorted integer
 * intervals and searched by bisection; IPv6 ranges the same way over 128-bit BigInt values.
 */
import { formatIp, ipv6ToBigInt, parseIp, parseIpv4, parseIpv6, type ParsedIp } from './ip.js';

export interface Cidr {
  version: 4 | 6;
  /** Canonical network address (host bits cleared). */
  network: string;
  prefix: number;
  /** First and last address, as integers (IPv4 fits a number; IPv6 needs a bigint). */
  first: bigint;
  last: bigint;
}

const MAX_CIDR_TEXT = 64;

function parsePrefix(s: string, max: number): number | null {
  if (s.length === 0 || s.length > 3) return null;
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    v = v * 10 + (c - 48);
  }
  if (s.length > 1 && s.charCodeAt(0) === 48) return null;
  return v <= max ? v : null;
}

/**
 * Parses `a.b.c.d/n`, `v6/n`, or a bare address (a single-host range). Host bits are cleared, so
 * `10.1.2.3/8` means `10.0.0.0/8`. Throws an error naming the text when it is not a CIDR.
 */
export function parseCidr(text: string): Cidr {
  const s = text.trim();
  const fail = (why: string): never => {
    throw new Error(`invalid CIDR "${s.slice(0, MAX_CIDR_TEXT)}": ${why}`);
  };
  if (s.length > MAX_CIDR_TEXT) fail('too long');
  const slash = s.indexOf('/');
  const addrText = slash < 0 ? s : s.slice(0, slash);
  let ip: ParsedIp | null;
  if (addrText.includes(':')) {
    const g = parseIpv6(addrText);
    ip = g === null ? null : { version: 6, groups: g };
  } else {
    const v = parseIpv4(addrText);
    ip = v === null ? null : { version: 4, value: v };
  }
  if (ip === null) return fail(`"${addrText.slice(0, MAX_CIDR_TEXT)}" is not an IPv4 or IPv6 address`);
  const bits = ip.version === 4 ? 32 : 128;
  const prefix = slash < 0 ? bits : parsePrefix(s.slice(slash + 1), bits);
  if (prefix === null) return fail(`prefix length must be 0..${bits}`);
  const value = ip.version === 4 ? BigInt(ip.value) : ipv6ToBigInt(ip.groups);
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  const first = value & ~hostMask;
  const last = first | hostMask;
  const network: ParsedIp =
    ip.version === 4 ? { version: 4, value: Number(first) } : { version: 6, groups: bigIntToGroups(first) };
  return { version: ip.version, network: formatIp(network), prefix, first, last };
}

function bigIntToGroups(v: bigint): Uint16Array {
  const g = new Uint16Array(8);
  for (let i = 7; i >= 0; i--) {
    g[i] = Number(v & 0xffffn);
    v >>= 16n;
  }
  return g;
}

export function formatCidr(c: Cidr): string {
  return `${c.network}/${c.prefix}`;
}

/** Sorts and merges overlapping or adjacent ranges. */
function merge4(ranges: [number, number][]): [number, number][] {
  ranges.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const r of ranges) {
    const prev = out[out.length - 1];
    if (prev !== undefined && r[0] <= prev[1] + 1) prev[1] = Math.max(prev[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

function merge6(ranges: [bigint, bigint][]): [bigint, bigint][] {
  ranges.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const r of ranges) {
    const prev = out[out.length - 1];
    if (prev !== undefined && r[0] <= prev[1] + 1n) {
      if (r[1] > prev[1]) prev[1] = r[1];
    } else {
      out.push([r[0], r[1]]);
    }
  }
  return out;
}

/** Index of the last start <= v, or -1. */
function bisect<T extends number | bigint>(starts: ArrayLike<T>, v: T): number {
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! <= v) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** An immutable set of CIDR ranges of both families. */
export class CidrSet {
  private readonly v4Starts: Float64Array;
  private readonly v4Ends: Float64Array;
  private readonly v6Starts: bigint[];
  private readonly v6Ends: bigint[];
  /** The ranges as given, canonical, for display. */
  readonly cidrs: readonly string[];

  constructor(cidrs: Iterable<string | Cidr>) {
    const v4: [number, number][] = [];
    const v6: [bigint, bigint][] = [];
    const texts: string[] = [];
    for (const item of cidrs) {
      const c = typeof item === 'string' ? parseCidr(item) : item;
      texts.push(formatCidr(c));
      if (c.version === 4) v4.push([Number(c.first), Number(c.last)]);
      else v6.push([c.first, c.last]);
    }
    const m4 = merge4(v4);
    const m6 = merge6(v6);
    this.v4Starts = Float64Array.from(m4, (r) => r[0]);
    this.v4Ends = Float64Array.from(m4, (r) => r[1]);
    this.v6Starts = m6.map((r) => r[0]);
    this.v6Ends = m6.map((r) => r[1]);
    this.cidrs = texts;
  }

  get size(): number {
    return this.cidrs.length;
  }

  /** True when `ip` (any textual form parseIp accepts) lies in one of the ranges; false for non-addresses. */
  contains(ip: string): boolean {
    const parsed = parseIp(ip);
    return parsed !== null && this.containsParsed(parsed);
  }

  containsParsed(ip: ParsedIp): boolean {
    if (ip.version === 4) {
      const i = bisect(this.v4Starts, ip.value);
      return i >= 0 && ip.value <= this.v4Ends[i]!;
    }
    const v = ipv6ToBigInt(ip.groups);
    const i = bisect(this.v6Starts, v);
    return i >= 0 && v <= this.v6Ends[i]!;
  }
}

/**
 * The network of `prefix` bits containing `ip`, as CIDR text (an mmdb answer gives the address and the
 * prefix length of the record that matched). Throws when the prefix is out of range for the family.
 */
export function networkOf(ip: ParsedIp, prefix: number): string {
  const bits = ip.version === 4 ? 32 : 128;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
    throw new Error(`prefix length ${prefix} is out of range 0..${bits} for ${formatIp(ip)}`);
  }
  if (ip.version === 4) {
    const mask = prefix === 0 ? 0 : (-1 << (32 - prefix)) >>> 0;
    return `${formatIp({ version: 4, value: (ip.value & mask) >>> 0 })}/${prefix}`;
  }
  const groups = new Uint16Array(8);
  for (let i = 0; i < 8; i++) {
    const keep = Math.max(0, Math.min(16, prefix - i * 16));
    groups[i] = keep === 0 ? 0 : ip.groups[i]! & ((0xffff << (16 - keep)) & 0xffff);
  }
  return `${formatIp({ version: 6, groups })}/${prefix}`;
}
