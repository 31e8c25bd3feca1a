import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../types.js';
import { COMBINED, COMMON } from './builtin.js';
import { CompiledLogFormat } from './compiled-format.js';
import { emptyRecord } from './empty-record.js';
import { getFormat } from './registry.js';
import { resolveTimeZone } from '../../time/index.js';

const T = Date.parse('2000-10-10T13:55:36-07:00');
const TIME = '[10/Oct/2000:13:55:36 -0700]';

function rec(partial: Partial<LogRecord>): LogRecord {
  return { ...emptyRecord(), remoteAddr: '1.2.3.4', time: T, request: 'GET / HTTP/1.1', status: 200, bytes: 12, ...partial };
}

const combined = getFormat('combined');

describe('combined', () => {
  it.each<[string, string, Partial<LogRecord>]>([
    ['canonical', `1.2.3.4 - - ${TIME} "GET / HTTP/1.1" 200 12 "-" "curl/8.0"`, { userAgent: 'curl/8.0' }],
    [
      'referer and user',
      `1.2.3.4 - alice ${TIME} "GET /a?b=1 HTTP/2.0" 404 0 "https://x.test/" "Mozilla/5.0 (X11)"`,
      {
        request: 'GET /a?b=1 HTTP/2.0',
        status: 404,
        bytes: 0,
        referer: 'https://x.test/',
        userAgent: 'Mozilla/5.0 (X11)',
      },
    ],
    [
      'IPv6 client',
      `2001:41d0:8:f69::1 - - ${TIME} "GET / HTTP/1.1" 200 12 "-" "-"`,
      { remoteAddr: '2001:41d0:8:f69::1' },
    ],
    [
      'trailing X-Forwarded-For (nginx main)',
      `10.0.0.1 - - ${TIME} "GET / HTTP/1.1" 200 12 "-" "ua" "203.0.113.9, 10.0.0.2"`,
      { remoteAddr: '10.0.0.1', userAgent: 'ua', xForwardedFor: '203.0.113.9, 10.0.0.2' },
    ],
    [
      'trailing "-" X-Forwarded-For',
      `1.2.3.4 - - ${TIME} "GET / HTTP/1.1" 200 12 "-" "ua" "-"`,
      { userAgent: 'ua' },
    ],
    ['padded columns', `1.2.3.4    - -  ${TIME} "GET / HTTP/1.1"  200 12 "-" "ua"`, { userAgent: 'ua' }],
    [
      'nginx \\x22 escapes decode',
      `1.2.3.4 - - ${TIME} "GET /\\x22><script> HTTP/1.1" 200 12 "-" "ua"`,
      { request: 'GET /"><script> HTTP/1.1', userAgent: 'ua' },
    ],
    [
      'Apache \\" escapes decode',
      `1.2.3.4 - - ${TIME} "GET /a\\"b HTTP/1.1" 200 12 "-" "say \\"hi\\""`,
      { request: 'GET /a"b HTTP/1.1', userAgent: 'say "hi"' },
    ],
    [
      'TLS bytes as the request',
      `1.2.3.4 - - ${TIME} "\\x16\\x03\\x01\\x00\\xEE\\x01" 400 157 "-" "-"`,
      { request: '\x16\x03\x01\x00\uFFFD\x01', status: 400, bytes: 157 },
    ],
    [
      'UTF-8 bytes escaped by nginx',
      `1.2.3.4 - - ${TIME} "GET /\\xC3\\xA9 HTTP/1.1" 200 12 "-" "-"`,
      { request: 'GET /é HTTP/1.1' },
    ],
    ['request "-"', `1.2.3.4 - - ${TIME} "-" 400 0 "-" "-"`, { request: '-', status: 400, bytes: 0 }],
    ['bare path request', `1.2.3.4 - - ${TIME} "/x" 400 0 "-" "-"`, { request: '/x', status: 400, bytes: 0 }],
    [
      'Apache "-" bytes',
      `1.2.3.4 - - ${TIME} "HEAD / HTTP/1.0" 304 - "-" "ua"`,
      { request: 'HEAD / HTTP/1.0', status: 304, bytes: 0, userAgent: 'ua' },
    ],
    [
      'U+FFFD from the reader',
      `1.2.3.4 - - ${TIME} "GET /\uFFFD HTTP/1.1" 200 12 "-" "\uFFFD"`,
      { request: 'GET /\uFFFD HTTP/1.1', userAgent: '\uFFFD' },
    ],
    [
      'host name client (Apache HostnameLookups)',
      `pipe6.nyc.example.com - - ${TIME} "GET / HTTP/1.1" 200 12 "-" "-"`,
      { remoteAddr: 'pipe6.nyc.example.com' },
    ],
    ['trailing CR', `1.2.3.4 - - ${TIME} "GET / HTTP/1.1" 200 12 "-" "ua"\r`, { userAgent: 'ua' }],
    [
      'stray unescaped quote in the request',
      `1.2.3.4 - - ${TIME} "GET /a"b HTTP/1.1" 200 12 "-" "ua"`,
      { request: 'GET /a"b HTTP/1.1', userAgent: 'ua' },
    ],
  ])('%s', (_name, line, expected) => {
    expect(combined.parse(line)).toEqual({ ok: true, record: rec(expected) });
  });

  it.each([
    [
      'truncated in the user agent',
      `1.2.3.4 - - ${TIME} "GET / HTTP/1.1" 200 12 "-" "Mozi`,
      /\$http_user_agent.*truncated/,
    ],
    ['truncated in the request', `1.2.3.4 - - ${TIME} "GET / HTT`, /\$request.*truncated/],
    [
      'no referer and agent',
      `1.2.3.4 - - ${TIME} "GET / HTTP/1.1" 200 12`,
      /\$body_bytes_sent.*truncated|\$http_referer/,
    ],
    [
      'status is not a number',
      `1.2.3.4 - - ${TIME} "GET / HTTP/1.1" abc 12 "-" "-"`,
      /\$status "abc" is not an HTTP status/,
    ],
    ['status out of range', `1.2.3.4 - - ${TIME} "GET / HTTP/1.1" 999 12 "-" "-"`, /\$status "999"/],
    [
      'bytes garbage',
      `1.2.3.4 - - ${TIME} "GET / HTTP/1.1" 200 1x2 "-" "-"`,
      /\$body_bytes_sent "1x2" is not a byte count/,
    ],
    [
      'bad time',
      `1.2.3.4 - - [10/Oct/2000:13:55:36] "GET / HTTP/1.1" 200 12 "-" "-"`,
      /\$time_local "10\/Oct\/2000:13:55:36" is not/,
    ],
    ['empty line', '', /truncated|does not start/],
    ['not a log line', 'hello world', /truncated/],
    [
      'over-long line',
      `1.2.3.4 - - ${TIME} "GET /${'a'.repeat(70_000)} HTTP/1.1" 200 12 "-" "-"`,
      /line is \d+ characters/,
    ],
  ])('rejects %s with a reason', (_name, line, reason) => {
    const r = combined.parse(line);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('bounds long fields to MAX_FIELD', () => {
    const r = combined.parse(`1.2.3.4 - - ${TIME} "GET / HTTP/1.1" 200 12 "-" "${'u'.repeat(20_000)}"`);
    expect(r.ok && r.record.userAgent?.length).toBe(8192);
  });
});

describe('the fast path and the compiled format agree', () => {
  const zone = resolveTimeZone('UTC');
  const lines = [
    `1.2.3.4 - - ${TIME} "GET / HTTP/1.1" 200 12 "-" "curl/8.0"`,
    `1.2.3.4 - bob ${TIME} "POST /login HTTP/1.1" 302 0 "https://a/" "ua" "9.9.9.9"`,
    `1.2.3.4 - - ${TIME} "GET / HTTP/1.1" 200 12 "-" "ua" trailing words`,
    `1.2.3.4 - - ${TIME} "GET / HTTP/1.1" 200 - "-" "ua"`,
    `1.2.3.4 - - ${TIME} "GET / HTTP/1.1" 200 12`,
    `1.2.3.4 - - ${TIME} "GET / HTTP/1.1" 200 12 extra`,
    `1.2.3.4 - - ${TIME} "GET / HTTP/1.1" 200 1234567890123456 "-" "ua"`,
    `1.2.3.4 - - ${TIME} "GET / HTTP/1.1" 20 12 "-" "ua"`,
    `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700 ] "GET / HTTP/1.1" 200 12 "-" "ua"`,
    `1.2.3.4 - - ${TIME} "" 400 0 "" ""`,
    `1.2.3.4 - - ${TIME} "GET / HTTP/1.1" 200 12 "-" "ua" "-"`,
  ];
  for (const [name, layout, compiled] of [
    [
      'combined',
      getFormat('combined'),
      new CompiledLogFormat('combined', COMBINED, { zone, trailingForwardedFor: true }),
    ],
    [
      'apache_combined',
      getFormat('apache_combined'),
      new CompiledLogFormat('apache_combined', COMBINED, { zone }),
    ],
    ['common', getFormat('common'), new CompiledLogFormat('common', COMMON, { zone })],
  ] as const) {
    it.each(lines)(`${name}: %s`, (line) => {
      expect(layout.parse(line)).toEqual(compiled.parse(line));
    });
  }
});

describe('common', () => {
  const common = getFormat('common');
  it.each<[string, string, Partial<LogRecord>]>([
    [
      'NCSA line',
      `1.2.3.4 - - ${TIME} "GET /x HTTP/1.0" 200 6245`,
      { request: 'GET /x HTTP/1.0', bytes: 6245 },
    ],
    [
      'HTTP/0.9 request',
      `h.example.net - - ${TIME} "GET /ksc.html" 200 7074`,
      { remoteAddr: 'h.example.net', request: 'GET /ksc.html', bytes: 7074 },
    ],
    ['a combined line read as common', `1.2.3.4 - - ${TIME} "GET / HTTP/1.1" 200 12 "-" "ua"`, {}],
    ['Apache "-" bytes', `1.2.3.4 - - ${TIME} "GET / HTTP/1.1" 304 -`, { status: 304, bytes: 0 }],
  ])('%s', (_name, line, expected) => {
    expect(common.parse(line)).toEqual({ ok: true, record: rec(expected) });
  });
});
