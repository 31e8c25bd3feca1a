/** One opened .mmdb file, checked at open: readable, the expected database type, a valid build date. */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { LRUCache } from 'lru-cache';
import { Reader } from 'maxmind';
import type { ParsedIp } from '../../net/index.js';
import { formatIp, networkOf } from '../../net/index.js';
import { GeoDatabaseError } from '../errors.js';
import { fromRecord } from './layout.js';
import type { GeoResult, GeoRole } from './types.js';

export interface SourceHit {
  /** Shared between hits on the same record: copy, never mutate. */
  fields: Pick<GeoResult, 'country' | 'subdivision' | 'city' | 'location' | 'asn'>;
  network?: string;
  source: string;
}

/** What start-up checked about a database, for /ready, /api/enrichment/status and `rampart lookup`. */
export interface GeoDatabaseInfo {
  /** Base name only: status output is often unauthenticated, full paths stay in the log. */
  file: string;
  role: GeoRole;
  /** The mmdb metadata's databaseType (e.g. `GeoLite2-City`, `city ipv4`), or `ASN ranges (CSV)`. */
  type: string;
  /** ISO 8601: the mmdb build epoch, or a CSV file's modification time. */
  buildDate: string | null;
  families: (4 | 6)[];
  /** Records (mmdb search-tree nodes, or CSV ranges). */
  entries?: number;
}

/** Anything that answers for one address from memory: an mmdb Reader or a CSV range table. */
export interface GeoSource {
  readonly file: string;
  readonly role: GeoRole;
  /** Which address families the source covers. */
  readonly covers: ReadonlySet<4 | 6>;
  readonly info: GeoDatabaseInfo;
  /** `text` is `ip` in canonical form (callers have it already; saves formatting it again). */
  get(ip: ParsedIp, text: string): SourceHit | null;
}

export interface OpenOptions {
  /** Decoded records kept by data offset. Networks share records, so this saves most decoding. */
  dataCacheSize?: number;
}

/** The role a databaseType string implies, or null when it names neither. */
export function roleOf(databaseType: string): GeoRole | null {
  if (/asn|isp/i.test(databaseType)) return 'asn';
  if (/city|country/i.test(databaseType)) return 'geo';
  return null;
}

/**
 * Families a file answers for. A MaxMind IPv6 tree also holds IPv4 (under ::/96), but the flat
 * ip-location-db files come as a pair whose IPv6 half (`city ipv6`) has no IPv4 data: asking it
 * for IPv4 would only waste a tree walk.
 */
function familiesOf(databaseType: string, ipVersion: number): Set<4 | 6> {
  if (ipVersion !== 6) return new Set([4]);
  return /\bipv6\b/i.test(databaseType) ? new Set([6]) : new Set([4, 6]);
}

export async function openMmdb(file: string, role: GeoRole, opts: OpenOptions = {}): Promise<GeoSource> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    throw new GeoDatabaseError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
  }
  return mmdbFromBuffer(buf, file, role, opts);
}

export function mmdbFromBuffer(buf: Buffer, file: string, role: GeoRole, opts: OpenOptions = {}): GeoSource {
  let reader: Reader<Record<string, unknown>>;
  try {
    const cache = new LRUCache<number, object>({ max: opts.dataCacheSize ?? 100_000 });
    reader = new Reader<Record<string, unknown>>(buf, { cache });
  } catch (e) {
    throw new GeoDatabaseError(file, `not a MaxMind DB file (${(e as Error).message})`, { cause: e });
  }
  const { databaseType, buildEpoch, ipVersion } = reader.metadata;
  const actual = roleOf(databaseType);
  if (actual !== role) {
    const want = role === 'asn' ? 'an ASN database' : 'a City or Country database';
    throw new GeoDatabaseError(file, `database type is ${JSON.stringify(databaseType)}, expected ${want}`);
  }
  // An old build is reported once by `serve` (staleDatabaseWarning), not here on every open.
  if (!Number.isFinite(buildEpoch.getTime())) throw new GeoDatabaseError(file, 'metadata has no valid build date');
  const label = basename(file);
  const covers = familiesOf(databaseType, ipVersion);
  const info: GeoDatabaseInfo = {
    file: label,
    role,
    type: databaseType,
    buildDate: buildEpoch.toISOString(),
    families: [...covers],
    entries: reader.metadata.nodeCount,
  };
  // Decoded records are shared (data cache above), so their mapping to GeoResult fields is too.
  const mapped = new WeakMap<object, ReturnType<typeof fromRecord>>();
  return {
    file: label,
    role,
    covers,
    info,
    get(ip, text = formatIp(ip)) {
      const [rec, prefix] = reader.getWithPrefixLength(text);
      if (!rec) return null;
      let fields = mapped.get(rec);
      if (!fields) mapped.set(rec, (fields = fromRecord(rec)));
      return { fields, network: networkOf(ip, prefix), source: label };
    },
  };
}
