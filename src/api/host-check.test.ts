import { describe, expect, it } from 'vitest';
import { hostAllowed, hostName, hostPolicy, isLoopbackBind } from './host-check.js';

describe('hostName', () => {
  it.each([
    ['localhost:8000', 'localhost'],
    ['LOCALHOST', 'localhost'],
    ['localhost.', 'localhost'],
    ['127.0.0.1:8000', '127.0.0.1'],
    ['[::1]:8000', '::1'],
    ['[::1]', '::1'],
    ['rampart.lan', 'rampart.lan'],
    ['[::1', null],
    ['[::1]x', null],
    ['evil.example:80:80', null],
    ['evil.example:http', null],
  ])('%j -> %j', (header, expected) => {
    expect(hostName(header)).toBe(expected);
  });
});

describe('hostAllowed', () => {
  const loopback = hostPolicy('127.0.0.1');
  const configured = hostPolicy('127.0.0.1', ['Rampart.LAN']);
  const open = hostPolicy('0.0.0.0');
  const openConfigured = hostPolicy('0.0.0.0', ['rampart.lan']);
  const star = hostPolicy('127.0.0.1', ['*']);

  it.each([
    // [policy, header, loopback bind, loopback + configured, 0.0.0.0, 0.0.0.0 + configured, '*']
    ['localhost:8000', true, true, true, true, true],
    ['app.localhost', true, true, true, true, true],
    ['127.0.0.1:8000', true, true, true, true, true],
    ['[::1]:8000', true, true, true, true, true],
    ['192.168.1.5:8000', true, true, true, true, true],
    ['rampart.lan:8000', false, true, true, true, true],
    ['evil.example', false, false, true, false, true],
    ['localhost.evil.example', false, false, true, false, true],
    ['', false, false, true, false, true],
    [undefined, true, true, true, true, true],
  ] as const)('Host %j', (header, a, b, c, d, e) => {
    expect([loopback, configured, open, openConfigured, star].map((p) => hostAllowed(p, header))).toEqual([a, b, c, d, e]);
  });

  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.5', false],
  ])('bind %s is loopback: %s', (host, expected) => {
    expect(isLoopbackBind(host)).toBe(expected);
  });
});
