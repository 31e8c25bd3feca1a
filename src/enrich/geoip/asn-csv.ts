/**
 * ASN ranges from CSV: the @ip-location-db/asn layout, `start,end,as_number,as_organization`,
 * inclusive ranges, one file per family, with addresses as text (asn-ipv4.csv) or as decimal
 * integers (asn-*-num.csv). The shipped files hold about 515,000 ranges, so rows are parsed in place
 * straight into typed arrays (IPv4 bounds as one 32-bit word, IPv6 as four) with organisation names
 * deduplicated and referenced by index: no object per row, a few MiB resident. Searched by bisection.
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { DiskCache } from '../../core/index.js';
import type { ParsedIp } from '../../net/index.js';
import { parseIpv4, parseIpv6 } from '../../net/index.js';
import { GeoDatabaseError } from '../errors.js';
import { decodeAsnTables, encodeAsnTables } from './asn-table-file.js';
import { dataDate } from './bundled.js';
import type { GeoDatabaseInfo, GeoSource } from './mmdb-source.js';

/** Splits one CSV line with optional double-quoted fields (org names contain commas). */
export function splitCsv(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else v += line[i++];
      }
      out.push(v);
      i++; // comma
    } else {
      const next = line.indexOf(',', i);
      const end = next < 0 ? line.length : next;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

/** Growable Uint32Array: rows go straight into typed memory, never through per-row objects. */
export class U32Builder {
  private buf = new Uint32Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const bigger = new Uint32Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.length++] = v;
  }
  done(): Uint32Array {
    return this.buf.slice(0, this.length);
  }
}

