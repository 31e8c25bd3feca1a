import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../types.js';
import { getFormat } from './registry.js';
import { emptyRecord } from './empty-record.js';

const base: LogRecord = { ...emptyRecord(), remoteAddr: '1.2.3.4' };

describe('custom log_format', () => {
  it.each<[string, string, string, Partial<LogRecord>]>([
    [
      'ISO time, host, request_time, upstream skipped',
      '$remote_addr [$time_iso8601] $host "$request" $status $body_bytes_sent $request_time $upstream_response_time',
      '1.2.3.4 [2024-12-10T00:00:02+07:00] shop.test "GET /a HTTP/1.1" 200 5 0.012 0.010',
      {
        time: Date.parse('2024-12-09T17:00:02Z'),
        host: 'shop.test',
        request: 'GET /a HTTP/1.1',
        status: 200,
        bytes: 5,
        requestTime: 0.012,
      },
    ],
    [
      'split request parts with $uri + $args',
      '${remote_addr}|$msec|$request_method|$uri|$args|$server_protocol|$status|$bytes_sent',
      '1.2.3.4|1571234567.123|POST|/login|a=1&b=2|HTTP/2.0|401|99',
      {
        time: 1571234567123,
        method: 'POST',
        uri: '/login?a=1&b=2',
        protocol: 'HTTP/2.0',
        status: 401,
        bytes: 99,
      },
    ],
    [
      '$request_uri beats $uri, $body_bytes_sent beats $bytes_sent',
      '$remote_addr $uri $request_uri $bytes_sent $body_bytes_sent $status',
      '1.2.3.4 /decoded /raw%2e?x=1 500 400 200',
      { uri: '/raw%2e?x=1', bytes: 400, status: 200 },
    ],
    [
      'ja4, ja4h and headers',
      '$remote_addr "$http_ssl_ja4" "$ja4h" "$http_x_real_ip" "$http_cookie" "$http_x_forwarded_for"',
      '1.2.3.4 "t13d1516h2_8daaf6152771_e5627efa2ab1" "ge11nn05enus_9ed1ff1f7b03" "5.6.7.8" "-" "9.9.9.9"',
      {
        ja4: 't13d1516h2_8daaf6152771_e5627efa2ab1',
        ja4h: 'ge11nn05enus_9ed1ff1f7b03',
        headers: { 'x-real-ip': '5.6.7.8' },
        xForwardedFor: '9.9.9.9',
      },
    ],
    [
      'host priority: $host over $http_host',
      '$remote_addr $http_host $host',
      '1.2.3.4 evil.test good.test',
      { host: 'good.test' },
    ],
    [
      'time_local with a leading literal and quoted time',
      'ip=$remote_addr t="$time_local" s=$status',
      'ip=1.2.3.4 t="10/Oct/2000:13:55:36 -0700" s=204',
      { time: Date.parse('2000-10-10T13:55:36-07:00'), status: 204 },
    ],
    [
      'IPv6 first, padded with spaces',
      '$remote_addr $status',
      '2001:db8::1   302',
      { remoteAddr: '2001:db8::1', status: 302 },
    ],
    [
      'last variable takes the rest of the line',
      '$remote_addr $http_user_agent',
      '1.2.3.4 Mozilla/5.0 (X11; Linux)  ',
      { userAgent: 'Mozilla/5.0 (X11; Linux)' },
    ],
  ])('%s', (_name, logFormat, line, expected) => {
    expect(getFormat({ logFormat }).parse(line)).toEqual({ ok: true, record: { ...base, ...expected } });
  });

  it.each([
    ['prefix mismatch', 'ip=$remote_addr', 'addr=1.2.3.4', /does not start with "ip="/],
    ['empty address', '$remote_addr "$request"', ' "GET /"', /\$remote_addr is empty/],
    ['bad msec', '$remote_addr $msec', '1.2.3.4 yesterday', /\$msec "yesterday" is not seconds/],
    [
      'bad ISO time',
      '$remote_addr $time_iso8601 $status',
      '1.2.3.4 2024-13-01T00:00:00Z 200',
      /\$time_iso8601 "2024-13-01T00:00:00Z" is not an ISO 8601/,
    ],
    ['truncated', '$remote_addr "$request" $status', '1.2.3.4 "GET / HTTP/1.1', /inside \$request/],
  ])('rejects %s', (_name, logFormat, line, reason) => {
    const r = getFormat({ logFormat }).parse(line);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it.each([
    ['adjacent variables', '$remote_addr$status', /\$remote_addr and \$status have nothing between them/],
    ['no client address', '$status $request', /no \$remote_addr/],
    ['no variables', 'just text', /no \$remote_addr|no variables/],
    ['unclosed brace', '$remote_addr ${status', /no closing "}"/],
    ['empty', '', /empty/],
  ])('refuses to compile: %s', (_name, logFormat, message) => {
    expect(() => getFormat({ logFormat })).toThrow(message);
  });

  it('accepts a pasted multi-line directive', () => {
    const directive = `log_format main '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';`;
    const f = getFormat({ logFormat: directive, name: 'main' });
    const r = f.parse('1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 12 "-" "ua" "5.5.5.5"');
    expect(f.name).toBe('main');
    expect(r.ok && r.record.xForwardedFor).toBe('5.5.5.5');
  });
});
