import { describe, expect, it } from 'vitest';
import { refererHost, sameSiteHost, siteKey } from './site-key.js';

describe('refererHost', () => {
  it.each([
    ['https://Example.org/blog/post', 'example.org'],
    ['http://example.org:8080/a?b=c', 'example.org'],
    ['http://example.org', 'example.org'],
    ['https://user:pw@example.org/x', 'example.org'],
    ['https://example.org./x', 'example.org'],
    ['http://[2001:db8::1]/x', '[2001:db8::1]'],
    ['http://[2001:db8::1]:8080/x', '[2001:db8::1]'],
    ['https://example.org?q=1', 'example.org'],
    ['-', null],
    ['/relative/path', null],
    ['ftp://example.org/x', null],
    ['android-app://com.google.android.gm/', null],
    ['https:///nohost', null],
    [null, null],
  ])('%s -> %s', (ref, host) => {
    expect(refererHost(ref)).toBe(host);
  });

  it('bounds a hostile host', () => {
    expect(refererHost(`http://${'a'.repeat(10_000)}/x`)!.length).toBeLessThanOrEqual(253);
  });
});

describe('siteKey and sameSiteHost', () => {
  it.each([
    [null, ''],
    ['', ''],
    ['Example.ORG', 'example.org'],
    ['example.org:443', 'example.org'],
  ])('siteKey(%s) = %s', (host, key) => {
    expect(siteKey(host)).toBe(key);
  });

  it.each([
    ['example.org', 'www.example.org', true],
    ['example.org', 'example.org', true],
    ['example.org', 'evil.org', false],
    ['example.org', 'example.org.evil.org', false],
  ])('%s vs %s: %s', (a, b, same) => {
    expect(sameSiteHost(a, b)).toBe(same);
  });
});
