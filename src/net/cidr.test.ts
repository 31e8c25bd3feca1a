import { describe, expect, it } from 'vitest';
import { CidrSet, formatCidr, networkOf, parseCidr } from './cidr.js';
import { parseIp } from './ip.js';

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['10.1.2.3/8', '10.0.0.0/8'], // host bits cleared
    ['1.2.3.4', '1.2.3.4/32'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['2001:db8::1/64', '2001:db8::/64'],
    ['::1', '::1/128'],
    [' 192.168.0.0/16 ', '192.168.0.0/16'],
  ])('%s → %s', (input, expected) => {
    expect(formatCidr(parseCidr(input))).toBe(expected);
  });

  it.each([
    ['10.0.0.0/33', 'prefix length'],
    ['10.0.0.0/', 'prefix length'],
    ['10.0.0.0/08', 'prefix length'],
    ['10.0.0.0/-1', 'prefix length'],
    ['::/129', 'prefix length'],
    ['10.0.0/8', 'not an IPv4 or IPv6'],
    ['cloudflare', 'not an IPv4 or IPv6'],
  ])('rejects %s naming it', (input, why) => {
    expect(() => parseCidr(input)).toThrow(
      new RegExp(`"${input.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}".*${why}`),
    );
  });
});

describe('CidrSet', () => {
  const set = new CidrSet([
    '10.0.0.0/8',
    '192.168.1.0/24',
    '192.168.2.0/24',
    '1.2.3.4',
    '2001:db8::/32',
    '2606:4700::/32',
    '::1',
  ]);
  it.each([
    ['10.0.0.0', true],
    ['10.255.255.255', true],
    ['11.0.0.0', false],
    ['9.255.255.255', false],
    ['192.168.1.77', true],
    ['192.168.2.255', true], // merged with the adjacent /24
    ['192.168.3.0', false],
    ['192.168.0.255', false],
    ['1.2.3.4', true],
    ['1.2.3.5', false],
    ['1.2.3.4:80', true],
    ['::ffff:10.1.1.1', true], // mapped folds to IPv4
    ['2001:db8:ffff::1', true],
    ['2001:db9::', false],
    ['2606:4700:10::6816:1', true],
    ['::1', true],
    ['::2', false],
    ['0.0.0.0', false],
    ['garbage', false],
  ])('contains(%s) = %s', (ip, expected) => {
    expect(set.contains(ip)).toBe(expected);
  });

  it('an empty set contains nothing', () => {
    expect(new CidrSet([]).contains('1.1.1.1')).toBe(false);
  });

  it('a /0 contains every address of its family only', () => {
    const all4 = new CidrSet(['0.0.0.0/0']);
    expect(all4.contains('255.255.255.255')).toBe(true);
    expect(all4.contains('::2')).toBe(false);
  });

  it('agrees with a linear scan on random addresses', () => {
    const ranges = Array.from(
      { length: 200 },
      (_, i) => `${(i * 37) % 223}.${(i * 11) % 256}.0.0/${8 + (i % 17)}`,
    );
    const big = new CidrSet(ranges);
    const parsed = ranges.map((r) => parseCidr(r));
    let seed = 7;
    let hits = 0;
    for (let k = 0; k < 2000; k++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const v = seed * 2 + (k & 1);
      const ip = `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
      const expected = parsed.some((c) => BigInt(v >>> 0) >= c.first && BigInt(v >>> 0) <= c.last);
      expect(big.contains(ip), ip).toBe(expected);
      if (expected) hits++;
    }
    expect(hits).toBeGreaterThan(20); // the sample exercises both answers
  });
});

describe('networkOf', () => {
  const at = (ip: string, prefix: number) => networkOf(parseIp(ip)!, prefix);
  it('clears host bits for both families', () => {
    expect(at('1.2.3.4', 16)).toBe('1.2.0.0/16');
    expect(at('255.255.255.255', 32)).toBe('255.255.255.255/32');
    expect(at('200.1.2.3', 1)).toBe('128.0.0.0/1');
    expect(at('9.9.9.9', 0)).toBe('0.0.0.0/0');
    expect(at('2a00:1450:4001::1', 32)).toBe('2a00:1450::/32');
    expect(at('2a00:1450:4001:ffff::1', 52)).toBe('2a00:1450:4001:f000::/52');
    expect(at('2001:db8::1', 128)).toBe('2001:db8::1/128');
  });
  it('rejects a prefix out of range, naming it', () => {
    expect(() => at('1.2.3.4', 33)).toThrow(/33 is out of range 0\.\.32 for 1\.2\.3\.4/);
  });
});
