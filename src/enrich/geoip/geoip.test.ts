import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeoDatabaseError, UnsupportedIocError } from '../errors.js';
import { FallbackGeoLookup, LocalGeoLookup, OnlineGeoLookup, asnTableFromCsv, mmdbFromBuffer, openGeoLookup, staleDatabaseWarning } from './index.js';
import { ASN_CSV_V4, ASN_CSV_V6, flatCityV4, flatCityV6, nestedAsn, nestedCity } from './testing/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'rampart-geo-'));
const file = (name: string, data: Buffer | string) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};
const offline = { enabled: false, baseUrl: '', perMinute: 45, timeoutMs: 1000 };

describe('GeoIP over MaxMind (nested) files', () => {
  const geo = new LocalGeoLookup([mmdbFromBuffer(nestedCity(), 'City.mmdb', 'geo'), mmdbFromBuffer(nestedAsn(), 'ASN.mmdb', 'asn')]);

  it('answers IPv4 with the most specific network', () => {
    expect(geo.lookupSync('81.2.69.170')).toEqual({
      ip: '81.2.69.170',
      kind: 'public',
      country: { iso: 'GB', name: 'United Kingdom' },
      city: 'Boxford',
      subdivision: 'West Berkshire',
      location: { lat: 51.75, lon: -1.25, accuracyKm: 20 },
      asn: { number: 20712, org: 'Andrews & Arnold Ltd' },
      network: '81.2.69.160/27',
      source: 'City.mmdb',
    });
    expect(geo.lookupSync('81.2.69.1').city).toBe('London');
  });

  it('answers IPv6', () => {
    const r = geo.lookupSync('2a02:8070:1::5');
    expect(r).toMatchObject({ country: { iso: 'DE' }, city: 'Berlin', asn: { number: 31334 }, network: '2a02:8070::/32' });
  });

  it('folds IPv4-mapped IPv6 to IPv4', () => {
    expect(geo.lookupSync('::ffff:81.2.69.170')).toMatchObject({ ip: '81.2.69.170', city: 'Boxford' });
  });

  it('country-only records give a country without a city', () => {
    const r = geo.lookupSync('89.160.20.129');
    expect(r.country).toEqual({ iso: 'SE', name: 'Sweden' });
    expect(r.city).toBeUndefined();
  });

  it('not found → public, nothing else', () => {
    expect(geo.lookupSync('5.5.5.5')).toEqual({ ip: '5.5.5.5', kind: 'public' });
  });

  it('labels private and reserved space without looking it up', () => {
    expect(geo.lookupSync('192.168.1.1')).toEqual({ ip: '192.168.1.1', kind: 'private' });
    expect(geo.lookupSync('::1')).toEqual({ ip: '::1', kind: 'loopback' });
    expect(geo.lookupSync('::ffff:10.0.0.1')).toEqual({ ip: '10.0.0.1', kind: 'private' });
  });

  it('rejects what is not an address', async () => {
    await expect(geo.lookup('example.com')).rejects.toBeInstanceOf(UnsupportedIocError);
  });
});

describe('GeoIP over ip-location-db (flat) files', () => {
  it('reads the ipv4/ipv6 pair and the ASN CSVs', async () => {
    const { lookup } = await openGeoLookup({
      cityFiles: [file('geolite2-city-ipv4.mmdb', flatCityV4()), file('geolite2-city-ipv6.mmdb', flatCityV6())],
      asnFiles: [file('asn-ipv4.csv', ASN_CSV_V4), file('asn-ipv6.csv', ASN_CSV_V6)],
      cacheSize: 100,
      maxAgeDays: 60,
      online: offline,
    });
    expect(await lookup.lookup('1.0.0.1')).toEqual({
      ip: '1.0.0.1',
      kind: 'public',
      country: { iso: 'AU', name: 'Australia' }, // flat files carry the code only: the name comes from ICU
      subdivision: 'Queensland',
      city: 'South Brisbane',
      location: { lat: -27.4766, lon: 153.0166 },
      asn: { number: 13335, org: 'Cloudflare, Inc.' },
      network: '1.0.0.0/24',
      source: 'geolite2-city-ipv4.mmdb',
    });
    expect(await lookup.lookup('2001:4860:4860::8888')).toMatchObject({ country: { iso: 'US' }, asn: { number: 15169, org: 'Google LLC' }, network: '2001:4860::/32' });
    expect(await lookup.lookup('::ffff:8.8.4.4')).toMatchObject({ ip: '8.8.4.4', asn: { number: 15169 } });
    expect(await lookup.lookup('8.8.9.1')).toEqual({ ip: '8.8.9.1', kind: 'public' });
  });

  it('ASN CSV: inclusive bounds, gaps, bad lines named', () => {
    const t = asnTableFromCsv(ASN_CSV_V4, 'asn-ipv4.csv');
    const at = (ip: string) => new LocalGeoLookup([t], { cacheSize: 0 }).lookupSync(ip).asn?.number;
    expect(at('1.0.0.0')).toBe(13335);
    expect(at('1.0.0.255')).toBe(13335);
    expect(at('1.0.1.0')).toBeUndefined();
    expect(at('8.8.4.4')).toBe(15169);
    expect(() => asnTableFromCsv('1.2.3.4,zzz,1,x', 'asn.csv')).toThrow(/asn.csv: line 1/);
  });
});

