import { describe, expect, it } from 'vitest';
import type { HttpEvent } from '../core/index.js';
import { createTrustedProxies } from '../net/index.js';
import { eventId, eventIdAt } from './event-id.js';
import { normaliseRecord, splitRequestFast, splitRequestLine } from './normalise.js';
import { emptyRecord } from './formats/empty-record.js';
import type { LogRecord, RawLine } from './types.js';

const record: LogRecord = {
  ...emptyRecord(),
  remoteAddr: '1.2.3.4',
  time: 1_000,
  request: 'GET /a/b?x=1&y=2 HTTP/1.1',
  status: 200,
  bytes: 12,
  userAgent: 'ua',
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

  // normaliseRecord splits straight into method/path/query/protocol (no target string): it must agree
  // with splitRequestLine followed by the split at the first '?', including the MAX_FIELD cut.
  const long = 'x'.repeat(8192);
  it.each([
    'GET /a?b HTTP/1.1',
    'GET /a? HTTP/1.1',
    'GET /?a?b=c HTTP/1.0',
    'POST /x HTTP/2.0',
    'HEAD /x HTTP/1.1',
    'HEADS /x HTTP/1.1',
    'GE /x HTTP/1.1',
    'GET /x HTTP/1.10',
    'POSS /x HTTP/1.2',
    'HEAT /x HTTP/2.1',
    'GOT /x HTTP/1x1',
    'PUT /x HTTP/2.0',
    'get /x HTTP/1.0',
    'GET /x HTTP',
    'GET /x HTTPS/1.1',
    'GET /x http/1.1',
    'GET /x HTTP/',
    'GET /x HTTP/3',
    'GET /ksc.html',
    'GET  /double  HTTP/1.0',
    'GET /has space?q HTTP/1.1',
    'GET ?only HTTP/1.1',
    'GET',
    'GET ',
    '-',
    '',
    '/bare/path?x=1',
    '?',
    '\x16\x03\x01\x00\uFFFD\x01',
    `GET /${long}?q=1 HTTP/1.1`,
    `GET /${long.slice(10)}?q=1 HTTP/1.1`,
    `GET /a?${long} HTTP/1.1`,
    `GET /a HTTP/${long}`,
    `/${long}?x`,
  ])('fast split agrees on %#', (request) => {
    const { method, target, protocol } = splitRequestLine(request);
    const q = target.indexOf('?');
    expect(splitRequestFast(request)).toEqual({
      method,
      path: q < 0 ? target : target.slice(0, q),
      query: q < 0 ? '' : target.slice(q + 1),
      protocol,
    });
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

  it('derives the id of a line keyed by prefix + offset from their concatenation', () => {
    const ev = normaliseRecord(record, { ...line, key: 'dev1:42:', keyOffset: 1234 }, opts);
    expect('error' in ev ? ev.error : ev.id).toBe(eventId('dev1:42:1234'));
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

  it('eventIdAt(prefix, offset) is eventId(prefix + offset), across prefixes and offsets', () => {
    const prefixes = ['', 'a', '0123456789abcdef:', 'é:', 'x€y:', '64769:1234:'];
    // Around the thousands the cache keys on (999/1000, 1000/1001, 1999/2000, zero-padded last digits).
    const offsets = [
      0, 1, 9, 10, 99, 100, 999, 1000, 1001, 1009, 1099, 1999, 2000, 2001, 123456005, 123456789, 123457000,
    ];
    offsets.push(2 ** 32, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER);
    // Interleaved so the one-entry prefix cache switches back and forth.
    for (const o of offsets) for (const p of prefixes) expect(eventIdAt(p, o)).toBe(eventId(`${p}${o}`));
    // In file order, as a reader calls it (the thousands cache carries over from line to line).
    for (let o = 0; o < 30_000; o += 37) expect(eventIdAt('f:', o)).toBe(eventId(`f:${o}`));
    // Not a plain decimal integer: falls back to the concatenated key.
    for (const o of [-1, 1.5, 2 ** 60, NaN]) expect(eventIdAt('p:', o)).toBe(eventId(`p:${o}`));
  });

  it('is 16 hex characters and differs for neighbouring offsets', () => {
    const ids = new Set(Array.from({ length: 10_000 }, (_, i) => eventId(`64769:1234:${i * 97}`)));
    expect(ids.size).toBe(10_000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
  });
});
