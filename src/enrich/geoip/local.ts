/**
 * GeoLookup over in-memory sources (mmdb readers, ASN range tables) with an LRU in front.
 * The first source with geography answers for geography, the first with an ASN for the ASN.
 */
import { LRUCache } from 'lru-cache';
import { classifyIp, formatIp, parseIp } from '../../net/index.js';
import { UnsupportedIocError } from '../errors.js';
import type { GeoDatabaseInfo, GeoSource } from './mmdb-source.js';
import type { GeoLookup, GeoResult, SyncGeoLookup } from './types.js';

export interface LocalGeoOptions {
  /** Entries in the LRU; 0 disables it. Default 100,000. */
  cacheSize?: number;
}

export class LocalGeoLookup implements GeoLookup, SyncGeoLookup {
  private readonly cache: LRUCache<string, GeoResult> | null;
  private readonly geo: GeoSource[];
  private readonly asn: GeoSource[];

  constructor(sources: readonly GeoSource[], opts: LocalGeoOptions = {}) {
    this.geo = sources.filter((s) => s.role === 'geo');
    this.asn = sources.filter((s) => s.role === 'asn');
    const size = opts.cacheSize ?? 100_000;
    this.cache = size > 0 ? new LRUCache<string, GeoResult>({ max: size }) : null;
  }

  /** What was opened, checked at start-up (type, build date, families). */
  databases(): GeoDatabaseInfo[] {
    return [...this.geo, ...this.asn].map((s) => s.info);
  }

  /** The result is shared with the cache: treat it as read-only. */
  lookupSync(ip: string): GeoResult {
    const hit = this.cache?.get(ip);
    if (hit) return hit;
    const result = this.resolve(ip);
    this.cache?.set(ip, result);
    return result;
  }

  lookup(ip: string): Promise<GeoResult> {
    try {
      return Promise.resolve(this.lookupSync(ip));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private resolve(input: string): GeoResult {
    const ip = parseIp(input);
    if (!ip) throw new UnsupportedIocError(JSON.stringify(input.slice(0, 64)), 'not an IP address');
    const text = formatIp(ip);
    // One classifier for the whole product (src/net/ip-class.ts): "public" means the same everywhere.
    const kind = classifyIp(text) ?? 'bogon';
    const result: GeoResult = { ip: text, kind };
    if (kind !== 'public') return result;
    for (const s of this.geo) {
      if (!s.covers.has(ip.version)) continue;
      const hit = s.get(ip, text);
      if (hit) {
        Object.assign(result, hit.fields);
        result.network = hit.network;
        result.source = hit.source;
        break;
      }
    }
    if (!result.asn) {
      for (const s of this.asn) {
        if (!s.covers.has(ip.version)) continue;
        const hit = s.get(ip, text);
        if (hit?.fields.asn) {
          result.asn = hit.fields.asn;
          if (hit.network) result.network ??= hit.network;
          result.source ??= hit.source;
          break;
        }
      }
    }
    return result;
  }
}