/** Compares `width` words of a at ai with b at bi (lexicographic = numeric order of addresses). */
function cmp(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number, width: number): number {
  for (let k = 0; k < width; k++) {
    const d = a[ai + k]! - b[bi + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** One family's ranges, sorted by start; each bound is `width` 32-bit words (1 for IPv4, 4 for IPv6). */
export class RangeTable {
  constructor(
    readonly starts: Uint32Array,
    readonly ends: Uint32Array,
    readonly asn: Uint32Array,
    readonly org: Uint32Array,
    readonly width: 1 | 4,
  ) {}

  static fromBuilders(b: { starts: U32Builder; ends: U32Builder; asn: U32Builder; org: U32Builder }, width: 1 | 4): RangeTable {
    const starts = b.starts.done();
    const ends = b.ends.done();
    const asn = b.asn.done();
    const org = b.org.done();
    const n = asn.length;
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) sorted = cmp(starts, (i - 1) * width, starts, i * width, width) <= 0;
    // The shipped files are sorted: no permutation, no copy.
    if (sorted) return new RangeTable(starts, ends, asn, org, width);
    const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => cmp(starts, x * width, starts, y * width, width));
    const t = new RangeTable(new Uint32Array(n * width), new Uint32Array(n * width), new Uint32Array(n), new Uint32Array(n), width);
    order.forEach((from, i) => {
      t.starts.set(starts.subarray(from * width, from * width + width), i * width);
      t.ends.set(ends.subarray(from * width, from * width + width), i * width);
      t.asn[i] = asn[from]!;
      t.org[i] = org[from]!;
    });
    return t;
  }

  get size(): number {
    return this.asn.length;
  }

  /** Index of the last range starting at or before `key`, if it also ends at or after it; else -1. */
  find(key: ArrayLike<number>): number {
    const w = this.width;
    let lo = 0;
    let hi = this.asn.length - 1;
    let hit = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp(this.starts, mid * w, key, 0, w) <= 0) {
        hit = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return hit >= 0 && cmp(this.ends, hit * w, key, 0, w) >= 0 ? hit : -1;
  }
}

const builders = () => ({ starts: new U32Builder(), ends: new U32Builder(), asn: new U32Builder(), org: new U32Builder() });
const V4_MAX = 0xffffffffn;

/** Decimal digits of s[from, to) as a number when ≤ 2^32 - 1 (IPv4 in the -num files), else -1. */
function smallDecimal(s: string, from: number, to: number): number {
  if (to - from < 1 || to - from > 10) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v <= 0xffffffff ? v : -1;
}

/**
 * Pushes one bound (text address or decimal) as words; returns its family, or 0 when it is neither.
 * Parses in place (start/end offsets): no substring per field on the hot path of start-up.
 */
function pushBound(s: string, from: number, to: number, out: { v4: U32Builder; v6: U32Builder }): 0 | 4 | 6 {
  const n = smallDecimal(s, from, to);
  if (n >= 0) return (out.v4.push(n), 4);
  const v4 = parseIpv4(s, from, to);
  if (v4 !== null) return (out.v4.push(v4), 4);
  let groups = parseIpv6(s, from, to);
  if (groups === null && /^\d{11,39}$/.test(s.slice(from, to))) {
    const big = BigInt(s.slice(from, to));
    if (big > V4_MAX && big >> 128n === 0n) {
      groups = new Uint16Array(8);
      for (let k = 0; k < 8; k++) groups[k] = Number((big >> BigInt(112 - 16 * k)) & 0xffffn);
    }
  }
  if (groups === null) return 0;
  for (let k = 0; k < 8; k += 2) out.v6.push(groups[k]! * 65536 + groups[k + 1]!);
  return 6;
}

/** Organisation names, referenced by index from the tables. */
export interface OrgNames {
  readonly count: number;
  name(index: number): string;
}

/** Both families' ranges and the names they point to: what the CSV is parsed into and what is cached. */
export interface AsnTables {
  v4: RangeTable;
  v6: RangeTable;
  orgs: OrgNames;
}

export interface AsnCsvOptions {
  /** Shown as the database's build date (see openAsnCsv). */
  buildDate?: Date | null;
  /**
   * The text holds the file's raw bytes as Latin-1 characters (how openAsnCsv reads it): one byte per
   * character instead of UTF-16, and organisation names are decoded from UTF-8 one by one.
   */
  latin1Bytes?: boolean;
}

/** Parses the CSV text into sorted range tables (throws naming the file and line of a bad row). */
export function parseAsnCsv(text: string, file: string, opts: Pick<AsnCsvOptions, 'latin1Bytes'> = {}): AsnTables {
  const b4 = builders();
  const b6 = builders();
  const orgs: string[] = [];
  const orgIndex = new Map<string, number>();
  const fail = (lineNo: number, line: string): never => {
    throw new GeoDatabaseError(file, `line ${lineNo}: expected start,end,asn,org, got ${JSON.stringify(line.slice(0, 80))}`);
  };
  let lineNo = 0;
  let from = 0;
  while (from < text.length) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    const lineStart = from;
    let lineEnd = to;
    from = to + 1;
    lineNo++;
    if (lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === 13) lineEnd--; // CRLF
    if (lineEnd === lineStart || text.charCodeAt(lineStart) === 35 || text.startsWith('ip_range_start', lineStart)) continue;
    const c1 = text.indexOf(',', lineStart);
    const c2 = c1 < 0 ? -1 : text.indexOf(',', c1 + 1);
    const c3 = c2 < 0 ? -1 : text.indexOf(',', c2 + 1);
    if (c1 < 0 || c2 < 0 || c1 >= lineEnd || c2 >= lineEnd) fail(lineNo, text.slice(lineStart, lineEnd));
    const asnEnd = c3 < 0 || c3 > lineEnd ? lineEnd : c3;
    const asn = smallDecimal(text, c2 + 1, asnEnd);
    const startSink = { v4: b4.starts, v6: b6.starts };
    const endSink = { v4: b4.ends, v6: b6.ends };
    const fs = pushBound(text, lineStart, c1, startSink);
    const fe = fs === 0 ? 0 : pushBound(text, c1 + 1, c2, endSink);
    if (fs === 0 || fe !== fs || asn < 0) fail(lineNo, text.slice(lineStart, lineEnd));
    const rawOrg = asnEnd < lineEnd ? text.slice(asnEnd + 1, lineEnd) : '';
    const quotedOrg = rawOrg.startsWith('"') ? (splitCsv(rawOrg)[0] ?? '') : rawOrg;
    // A fresh string either way: a slice would keep the whole file text alive for the process's life.
    const org = opts.latin1Bytes ? Buffer.from(quotedOrg, 'latin1').toString('utf8') : flat(quotedOrg);
    let o = orgIndex.get(org);
    if (o === undefined) {
      o = orgs.push(org) - 1;
      orgIndex.set(org, o);
    }
    const t = fs === 4 ? b4 : b6;
    t.asn.push(asn);
    t.org.push(o);
  }
  return { v4: RangeTable.fromBuilders(b4, 1), v6: RangeTable.fromBuilders(b6, 4), orgs: { count: orgs.length, name: (i) => orgs[i] ?? '' } };
}