describe('database checks at open', () => {
  it('a City file where an ASN file is expected names both', async () => {
    const p = file('GeoLite2-City.mmdb', nestedCity());
    const err = await openGeoLookup({ cityFiles: [], asnFiles: [p], cacheSize: 0, maxAgeDays: 60, online: offline }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GeoDatabaseError);
    expect((err as Error).message).toContain(p);
    expect((err as Error).message).toMatch(/"GeoLite2-City", expected an ASN database/);
  });

  it('an ASN file where a City file is expected', () => {
    expect(() => mmdbFromBuffer(nestedAsn(), 'x.mmdb', 'geo')).toThrow(/"GeoLite2-ASN", expected a City or Country database/);
  });

  it('a file that is not an mmdb, and a missing file', async () => {
    expect(() => mmdbFromBuffer(Buffer.from('hello'), 'junk.mmdb', 'geo')).toThrow(/junk.mmdb: not a MaxMind DB/);
    await expect(openGeoLookup({ cityFiles: [join(dir, 'nope.mmdb')], asnFiles: [], cacheSize: 0, maxAgeDays: 60, online: offline })).rejects.toThrow(/nope.mmdb: cannot read \(ENOENT\)/);
  });

  it('names every stale database in one warning, and says nothing when none is', () => {
    const now = Date.now();
    const old = mmdbFromBuffer(nestedCity(Math.floor(now / 1000) - 400 * 86_400), 'old.mmdb', 'geo').info;
    const fresh = mmdbFromBuffer(nestedCity(Math.floor(now / 1000) - 10 * 86_400), 'fresh.mmdb', 'geo').info;
    const asn = { ...old, file: 'asn-ipv4-num.csv', buildDate: new Date(now - 61 * 86_400_000).toISOString() };
    const undated = { ...old, file: 'mine.csv', buildDate: null };
    const warning = staleDatabaseWarning([old, fresh, asn, undated], 60, now);
    expect(warning).toMatch(/^geoip data older than 60 days: old\.mmdb \(built \d{4}-\d\d-\d\d, 400 days ago\), asn-ipv4-num\.csv \(built .*, 61 days ago\); update/);
    expect(warning).not.toContain('fresh.mmdb');
    expect(staleDatabaseWarning([fresh, undated], 60, now)).toBeNull();
  });
});

describe('LRU in front', () => {
  it('serves repeats from the cache', () => {
    const src = mmdbFromBuffer(nestedCity(), 'City.mmdb', 'geo');
    let calls = 0;
    const counting = { ...src, get: (...a: Parameters<typeof src.get>) => (calls++, src.get(...a)) };
    const geo = new LocalGeoLookup([counting], { cacheSize: 10 });
    geo.lookupSync('81.2.69.1');
    geo.lookupSync('81.2.69.1');
    expect(calls).toBe(1);
  });
});

describe('online fallback (ip-api.com shape)', () => {
  let base = '';
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    const ip = decodeURIComponent((req.url ?? '').split('?')[0]!.replace('/json/', ''));
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('X-Rl', '44');
    res.setHeader('X-Ttl', '60');
    if (ip === '9.9.9.9') {
      res.end(JSON.stringify({ status: 'success', country: 'Switzerland', countryCode: 'CH', regionName: 'Zurich', city: 'Zurich', lat: 47.37, lon: 8.54, isp: 'Quad9', org: 'Quad9', as: 'AS19281 Quad9', query: ip }));
    } else res.end(JSON.stringify({ status: 'fail', message: 'reserved range', query: ip }));
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('fills what local data lacks, never for private space, within its per-minute budget', async () => {
    const local = new LocalGeoLookup([mmdbFromBuffer(nestedCity(), 'City.mmdb', 'geo')]);
    const geo = new FallbackGeoLookup(local, new OnlineGeoLookup({ baseUrl: base, perMinute: 2 }));
    expect(await geo.lookup('9.9.9.9')).toMatchObject({ country: { iso: 'CH', name: 'Switzerland' }, city: 'Zurich', asn: { number: 19281, org: 'Quad9' }, source: 'online' });
    expect(await geo.lookup('10.0.0.1')).toEqual({ ip: '10.0.0.1', kind: 'private' });
    expect(await geo.lookup('4.4.4.4')).toEqual({ ip: '4.4.4.4', kind: 'public' });
    expect(hits).toBe(2);
    expect(await geo.lookup('9.9.9.9')).toEqual({ ip: '9.9.9.9', kind: 'public' }); // budget of 2/min spent
    expect(hits).toBe(2);
  });

  it('answers without geography when the service is unreachable', async () => {
    const warnings: string[] = [];
    const geo = new OnlineGeoLookup({ baseUrl: 'http://127.0.0.1:1', onWarning: (m) => warnings.push(m) });
    expect(await geo.enrich({ ip: '9.9.9.9', kind: 'public' })).toEqual({ ip: '9.9.9.9', kind: 'public' });
    expect(warnings[0]).toMatch(/online geoip 9.9.9.9/);
  });
});
