import { describe, expect, it } from 'vitest';
import { classifyIp, isPublicIp } from './ip-class.js';

describe('classifyIp', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.30.194', 'private'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link_local'],
    ['100.64.0.1', 'cgnat'],
    ['100.128.0.1', 'public'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'bogon'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:8.8.4.4', 'public'],
    ['fe80::1', 'link_local'],
    ['fd12:3456::1', 'private'],
    ['fc00::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2606:4700::1111', 'public'],
    ['2001:41d0:8:f69::1', 'public'],
    ['2001:2::1', 'reserved'],
    ['64:ff9b::808:808', 'reserved'],
    ['100::1', 'reserved'],
    ['4000::1', 'bogon'],
    ['::1.2.3.4', 'bogon'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyIp(ip)).toBe(cls);
  });

  it.each(['unicomp6.unicomp.net', '', '999.1.1.1'])('%j is not an address', (s) => {
    expect(classifyIp(s)).toBeNull();
    expect(isPublicIp(s)).toBe(false);
  });
});