export function asnTableFromCsv(text: string, file: string, opts: AsnCsvOptions = {}): GeoSource {
  return asnSource(parseAsnCsv(text, file, opts), file, opts.buildDate ?? null);
}

/** A GeoSource over parsed (or cached) tables. */
export function asnSource(tables: AsnTables, file: string, buildDate: Date | null): GeoSource {
  const { v4: t4, v6: t6, orgs } = tables;
  const label = basename(file);
  const covers = new Set<4 | 6>();
  if (t4.size) covers.add(4);
  if (t6.size) covers.add(6);
  if (covers.size === 0) throw new GeoDatabaseError(file, 'no ASN ranges found');
  const info: GeoDatabaseInfo = {
    file: label,
    role: 'asn',
    type: 'ASN ranges (CSV)',
    buildDate: buildDate ? buildDate.toISOString() : null,
    families: [...covers],
    entries: t4.size + t6.size,
  };
  const key4 = new Uint32Array(1);
  const key6 = new Uint32Array(4);
  return {
    file: label,
    role: 'asn',
    covers,
    info,
    get(ip: ParsedIp) {
      let i: number;
      let table: RangeTable;
      if (ip.version === 4) {
        key4[0] = ip.value;
        table = t4;
        i = t4.find(key4);
      } else {
        for (let k = 0; k < 4; k++) key6[k] = ip.groups[k * 2]! * 65536 + ip.groups[k * 2 + 1]!;
        table = t6;
        i = t6.find(key6);
      }
      if (i < 0) return null;
      const org = orgs.name(table.org[i]!);
      return { fields: { asn: { number: table.asn[i]!, ...(org ? { org } : {}) } }, source: label };
    },
  };
}

/** A copy that does not share memory with the string it came from. */
function flat(s: string): string {
  return s.length === 0 ? '' : Buffer.from(s, 'utf8').toString('utf8');
}

/** Bumped when the cached table layout (asn-table-file.ts) changes. */
const TABLE_FORMAT = 1;

export interface OpenAsnOptions {
  /** Keeps the parsed tables between runs, keyed by the file's path, size and modification time. */
  cache?: DiskCache;
}

/**
 * Opens an ASN CSV: from the cache when a table built from this very file is there (milliseconds),
 * else by parsing it (about a second for the shipped files) and caching the result. The build date
 * shown is the data's date (dataDate), not when the file was installed.
 */
export async function openAsnCsv(file: string, opts: OpenAsnOptions = {}): Promise<GeoSource> {
  let st: Stats;
  try {
    st = await stat(file);
  } catch (e) {
    throw new GeoDatabaseError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
  }
  const buildDate = dataDate(file, st.mtime);
  const name = `asn-${createHash('sha256').update(JSON.stringify([TABLE_FORMAT, resolve(file), st.size, st.mtimeMs])).digest('hex').slice(0, 40)}.bin`;
  const cached = opts.cache?.read(name);
  const tables = cached ? decodeAsnTables(cached) : null;
  if (tables) return asnSource(tables, file, buildDate);
  let text: string;
  try {
    text = await readFile(file, 'latin1');
  } catch (e) {
    throw new GeoDatabaseError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
  }
  const parsed = parseAsnCsv(text, file, { latin1Bytes: true });
  const source = asnSource(parsed, file, buildDate);
  opts.cache?.write(name, encodeAsnTables(parsed));
  return source;
}
