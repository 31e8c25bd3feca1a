import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIp } from '../../net/index.js';
import { geoAnnotator } from '../../pipeline/index.js';
import { makeEvent, makeThreat } from '../../store/testing/fixtures.js';
import { asnTableFromCsv } from './asn-csv.js';
import { packageDataDate } from './bundled.js';
import { bundledGeoFiles, openGeoLookup, resolveGeoFiles } from './index.js';

const shipped = bundledGeoFiles();

describe('ASN CSV layouts', () => {
  it('reads decimal bounds (asn-*-num.csv), quoted names, CRLF and unsorted rows', () => {
    const csv = '16778240,16779263,38803,Gtelecom Pty Ltd\r\n16777216,16777471,13335,"Cloudflare, Inc."\r\n' +
      '42540488161975842760550356425300246528,42540488241204005274814694018844196863,6939,Hurricane Electric LLC\n';
    const t = asnTableFromCsv(csv, 'asn-num.csv');
    const at = (ip: string) => t.get(parseIp(ip)!, ip)?.fields.asn;
    expect(at('1.0.0.1')).toEqual({ number: 13335, org: 'Cloudflare, Inc.' });
    expect(at('1.0.4.9')).toEqual({ number: 38803, org: 'Gtelecom Pty Ltd' });
    expect(at('1.0.2.1')).toBeUndefined();
    expect(at('2001::1')).toEqual({ number: 6939, org: 'Hurricane Electric LLC' });
    expect(t.info).toMatchObject({ role: 'asn', type: 'ASN ranges (CSV)', families: [4, 6], entries: 3 });
  });

  it('names the file and line of a bad row', () => {
    expect(() => asnTableFromCsv('1.0.0.0,1.0.0.255,13335,x\n1.0.1.0,2001::,1,y\n', 'asn.csv')).toThrow(/asn\.csv: line 2: expected start,end,asn,org/);
  });
});

describe('resolveGeoFiles', () => {
  const pkg = () => ({ cityFiles: ['city4', 'city6'], asnFiles: ['asn4', 'asn6'] });
  it('uses the shipped files for a role nothing is configured for', () => {
    expect(resolveGeoFiles({ cityFiles: [], asnFiles: [], bundled: true }, pkg)).toEqual({ cityFiles: ['city4', 'city6'], countryFiles: [], asnFiles: ['asn4', 'asn6'] });
    expect(resolveGeoFiles({ cityFiles: ['mine.mmdb'], asnFiles: [], bundled: true }, pkg)).toEqual({ cityFiles: ['mine.mmdb'], countryFiles: [], asnFiles: ['asn4', 'asn6'] });
    expect(resolveGeoFiles({ cityFiles: [], countryFiles: ['c.mmdb'], asnFiles: ['a.mmdb'], bundled: true }, pkg)).toEqual({ cityFiles: [], countryFiles: ['c.mmdb'], asnFiles: ['a.mmdb'] });
    expect(resolveGeoFiles({ cityFiles: [], asnFiles: [], bundled: false }, pkg)).toEqual({ cityFiles: [], countryFiles: [], asnFiles: [] });
  });
});

describe.skipIf(shipped.cityFiles.length === 0 || shipped.asnFiles.length === 0)('the shipped @ip-location-db databases', () => {
  it('open with their real types, answer both families, and annotate threats', async () => {
    const { local } = await openGeoLookup({ ...shipped, cacheSize: 100, maxAgeDays: 3650, online: { enabled: false, baseUrl: 'http://127.0.0.1:9', perMinute: 1, timeoutMs: 100 } });
    expect(local.databases().map((d) => [d.type, d.families])).toEqual([
      ['city ipv4', [4]],
      ['city ipv6', [6]],
      ['ASN ranges (CSV)', [4]],
      ['ASN ranges (CSV)', [6]],
    ]);
    // The ASN data's date is its package version's (2.3.YYYYMMDDHH), not when npm wrote the file.
    const asnPkg = JSON.parse(readFileSync(join(dirname(shipped.asnFiles[0]!), 'package.json'), 'utf8')) as { version: string };
    const asnDates = local.databases().filter((d) => d.role === 'asn').map((d) => d.buildDate);
    expect(asnDates).toEqual([packageDataDate(asnPkg.version)!.toISOString(), packageDataDate(asnPkg.version)!.toISOString()]);
    expect(local.lookupSync('81.2.69.160')).toMatchObject({ kind: 'public', country: { iso: 'GB', name: 'United Kingdom' }, asn: { number: 20712 } });
    expect(local.lookupSync('::ffff:81.2.69.160')).toMatchObject({ ip: '81.2.69.160', country: { iso: 'GB' } });
    expect(local.lookupSync('2a00:1450:4001:80b::200e')).toMatchObject({ country: { iso: 'DE' }, asn: { number: 15169 } });
    expect(local.lookupSync('192.168.1.1')).toEqual({ ip: '192.168.1.1', kind: 'private' });

    const threats = [makeThreat(makeEvent('a', { ip: '81.2.69.160' })), makeThreat(makeEvent('b', { ip: '127.0.0.1' })), makeThreat(makeEvent('c', { ip: 'host.example' }))];
    geoAnnotator(local)(threats);
    expect(threats[0]!.geo).toMatchObject({ kind: 'public', country: 'GB', countryName: 'United Kingdom', city: 'Bracknell', asn: 20712, asOrg: 'Andrews & Arnold Ltd' });
    expect(threats[1]!.geo).toEqual({ kind: 'loopback' });
    expect(threats[2]!.geo).toBeUndefined();
  });
});
