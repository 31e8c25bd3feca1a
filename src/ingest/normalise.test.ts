import { describe, expect, it } from 'vitest';
import type { HttpEvent } from '../core/event.js';
import { createTrustedProxies } from '../net/trusted-proxy.js';
import { eventId } from './event-id.js';
import { normaliseRecord, splitRequestLine } from './normalise.js';
import type { LogRecord, RawLine } from './types.js';

const record: LogRecord = {
  remoteAddr: '1.2.3.4',
  time: 1_000,
  request: 'GET /a/b?x=1&y=2 HTTP/1.1',
  method: null,
  uri: null,
  protocol: null,
  status: 200,
  bytes: 12,
  referer: null,
  userAgent: 'ua',
  host: null,
  xForwardedFor: null,
  requestTime: null,
  ja4: null,
  ja4h: null,
  headers: null,
};
const line: RawLine = {
  text: '(unused)',
  key: 'dev1:42:0',
  origin: { kind: 'file', source: '/var/log/x.log', offset: 0, line: 1 },
};
const opts = { trusted: null, now: () => 99_999 };

function normalise(partial: Partial<LogRecord>, o: Parameters<typeof normaliseRecord>[2] = opts): HttpEvent {
  const ev = normaliseRecord({ ...record, ...partial }, line, o);
  if ('error' in ev) throw new Error(ev.error);
  return ev;
}

describe('splitRequestLine', () => {
  it.each([
    ['GET /a?b HTTP/1.1', 'GET', '/a?b', 'HTTP/1.1'],
    ['GET /ksc.html', 'GET', '/ksc.html', ''],
    ['PROPFIND /dav/ HTTP/1.1', 'PROPFIND', '/dav/', 'HTTP/1.1'],
    ['M-SEARCH * HTTP/1.1', 'M-SEARCH', '*', 'HTTP/1.1'],
    ['GET  /double  HTTP/1.0', 'GET', '/double', 'HTTP/1.0'],
    ['GET /has space HTTP/1.1', 'GET', '/has space', 'HTTP/1.1'],
    ['GET http://proxy.test/x HTTP/1.1', 'GET', 'http://proxy.test/x', 'HTTP/1.1'],
    ['-', '-', '', ''],
    ['', '-', '', ''],
    ['/bare/path', '-', '/bare/path', ''],
    ['\x16\x03\x01\x00\uFFFD\x01', '-', '\x16\x03\x01\x00\uFFFD\x01', ''],
    ['"><script> HTTP/1.1', '-', '"><script> HTTP/1.1', ''],
    [`${'A'.repeat(40)} / HTTP/1.1`, '-', `${'A'.repeat(40)} / HTTP/1.1`, ''],
  ])('%j', (request, method, target, protocol) => {
    expect(splitRequestLine(request)).toEqual({ method, target, protocol });
  });
});

