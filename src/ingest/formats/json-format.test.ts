import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../types.js';
import { getFormat } from './registry.js';
import { emptyRecord } from './empty-record.js';

const base: LogRecord = { ...emptyRecord(), remoteAddr: '1.2.3.4' };

const json = getFormat('json', { timeZone: 'Asia/Jakarta' });

describe('json', () => {
  it.each<[string, unknown, Partial<LogRecord>]>([
    [
      'nginx escape=json line',
      {
        remote_addr: '1.2.3.4',
        time_local: '10/Oct/2000:13:55:36 -0700',
        request: 'GET /a?b HTTP/1.1',
        status: '200',
        body_bytes_sent: '512',
        http_referer: '',
        http_user_agent: 'curl/8',
        http_x_forwarded_for: '9.9.9.9',
        request_time: '0.004',
        host: 'shop.test',
      },
      {
        time: Date.parse('2000-10-10T13:55:36-07:00'),
        request: 'GET /a?b HTTP/1.1',
        status: 200,
        bytes: 512,
        userAgent: 'curl/8',
        xForwardedFor: '9.9.9.9',
        requestTime: 0.004,
        host: 'shop.test',
      },
    ],
    [
      'numbers, @timestamp, parts, ja4, headers',
      {
        remote_addr: '2001:db8::1',
        '@timestamp': '2024-01-01T00:00:00.250Z',
        method: 'POST',
        uri: '/decoded',
        request_uri: '/x%2e',
        args: 'ignored-because-request_uri-has-it',
        status: 201,
        bytes_sent: 99,
        ja4: 't13d',
        http_ssl_ja4h: 'ge11',
        http_x_real_ip: '5.5.5.5',
        http_cookie: { nested: true },
      },
      {
        remoteAddr: '2001:db8::1',
        time: Date.parse('2024-01-01T00:00:00.250Z'),
        method: 'POST',
        uri: '/x%2e?ignored-because-request_uri-has-it',
        status: 201,
        bytes: 99,
        ja4: 't13d',
        ja4h: 'ge11',
        headers: { 'x-real-ip': '5.5.5.5' },
      },
    ],
    [
      'time without offset read in the zone',
      { remote_addr: '1.2.3.4', time: '2024-12-10 00:00:02' },
      { time: Date.parse('2024-12-09T17:00:02Z') },
    ],
    ['epoch seconds', { ip: '1.2.3.4', time: 1571234567.5 }, { time: 1571234567500 }],
    [
      '$host beats $http_host',
      { remote_addr: '1.2.3.4', http_host: 'raw.test', host: 'h.test', server_name: 's' },
      { host: 'h.test' },
    ],
    ['msec text', { remote_addr: '1.2.3.4', msec: '1571234567.123' }, { time: 1571234567123 }],
    ['__proto__ is just a key', JSON.parse('{"remote_addr":"1.2.3.4","__proto__":{"status":1}}'), {}],
  ])('%s', (_name, obj, expected) => {
    expect(json.parse(JSON.stringify(obj))).toEqual({ ok: true, record: { ...base, ...expected } });
  });

  it.each([
    ['not JSON', '{"remote_addr": ', /not JSON/],
    ['an array', '[1,2]', /an array, expected an object/],
    ['a string', '"x"', /a string, expected an object/],
    ['null', 'null', /null, expected an object/],
    ['no address', '{"status":200}', /no client address/],
    ['bad status', '{"remote_addr":"1.2.3.4","status":"2xx"}', /"status" "2xx" is not an HTTP status/],
    [
      'bad bytes',
      '{"remote_addr":"1.2.3.4","body_bytes_sent":-5}',
      /"body_bytes_sent" "-5" is not a byte count/,
    ],
    ['bad time', '{"remote_addr":"1.2.3.4","time":"soon"}', /"time" "soon" is not a time/],
    ['deep nesting', '['.repeat(20_000) + ']'.repeat(20_000), /not JSON|an array/],
  ])('rejects %s', (_name, line, reason) => {
    const r = json.parse(line);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('bounds strings and the number of headers', () => {
    const obj: Record<string, string> = { remote_addr: '1.2.3.4', http_user_agent: 'u'.repeat(10_000) };
    for (let i = 0; i < 100; i++) obj[`http_x_h${i}`] = 'v';
    const r = json.parse(JSON.stringify(obj));
    expect(r.ok && r.record.userAgent?.length).toBe(8192);
    expect(r.ok && Object.keys(r.record.headers ?? {}).length).toBe(64);
  });
});
