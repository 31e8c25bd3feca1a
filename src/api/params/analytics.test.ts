import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { BadRequestError } from '../../core/index.js';
import { compileRequestSchema } from '../request-schema.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { pageEnvelope } from './envelope.js';
import { analyticsFilterFields, resolveFilters } from './filters.js';
import { paginationFields, resolvePagination } from './pagination.js';
import { resolveWindow, windowFields } from './window.js';

const NOW = Date.parse('2025-03-10T12:00:00Z');
const DAY = 86_400_000;

const q = z
  .object({ ...paginationFields(), ...analyticsFilterFields(), ...windowFields('24h') })
  .strict()
  .transform((v, ctx) => ({
    page: resolvePagination(v, ctx),
    filters: resolveFilters(v),
    window: resolveWindow(v, NOW, DAY, ctx),
  }));

// Through the request compiler, so the message is the one a client reads in the 400.
const validate = compileRequestSchema({ schema: q, httpPart: 'querystring', method: 'GET', url: '/t' }) as (
  d: unknown,
) => { error?: Error };

function problem(input: Record<string, string>): string {
  const r = validate(input);
  if (!r.error) throw new Error(`accepted ${JSON.stringify(input)}`);
  expect(r.error).toBeInstanceOf(BadRequestError);
  return r.error.message.replace(/^query parameter "([^"]*)"/, '$1').replace(/ \(got .*\)$/, '');
}

describe('pagination', () => {
  it.each([
    [{}, { limit: 50, offset: 0 }],
    [{ limit: '10', offset: '30' }, { limit: 10, offset: 30 }],
    [{ per_page: '20', page: '3' }, { limit: 20, offset: 40 }],
    [{ page: '2' }, { limit: 50, offset: 50 }],
  ])('reads %j', (input, expected) => {
    expect(q.parse(input).page).toEqual(expected);
  });

  it('reads a cursor it issued', () => {
    const cursor = encodeCursor({ time: NOW, id: 'abcdef0123456789', order: 'desc' });
    expect(q.parse({ cursor, limit: '5' }).page).toEqual({ limit: 5, offset: 0, cursor: { time: NOW, id: 'abcdef0123456789', order: 'desc' } });
    expect(decodeCursor(cursor)).toEqual({ time: NOW, id: 'abcdef0123456789', order: 'desc' });
  });

  it.each([
    [{ limit: '0' }, 'limit must be an integer from 1 to 500'],
    [{ per_page: '501' }, 'per_page must be an integer from 1 to 500'],
    [{ limit: '5', per_page: '5' }, 'per_page and "limit" are the same; give one'],
    [{ offset: '5', page: '2' }, 'offset and "page" are exclusive; give one'],
    [{ page: '2', cursor: encodeCursor({ time: 1, id: 'a', order: 'asc' }) }, 'page and "cursor" are exclusive; give one'],
    [{ page: '100000', limit: '500' }, 'page reaches past offset 100000 (page × page size); use cursor or narrow since/until'],
    [{ cursor: "'; drop table threats;--" }, 'cursor is not a cursor from this API (pass next_cursor from the previous page unchanged)'],
    [{ cursor: Buffer.from('v1|desc|12|x;y').toString('base64url') }, 'cursor is not a cursor from this API (pass next_cursor from the previous page unchanged)'],
    [{ cursor: Buffer.from('v1|sideways|12|abc').toString('base64url') }, 'cursor is not a cursor from this API (pass next_cursor from the previous page unchanged)'],
  ])('refuses %j', (input, expected) => {
    expect(problem(input)).toBe(expected);
  });
});

describe('page envelope', () => {
  const key = (r: { t: number; id: string }) => ({ time: r.t, id: r.id });
  it('counts pages and offers a cursor after a full page only', () => {
    const full = pageEnvelope([{ t: 5, id: 'b' }, { t: 4, id: 'a' }], 7, { limit: 2, offset: 2 }, key);
    expect(full).toMatchObject({ total: 7, limit: 2, offset: 2, page: 2, per_page: 2, pages: 4 });
    expect(decodeCursor(full.next_cursor!)).toEqual({ time: 4, id: 'a', order: 'desc' });
    expect(pageEnvelope([{ t: 5, id: 'b' }], 7, { limit: 2, offset: 6 }, key).next_cursor).toBeNull();
    expect(pageEnvelope([], 0, { limit: 2, offset: 0 }, key)).toMatchObject({ pages: 0, page: 1, next_cursor: null });
    // Lists not sorted by time have no cursor.
    expect(pageEnvelope([{ t: 5, id: 'b' }], 3, { limit: 1, offset: 0 }).next_cursor).toBeNull();
  });
});

