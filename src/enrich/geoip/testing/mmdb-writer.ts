/**
 * A minimal MaxMind DB writer for tests and benchmarks (MaxMind DB format 2.0): a binary search tree,
 * the 16-byte separator, a data section and the metadata. It encodes maps, strings, unsigned and
 * signed integers, doubles, booleans and arrays — enough to produce GeoIP2-style and flat
 * ip-location-db-style files with known answers. Not for production databases.
 */
import { ipToBytes, parseIp } from '../../../net/index.js';

export type MmdbValue = string | number | bigint | boolean | MmdbValue[] | { [key: string]: MmdbValue };

export interface MmdbSpec {
  ipVersion: 4 | 6;
  databaseType: string;
  recordSize?: 24 | 32;
  /** Seconds since the epoch, or a Date. Default: now. */
  buildEpoch?: number | Date;
  languages?: string[];
  description?: Record<string, string>;
  /** CIDR → record. Overlaps are allowed; a more specific network wins where it applies. */
  networks: Iterable<readonly [cidr: string, data: MmdbValue]>;
}

const METADATA_MARKER = Buffer.from([0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com')]);

class DataWriter {
  private chunks: Buffer[] = [];
  private size = 0;
  private seen = new Map<string, number>();

  /** Writes (or reuses) a value and returns its offset in the data section. */
  add(value: MmdbValue): number {
    const key = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    const known = this.seen.get(key);
    if (known !== undefined) return known;
    const buf = encode(value);
    const offset = this.size;
    this.chunks.push(buf);
    this.size += buf.length;
    this.seen.set(key, offset);
    return offset;
  }

  buffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function control(type: number, size: number): Buffer {
  const parts: number[] = [];
  let first: number;
  let ext: number[] = [];
  if (size < 29) first = size;
  else if (size < 29 + 256) {
    first = 29;
    ext = [size - 29];
  } else if (size < 285 + 65536) {
    first = 30;
    const n = size - 285;
    ext = [n >> 8, n & 0xff];
  } else {
    first = 31;
    const n = size - 65821;
    ext = [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  }
  if (type <= 7) parts.push((type << 5) | first);
  else parts.push(first, type - 7);
  return Buffer.from([...parts, ...ext]);
}

function uintBytes(n: bigint): Buffer {
  const out: number[] = [];
  while (n > 0n) {
    out.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  return Buffer.from(out);
}

export function encode(value: MmdbValue): Buffer {
  if (typeof value === 'string') {
    const b = Buffer.from(value, 'utf8');
    return Buffer.concat([control(2, b.length), b]);
  }
  if (typeof value === 'boolean') return control(14, value ? 1 : 0);
  if (typeof value === 'bigint') {
    const b = uintBytes(value);
    return Buffer.concat([control(value >= 1n << 64n ? 10 : 9, b.length), b]);
  }
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= 0xffffffff) {
      const b = uintBytes(BigInt(value));
      return Buffer.concat([control(value <= 0xffff ? 5 : 6, b.length), b]);
    }
    if (Number.isInteger(value) && value < 0 && value >= -0x80000000) {
      const b = Buffer.alloc(4);
      b.writeInt32BE(value);
      return Buffer.concat([control(8, 4), b]);
    }
    const b = Buffer.alloc(8);
    b.writeDoubleBE(value);
    return Buffer.concat([control(3, 8), b]);
  }
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encode)]);
  const entries = Object.entries(value);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([k, v]) => [encode(k), encode(v)])]);
}

/** A tree record: another node, a data offset, or nothing. */
type Ref = { node: number } | { data: number } | null;

