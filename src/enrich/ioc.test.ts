import { describe, expect, it } from 'vitest';
import { UnsupportedIocError } from './errors.js';
import { detectIoc, MAX_IOC_LENGTH } from './ioc.js';

describe('detectIoc', () => {
  const ok: [string, string, string][] = [
    ['8.8.8.8', 'ipv4', '8.8.8.8'],
    [' 1.2.3.4 ', 'ipv4', '1.2.3.4'],
    ['1[.]2[.]3[.]4', 'ipv4', '1.2.3.4'],
    ['2001:DB8::1', 'ipv6', '2001:db8::1'],
    ['::ffff:1.2.3.4', 'ipv6', '::ffff:1.2.3.4'],
    ['10.0.0.0/8', 'cidr', '10.0.0.0/8'],
    ['2001:db8::/32', 'cidr', '2001:db8::/32'],
    ['Example.COM', 'domain', 'example.com'],
    ['sub.example.co.uk.', 'domain', 'sub.example.co.uk'],
    ['xn--bcher-kva.example', 'domain', 'xn--bcher-kva.example'],
    ['evil[.]example', 'domain', 'evil.example'],
    ['http://example.com/a?b=1', 'url', 'http://example.com/a?b=1'],
    ['hxxps://evil.example/x', 'url', 'https://evil.example/x'],
    ['https://1.2.3.4:8443/', 'url', 'https://1.2.3.4:8443/'],
    ['d41d8cd98f00b204e9800998ecf8427e', 'md5', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['DA39A3EE5E6B4B0D3255BFEF95601890AFD80709', 'sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    ['e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['Abuse@Example.COM', 'email', 'Abuse@example.com'],
  ];
  it.each(ok)('%s → %s', (input, type, value) => {
    expect(detectIoc(input)).toEqual({ type, value });
  });

  const bad: [string, RegExp][] = [
    ['', /empty/],
    ['   ', /empty/],
    ['256.1.1.1', /not an IP/],
    ['01.2.3.4', /not an IP/],
    ['1.2.3.4/33', /CIDR/],
    ['1.2.3.4/x', /not an IP/],
    ['deadbeef', /hex string of length 8/],
    ['localhost', /not an IP/],
    ['javascript://alert(1)', /not a valid http/],
    ['a@b', /e-mail/],
    ['-bad-.example', /not an IP/],
    ['hello world', /not an IP/],
  ];
  it.each(bad)('rejects %j', (input, msg) => {
    let err: unknown;
    try {
      detectIoc(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnsupportedIocError);
    expect((err as Error).message).toMatch(msg);
    expect((err as UnsupportedIocError).code).toBe('unsupported_ioc');
  });

  it('bounds input length and says how long it was', () => {
    expect(() => detectIoc('a'.repeat(MAX_IOC_LENGTH + 1))).toThrow(/of 2049 characters: longer than 2048/);
  });

  it('quotes what it saw, truncated and printable', () => {
    expect(() => detectIoc('x'.repeat(100) + '\u0000')).toThrow(/"x{64}…"/);
  });

  it('stays fast on pathological input', () => {
    const t = performance.now();
    for (const s of ['a.'.repeat(1000), '-'.repeat(2000), 'a@'.repeat(1000), '1.'.repeat(1000)]) {
      expect(() => detectIoc(s)).toThrow(UnsupportedIocError);
    }
    expect(performance.now() - t).toBeLessThan(200);
  });
});
