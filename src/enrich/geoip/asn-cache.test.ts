/** Parsed ASN tables cached as a flat binary file: same answers as the CSV, never a damaged or stale table. */
import { mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskCache } from '../../core/index.js';
import { parseIp } from '../../net/index.js';
import { asnSource, openAsnCsv, parseAsnCsv } from './asn-csv.js';
import { decodeAsnTables, encodeAsnTables } from './asn-table-file.js';
import { dataDate, packageDataDate } from './bundled.js';
import type { GeoSource } from './mmdb-source.js';

const CSV =
  '1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."\n' +
  '8.8.4.0,8.8.4.255,15169,Google LLC\n' +
  '5.0.0.0,5.0.0.255,3320,Deutsche Telekom AG\n' + // unsorted on purpose
  '81.2.69.0,81.2.69.255,20712,Andrews & Arnold Ltd\n' +
  '93.184.216.0,93.184.216.255,15133,Édgecast «Ünïcode» 网络\n' +
  '2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,15169,Google LLC\n' +
  '2a00:1450::,2a00:1450:ffff:ffff:ffff:ffff:ffff:ffff,15169,\n';
const PROBES = ['1.0.0.0', '1.0.0.255', '1.0.1.0', '5.0.0.7', '8.8.4.4', '81.2.69.160', '93.184.216.34', '2001:4860::8888', '2a00:1450::1', '2a00:1451::1', '0.0.0.1'];

const answers = (src: GeoSource) => PROBES.map((ip) => src.get(parseIp(ip)!, ip)?.fields.asn ?? null);
const tmp = () => mkdtempSync(join(tmpdir(), 'rampart-asn-'));

describe('ASN table file', () => {
  it('decodes to tables that answer exactly as the parsed CSV', async () => {
    const dir = tmp();
    const csv = join(dir, 'asn.csv');
    writeFileSync(csv, CSV);
    const fromCsv = await openAsnCsv(csv);
    const decoded = decodeAsnTables(encodeAsnTables(parseAsnCsv(CSV, 'asn.csv')));
    expect(decoded).not.toBeNull();
    expect(answers(asnSource(decoded!, csv, null))).toEqual(answers(fromCsv));
    expect(answers(fromCsv)).toContainEqual({ number: 15133, org: 'Édgecast «Ünïcode» 网络' });
    expect(answers(fromCsv)).toContainEqual({ number: 15169 });
  });

  it('refuses damaged files instead of trusting them', () => {
    const good = encodeAsnTables(parseAsnCsv(CSV, 'asn.csv'));
    expect(decodeAsnTables(good.subarray(0, good.length - 1))).toBeNull();
    expect(decodeAsnTables(Buffer.concat([good, Buffer.from([0])]))).toBeNull();
    expect(decodeAsnTables(Buffer.from('not a table at all, really not'))).toBeNull();
    expect(decodeAsnTables(Buffer.alloc(3))).toBeNull();
    const badOrg = Buffer.from(good);
    badOrg.writeUInt32LE(0xffff, 7 * 4 + 3 * 4 * 5); // v4 org[0] (after 5 starts, ends, asn) points past the names
    expect(decodeAsnTables(badOrg)).toBeNull();
    // A copy at an odd offset (not 4-byte aligned) still decodes.
    const odd = Buffer.alloc(good.length + 1);
    good.copy(odd, 1);
    expect(decodeAsnTables(odd.subarray(1))).not.toBeNull();
  });
});

describe('openAsnCsv with a cache', () => {
  it('builds the table once, then reads it from the cache; a changed CSV is parsed again', async () => {
    const dir = tmp();
    const csv = join(dir, 'asn.csv');
    writeFileSync(csv, CSV);
    const cache = new DiskCache(join(dir, 'cache'));
    const first = answers(await openAsnCsv(csv, { cache }));
    const [entry] = readdirSync(cache.dir);
    expect(entry).toMatch(/^asn-[0-9a-f]{40}\.bin$/);
    // Swap another table into the entry: the next open answers from it, so it read the cache, not the CSV.
    cache.write(entry!, encodeAsnTables(parseAsnCsv('1.0.0.0,1.0.0.255,64500,From The Cache\n', 'x.csv')));
    expect((await openAsnCsv(csv, { cache })).get(parseIp('1.0.0.1')!, '1.0.0.1')?.fields.asn).toEqual({ number: 64500, org: 'From The Cache' });
    // The CSV changes (size and time): a new entry, built from the new text.
    writeFileSync(csv, CSV.replace('13335', '13336'));
    utimesSync(csv, new Date(), new Date(Date.now() + 5000));
    const again = await openAsnCsv(csv, { cache });
    expect(again.get(parseIp('1.0.0.1')!, '1.0.0.1')?.fields.asn?.number).toBe(13336);
    expect(readdirSync(cache.dir)).toHaveLength(2);
    expect(answers(again).slice(2)).toEqual(first.slice(2)); // the first two probes are in the changed range
  });

  it('rebuilds over a damaged entry', async () => {
    const dir = tmp();
    const csv = join(dir, 'asn.csv');
    writeFileSync(csv, CSV);
    const cache = new DiskCache(join(dir, 'cache'));
    const want = answers(await openAsnCsv(csv, { cache }));
    const [entry] = readdirSync(cache.dir);
    writeFileSync(join(cache.dir, entry!), 'garbage');
    expect(answers(await openAsnCsv(csv, { cache }))).toEqual(want);
    expect(decodeAsnTables(cache.read(entry!)!)).not.toBeNull();
  });
});

describe('data dates', () => {
  it.each([
    ['2.3.2026061719', '2026-06-17T19:00:00.000Z'],
    ['1.0.2024010100', '2024-01-01T00:00:00.000Z'],
    ['2.3.2026133119', null],
    ['2.3.2026023100', null],
    ['2.3.20260617', null],
    ['2.3.2026061719-beta', null],
  ])('package version %s -> %s', (version, want) => {
    expect(packageDataDate(version)?.toISOString() ?? null).toBe(want);
  });

  it("a packaged file's date is its package version's; any other file's is its modification time", () => {
    const mtime = new Date('2026-12-01T00:00:00Z');
    const dir = tmp();
    expect(dataDate(join(dir, 'asn.csv'), mtime)).toBe(mtime);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@ip-location-db/asn', version: '2.3.2026061719' }));
    expect(dataDate(join(dir, 'asn.csv'), mtime).toISOString()).toBe('2026-06-17T19:00:00.000Z');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'something-else', version: '2.3.2026061719' }));
    expect(dataDate(join(dir, 'asn.csv'), mtime)).toBe(mtime);
  });
});