describe('analytics filters', () => {
  it('reads and folds every filter', () => {
    expect(
      q.parse({
        q: "union select'%_",
        ip: '10.1.2.3/8',
        country: 'de, FR,de',
        asn: 'AS64500,13335',
        as_org: 'Hetzner',
        ja4: 'T13D1516H2_8daaf6152771_02713d6af862',
        bot: 'Googlebot',
        browser: 'Chrome Mobile',
        host: 'Shop.Example.com:443',
        status: '404,5xx',
      }).filters,
    ).toEqual({
      q: "union select'%_",
      ip: { cidr: '10.0.0.0/8', single: false },
      country: ['DE', 'FR'],
      asn: [64500, 13335],
      as_org: 'Hetzner',
      ja4: ['t13d1516h2_8daaf6152771_02713d6af862'],
      bot: 'Googlebot',
      browser: 'Chrome Mobile',
      host: 'shop.example.com:443',
      status: { codes: [404], classes: [5] },
    });
    expect(q.parse({ ip: '2001:DB8::1' }).filters.ip).toEqual({ cidr: '2001:db8::1', single: true });
    expect(q.parse({ ip: '203.0.113.9/32' }).filters.ip).toEqual({ cidr: '203.0.113.9', single: true });
    expect(q.parse({}).filters).toEqual({});
  });

  it.each([
    [{ q: '' }, 'q must not be empty'],
    [{ q: 'x'.repeat(201) }, 'q must be at most 200 characters'],
    [{ q: 'a\0b' }, 'q must not contain NUL'],
    [{ ip: '10.0.0.0/33' }, 'ip is not an IP address or CIDR network (e.g. 203.0.113.7 or 203.0.113.0/24)'],
    [{ ip: "1.2.3.4' or 1=1" }, 'ip is not an IP address or CIDR network (e.g. 203.0.113.7 or 203.0.113.0/24)'],
    [{ country: 'DEU' }, 'country has "DEU", which is not an ISO 3166-1 alpha-2 country code'],
    [{ country: ',' }, 'country is empty; give an ISO 3166-1 alpha-2 country code'],
    [{ asn: 'AS-1' }, 'asn has "AS-1", which is not an AS number (64500 or AS64500)'],
    [{ asn: '99999999999' }, 'asn has "99999999999", which is not an AS number (64500 or AS64500)'],
    [{ ja4: 'x; drop' }, 'ja4 has "x; drop", which is not a JA4 fingerprint'],
    [{ bot: "bot' OR 1=1" }, 'bot must be letters, digits, spaces and . _ / + -'],
    [{ browser: 'x'.repeat(101) }, 'browser must be at most 100 characters'],
    [{ host: 'a b' }, 'host is not a host name'],
    [{ status: '600' }, 'status has "600", which is not an HTTP status (404) or class (4xx)'],
    [{ status: '4xxx' }, 'status has "4xxx", which is not an HTTP status (404) or class (4xx)'],
    [{ sort: 'time; drop table x' }, /^unknown query parameter "sort"; valid: limit, per_page/],
  ])('refuses %j', (input, expected) => {
    expect(problem(input)).toMatch(expected);
  });
});

describe('time window', () => {
  it.each([
    [{}, { since: NOW - DAY, until: NOW }],
    [{ range: '7d' }, { since: NOW - 7 * DAY, until: NOW }],
    [{ range: '30d' }, { since: NOW - 30 * DAY, until: NOW }],
    [{ since: '1h' }, { since: NOW - 3_600_000, until: NOW }],
    [{ since: '2025-03-01', until: '2025-03-02' }, { since: Date.parse('2025-03-01'), until: Date.parse('2025-03-02') }],
  ])('reads %j', (input, expected) => {
    expect(q.parse(input).window).toEqual(expected);
  });

  it.each([
    [{ range: '7d', since: '1h' }, 'range and since/until are exclusive; give one'],
    [{ range: 'forever' }, 'range must be a span before now: <n>m|h|d|w, e.g. 1h, 24h, 7d, 30d'],
    [{ range: '0h' }, 'range must be a span before now: <n>m|h|d|w, e.g. 1h, 24h, 7d, 30d'],
    [{ range: "2025-01" }, "range must be a span before now: <n>m|h|d|w, e.g. 1h, 24h, 7d, 30d"],
    [{ range: '9999d' }, 'range makes a window longer than 400 days; narrow it'],
    [{ since: '2020-01-01' }, 'since makes a window longer than 400 days; narrow it'],
    [{ since: '1h', until: '2h' }, 'since is after "until"'],
    [{ until: 'tomorrow' }, /^until is not a time/],
  ])('refuses %j', (input, expected) => {
    expect(problem(input)).toMatch(expected);
  });
});