export function writeMmdb(spec: MmdbSpec): Buffer {
  const recordSize = spec.recordSize ?? 32;
  const bits = spec.ipVersion === 6 ? 128 : 32;
  const data = new DataWriter();
  const nodes: [Ref, Ref][] = [[null, null]];

  const entries = [...spec.networks].map(([cidr, value]) => {
    const [addr, len] = cidr.split('/');
    const ip = parseIp(addr ?? '');
    if (!ip) throw new Error(`mmdb-writer: bad network ${cidr}`);
    let prefix = Number(len ?? (ip.version === 4 ? 32 : 128));
    let bytes = ipToBytes(ip);
    if (ip.version === 4 && spec.ipVersion === 6) {
      // IPv4 lives at ::a.b.c.d/96+n in an IPv6 tree.
      bytes = new Uint8Array(16);
      bytes.set(ipToBytes(ip), 12);
      prefix += 96;
    } else if (ip.version === 6 && spec.ipVersion === 4) {
      throw new Error(`mmdb-writer: IPv6 network ${cidr} in an IPv4 database`);
    }
    return { bytes, prefix, value };
  });
  // Less specific first, so a more specific network splits an existing record.
  entries.sort((a, b) => a.prefix - b.prefix);

  for (const { bytes, prefix, value } of entries) {
    if (prefix < 1 || prefix > bits) throw new Error(`mmdb-writer: prefix ${prefix} out of range`);
    const offset = data.add(value);
    let node = 0;
    for (let depth = 0; depth < prefix - 1; depth++) {
      const bit = (bytes[depth >> 3]! >> (7 - (depth & 7))) & 1;
      const rec = nodes[node]![bit]!;
      if (rec !== null && 'node' in rec) {
        node = rec.node;
        continue;
      }
      const child = nodes.length;
      nodes.push([rec, rec]); // an existing data record covers both halves until split further
      nodes[node]![bit] = { node: child };
      node = child;
    }
    const bit = (bytes[(prefix - 1) >> 3]! >> (7 - ((prefix - 1) & 7))) & 1;
    setLeaves(nodes, node, bit, offset);
  }

  const nodeCount = nodes.length;
  const dataBuf = data.buffer();
  const recordValue = (r: Ref): number => (r === null ? nodeCount : 'node' in r ? r.node : nodeCount + 16 + r.data);
  const maxValue = nodeCount + 16 + dataBuf.length;
  if (recordSize === 24 && maxValue >= 1 << 24) throw new Error('mmdb-writer: too large for 24-bit records');
  const nodeBytes = (recordSize * 2) / 8;
  const tree = Buffer.alloc(nodeCount * nodeBytes);
  nodes.forEach(([l, r], i) => {
    const at = i * nodeBytes;
    if (recordSize === 32) {
      tree.writeUInt32BE(recordValue(l), at);
      tree.writeUInt32BE(recordValue(r), at + 4);
    } else {
      tree.writeUIntBE(recordValue(l), at, 3);
      tree.writeUIntBE(recordValue(r), at + 3, 3);
    }
  });

  const epoch = spec.buildEpoch instanceof Date ? Math.floor(spec.buildEpoch.getTime() / 1000) : (spec.buildEpoch ?? Math.floor(Date.now() / 1000));
  const metadata = encode({
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: BigInt(epoch),
    database_type: spec.databaseType,
    description: spec.description ?? { en: `${spec.databaseType} test database` },
    ip_version: spec.ipVersion,
    languages: spec.languages ?? ['en'],
    node_count: nodeCount,
    record_size: recordSize,
  });
  return Buffer.concat([tree, Buffer.alloc(16), dataBuf, METADATA_MARKER, metadata]);
}

/** Points the record, and any data-only subtree below it that a less specific network left, at `offset`. */
function setLeaves(nodes: [Ref, Ref][], node: number, bit: number, offset: number): void {
  const rec = nodes[node]![bit]!;
  if (rec !== null && 'node' in rec) {
    // A more specific network was inserted first (cannot happen after sorting, kept for safety).
    fill(nodes, rec.node, offset);
    return;
  }
  nodes[node]![bit] = { data: offset };
}

function fill(nodes: [Ref, Ref][], node: number, offset: number): void {
  for (const bit of [0, 1] as const) {
    const rec = nodes[node]![bit]!;
    if (rec !== null && 'node' in rec) fill(nodes, rec.node, offset);
    else if (rec === null) nodes[node]![bit] = { data: offset };
  }
}
