/**
 * GeoIP contract. One interface whatever the backing data (MaxMind GeoIP2/GeoLite2 files, the flat
 * ip-location-db files, an optional online service). Private, reserved and bogon addresses are
 * labelled by `kind` and never looked up.
 */
import type { IpClass } from '../../net/index.js';
import type { GeoDatabaseInfo } from './mmdb-source.js';

/** What kind of address: only `public` ones are looked up (src/net/ip-class.ts). */
export type IpKind = IpClass;

export interface GeoResult {
  /** Canonical address (IPv4-mapped IPv6 folded to IPv4). */
  ip: string;
  kind: IpKind;
  country?: { iso: string; name?: string };
  subdivision?: string;
  city?: string;
  location?: { lat: number; lon: number; accuracyKm?: number };
  asn?: { number: number; org?: string };
  /** The database network that matched, as CIDR. */
  network?: string;
  /** Which source answered: file name or `online`. */
  source?: string;
}

export interface GeoLookup {
  /** Never throws for a valid address; throws UnsupportedIocError when `ip` is not an address. */
  lookup(ip: string): Promise<GeoResult>;
  /** The databases opened and checked at start-up (empty for an online-only lookup). */
  databases?(): GeoDatabaseInfo[];
  close?(): Promise<void>;
}

/** The synchronous core, for sources that answer from memory (mmdb, CSV tables). */
export interface SyncGeoLookup {
  /** Never does I/O: cheap enough for the pipeline to annotate every threat. */
  lookupSync(ip: string): GeoResult;
}

/** Which role a database file plays. */
export type GeoRole = 'geo' | 'asn';
