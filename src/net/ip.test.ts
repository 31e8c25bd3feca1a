import { describe, expect, it } from 'vitest';
import { ipToBytes, ipVersion, isIp, normaliseIp, parseIp } from './ip.js';

describe('normaliseIp', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    ['255.255.255.255', '255.255.255.255'],
    ['0.0.0.0', '0.0.0.0'],
    [' 1.2.3.4 ', '1.2.3.4'],
    ['1.2.3.4:5678', '1.2.3.4'],
    ['[::1]:80', '::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['[fe80::1%25en0]:443', 'fe80::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'], // longest run wins
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // equal runs: the first is compressed
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:0a0b:0c0d', '10.11.12.13'],
    ['[::ffff:192.0.2.1]:8080', '192.0.2.1'],
    ['::1.2.3.4', '::102:304'], // IPv4-compatible is not folded
    ['64:ff9b::1.2.3.4', '64:ff9b::102:304'],
    ['2001:41d0:8:f69::1', '2001:41d0:8:f69::1'],
  ])('%s → %s', (input, expected) => {
    expect(normaliseIp(input)).toBe(expected);
  });

  it.each([
    '',
    '-',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4', // leading zero: octal to inet_aton
    '1.2.3.4:',
    '1.2.3.4:123456',
    '1.2.3.4 5',
    'a.b.c.d',
    ':::',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    '12345::',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8::',
    '::1.2.3',
    'g::1',
    '1:',
    '[::1',
    '[::1]x',
    'localhost',
    'x'.repeat(500),
  ])('rejects %j', (input) => {
    expect(normaliseIp(input)).toBeNull();
    expect(isIp(input)).toBe(false);
  });
});

describe('ipVersion', () => {
  it.each([
    ['8.8.8.8', 4],
    ['::ffff:8.8.8.8', 4],
    ['2606:4700::1', 6],
    ['[::1]:80', 6],
    ['nope', null],
  ] as const)('%s → %s', (input, v) => {
    expect(ipVersion(input)).toBe(v);
  });
});

describe('ipToBytes', () => {
  it('gives network-order bytes for both families', () => {
    expect([...ipToBytes(parseIp('1.2.3.250')!)]).toEqual([1, 2, 3, 250]);
    expect([...ipToBytes(parseIp('2001:db8::ff01')!)]).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0x01]);
  });
});
