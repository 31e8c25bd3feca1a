import { describe, expect, it } from 'vitest';
import { CidrSet } from './cidr.js';
import { CLOUDFLARE_RANGES, FASTLY_RANGES, RANGES_CHECKED } from './proxy-ranges.js';
import { createTrustedProxies } from './trusted-proxy.js';

describe('TrustedProxies.clientIp', () => {
  const trusted = createTrustedProxies(['private', '203.0.113.0/24']);
  it.each([
    ['no header: the peer', '198.51.100.1', null, '198.51.100.1'],
    ['untrusted peer: header ignored (spoofing)', '198.51.100.1', '1.1.1.1', '198.51.100.1'],
    ['trusted peer: rightmost untrusted hop', '10.0.0.1', '1.1.1.1', '1.1.1.1'],
    [
      'skips trusted hops from the right',
      '10.0.0.1',
      '6.6.6.6, 1.1.1.1, 203.0.113.5, 192.168.0.9',
      '1.1.1.1',
    ],
    ['client-supplied left entries are not believed', '10.0.0.1', '9.9.9.9, 8.8.8.8', '8.8.8.8'],
    ['all hops trusted: the leftmost', '10.0.0.1', '192.168.1.1, 10.0.0.2', '192.168.1.1'],
    ['malformed hop stops the walk at the last valid', '10.0.0.1', '1.1.1.1, garbage, 10.0.0.7', '10.0.0.7'],
    ['malformed right away: the peer', '10.0.0.1', 'unknown', '10.0.0.1'],
    ['ports and brackets in hops', '10.0.0.1', '[2001:4860::8888]:443', '2001:4860::8888'],
    ['v4 with port in a hop', '10.0.0.1', '1.1.1.1:5555', '1.1.1.1'],
    ['mapped hop folds', '10.0.0.1', '::ffff:1.1.1.1', '1.1.1.1'],
    ['empty entries are skipped', '10.0.0.1', '1.1.1.1,, ,', '1.1.1.1'],
    ['mapped peer is trusted after folding', '::ffff:10.0.0.1', '5.5.5.5', '5.5.5.5'],
    ['IPv6 loopback peer', '::1', '2a00:1450::1', '2a00:1450::1'],
  ])('%s', (_name, peer, xff, expected) => {
    expect(trusted.clientIp(peer, xff)).toBe(expected);
  });

  it('stops after a bounded number of hops', () => {
    const many = Array.from({ length: 100 }, () => '10.0.0.3').join(',');
    expect(trusted.clientIp('10.0.0.1', `1.1.1.1,${many}`)).toBe('10.0.0.3');
  });
});

describe('createTrustedProxies', () => {
  it('knows the cdn set: Cloudflare and Fastly, both families', () => {
    const cdn = createTrustedProxies(['cdn']);
    expect(cdn.isTrusted('173.245.48.1')).toBe(true);
    expect(cdn.isTrusted('2606:4700::6810:85e5')).toBe(true);
    expect(cdn.isTrusted('151.101.1.69')).toBe(true);
    expect(cdn.isTrusted('2a04:4e42::1')).toBe(true);
    // Fastly publishes 2a04:4e42::/32, not the /29 around it: a neighbour's address is not a proxy.
    expect(cdn.isTrusted('2a04:4e43::1')).toBe(false);
    expect(cdn.isTrusted('8.8.8.8')).toBe(false);
    expect(cdn.isTrusted('10.0.0.1')).toBe(false);
  });

  it('mixes names, CIDRs and bare addresses', () => {
    const t = createTrustedProxies(['CloudFlare', '192.0.2.7', '2001:db8::/48']);
    expect(t.isTrusted('192.0.2.7')).toBe(true);
    expect(t.isTrusted('192.0.2.8')).toBe(false);
    expect(t.isTrusted('2001:db8:0:1::')).toBe(true);
    expect(t.isTrusted('104.16.0.1')).toBe(true);
  });

  it('names the bad entry and the accepted names', () => {
    expect(() => createTrustedProxies(['private', 'akamai'])).toThrow(
      /"akamai".*cdn, cloudflare, fastly, private/,
    );
  });

  it('the published lists parse and carry their date', () => {
    expect(new CidrSet(CLOUDFLARE_RANGES).size).toBe(CLOUDFLARE_RANGES.length);
    expect(new CidrSet(FASTLY_RANGES).size).toBe(FASTLY_RANGES.length);
    expect(RANGES_CHECKED).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