describe('normaliseRecord', () => {
  it('builds the event', () => {
    expect(normalise({})).toEqual({
      id: eventId('dev1:42:0'),
      time: 1_000,
      ip: '1.2.3.4',
      peerIp: null,
      method: 'GET',
      host: null,
      path: '/a/b',
      query: 'x=1&y=2',
      protocol: 'HTTP/1.1',
      status: 200,
      bytes: 12,
      referer: null,
      userAgent: 'ua',
      requestTime: null,
      ja4: null,
      ja4h: null,
      headers: null,
      origin: line.origin,
    });
  });

  it.each<[string, Partial<LogRecord>, Partial<HttpEvent>]>([
    ['no time: now()', { time: null }, { time: 99_999 }],
    ['mapped IPv6 folds', { remoteAddr: '::ffff:8.8.8.8' }, { ip: '8.8.8.8' }],
    ['IPv6 canonical', { remoteAddr: '2001:DB8:0::1' }, { ip: '2001:db8::1' }],
    ['host name kept, lower-cased', { remoteAddr: 'Pipe6.NYC.example.com' }, { ip: 'pipe6.nyc.example.com' }],
    [
      'garbage request: raw in path',
      { request: '\x16\x03\x01' },
      { method: '-', path: '\x16\x03\x01', query: '', protocol: '' },
    ],
    ['empty request', { request: '-' }, { method: '-', path: '', query: '', protocol: '' }],
    ['query only', { request: 'GET /?a HTTP/1.1' }, { path: '/', query: 'a' }],
    [
      'parts instead of $request',
      { request: null, method: 'POST', uri: '/x?y=1', protocol: 'HTTP/2.0' },
      { method: 'POST', path: '/x', query: 'y=1', protocol: 'HTTP/2.0' },
    ],
    ['no request at all', { request: null }, { method: '-', path: '', query: '', protocol: '' }],
    [
      'host from the Host header',
      { headers: { host: 'h.test' } },
      { host: 'h.test', headers: { host: 'h.test' } },
    ],
    [
      'long fields bounded',
      { userAgent: 'u'.repeat(9000), request: `GET /${'p'.repeat(9000)} HTTP/1.1` },
      { userAgent: 'u'.repeat(8192) },
    ],
  ])('%s', (_name, partial, expected) => {
    expect(normalise(partial)).toMatchObject(expected);
  });

  it('bounds the path of an over-long request line', () => {
    const ev = normalise({ request: `GET /${'p'.repeat(9000)} HTTP/1.1` });
    expect(ev.path.length).toBeLessThanOrEqual(8192);
    expect(ev.protocol).toBe('HTTP/1.1');
  });

  describe('client address', () => {
    const trusted = createTrustedProxies(['private']);
    it.each<[string, Partial<LogRecord>, string, string | null]>([
      [
        'trusted peer: client from X-Forwarded-For',
        { remoteAddr: '10.0.0.5', xForwardedFor: '203.0.113.7' },
        '203.0.113.7',
        '10.0.0.5',
      ],
      [
        'header via $http_x_forwarded_for as a header',
        { remoteAddr: '10.0.0.5', headers: { 'x-forwarded-for': '203.0.113.8' } },
        '203.0.113.8',
        '10.0.0.5',
      ],
      [
        'untrusted peer: header ignored',
        { remoteAddr: '198.51.100.1', xForwardedFor: '203.0.113.7' },
        '198.51.100.1',
        null,
      ],
      ['no header', { remoteAddr: '10.0.0.5' }, '10.0.0.5', null],
    ])('%s', (_name, partial, ip, peerIp) => {
      const ev = normalise(partial, { trusted, now: () => 0 });
      expect([ev.ip, ev.peerIp]).toEqual([ip, peerIp]);
    });

    it('without a trusted set the header is never believed', () => {
      const ev = normalise({ remoteAddr: '10.0.0.5', xForwardedFor: '203.0.113.7' });
      expect([ev.ip, ev.peerIp]).toEqual(['10.0.0.5', null]);
    });
  });

  it.each<[string, Partial<LogRecord>, RegExp]>([
    [
      'an address that is neither IP nor host',
      { remoteAddr: '<script>' },
      /remote address "<script>" is neither/,
    ],
    ['an empty address', { remoteAddr: '' }, /neither an IP address nor a host name/],
  ])('rejects %s', (_name, partial, message) => {
    const r = normaliseRecord({ ...record, ...partial }, line, opts);
    expect('error' in r && r.error).toMatch(message);
  });

  it('rejects an over-long line', () => {
    const r = normaliseRecord(record, { ...line, overlong: true }, opts);
    expect('error' in r && r.error).toMatch(/longer than 65536/);
  });
});

describe('eventId', () => {
  it.each([
    ['', 'cbf29ce484222325'], // FNV-1a 64 reference vectors
    ['a', 'af63dc4c8601ec8c'],
    ['foobar', '85944171f73967e8'],
  ])('%j → %s', (key, id) => {
    expect(eventId(key)).toBe(id);
  });

  it('hashes UTF-8 bytes, so non-ASCII keys match other implementations', () => {
    // FNV-1a 64 of the bytes C3 A9: computed independently with BigInt below.
    let h = 0xcbf29ce484222325n;
    for (const b of [0xc3, 0xa9]) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
    expect(eventId('é')).toBe(h.toString(16).padStart(16, '0'));
  });

  it('is 16 hex characters and differs for neighbouring offsets', () => {
    const ids = new Set(Array.from({ length: 10_000 }, (_, i) => eventId(`64769:1234:${i * 97}`)));
    expect(ids.size).toBe(10_000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
  });
});
