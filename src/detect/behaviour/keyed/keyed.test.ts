import { describe, expect, it } from 'vitest';
import { authorNumber, bustingQuery, KEYED_SCENARIOS, randomLastSegment, userListing } from './scenarios.js';
import { KeyedBuckets } from './table.js';
import { ev, T0 } from '../testing/events.js';

describe('authorNumber', () => {
  it.each([
    ['author=1', true],
    ['author=12&x=1', true],
    ['p=2&author=3', true],
    ['author=admin', false],
    ['coauthor=1', false],
    ['q=author=1x', false],
    ['', false],
  ])('%s → %s', (q, expected) => expect(authorNumber(q)).toBe(expected));
});

describe('userListing', () => {
  it.each([
    ['/wp-json/wp/v2/users', '', true],
    ['/blog/wp-json/wp/v2/users/1', '', true],
    ['/jsonapi/user/user', '', true],
    ['/', 'rest_route=/wp/v2/users', true],
    ['/', 'rest_route=%2Fwp%2Fv2%2Fusers', true],
    ['/wp-json/wp/v2/posts', '', false],
    ['/users', '', false],
    ['/', 'rest_route=/wp/v2/posts', false],
  ])('%s ?%s → %s', (path, q, expected) => expect(userListing(path, q)).toBe(expected));
});

describe('bustingQuery', () => {
  it.each([
    ['1689656213', true],
    ['r=8271645902', true],
    ['cb=a8f3k29d', true],
    ['_=1606262400000', true],
    ['x=1&rnd=k2j4h5g6', true],
    ['q=laptop', false],
    ['page=2', false],
    ['id=31893', false],
    ['q=iphone', false],
    ['q=iphone12', true], // a mixed word looks random: only a sustained rate on one page alerts
    ['a=1&b=2&c=3&d=4&e=x9y8z7w6', false],
    ['v=1.2.3', false],
    ['', false],
  ])('%s → %s', (q, expected) => expect(bustingQuery(q)).toBe(expected));
});

describe('randomLastSegment', () => {
  it.each([
    ['/k2j4h5g6x9', true],
    ['/a/b/83920174', true],
    ['/admin.php', false],
    ['/.env', false],
    ['/phpmyadmin', false],
    ['/products/31893', false],
    ['/wp-content/uploads/2019/', false],
  ])('%s → %s', (path, expected) => expect(randomLastSegment(path)).toBe(expected));
});

describe('malformed-request tokens', () => {
  const spec = KEYED_SCENARIOS.find((s) => s.id === 'malformed-request')!;
  it.each([
    [{ method: 'GET', path: '/', protocol: 'HTTP/1.1' }, 0],
    [{ method: 'GET', path: '/', protocol: 'HTTP/2.0' }, 0],
    [{ method: 'GET', path: '/history/apollo/', protocol: '' }, 0], // HTTP/0.9, as 1995 logs have
    [{ method: '-', path: '', protocol: '' }, 0], // nginx's "-": a connection closed before a request
    [{ method: 'GET', path: '/', protocol: 'HTTP/1.2' }, 1],
    [{ method: 'GET', path: '/', protocol: 'HTTP/9.9' }, 1],
    [{ method: '-', path: '\\x16\\x03\\x01\\x00\\xa5', protocol: '' }, 1],
  ])('%j → %d', (p, expected) => expect(spec.tokens(ev({ time: T0, ...p }), false)).toBe(expected));
});

describe('KeyedBuckets', () => {
  it('overflows past capacity, reports the count on every pour while overflowing, drains and re-arms', () => {
    const b = new KeyedBuckets(16);
    const got = Array.from({ length: 5 }, (_, i) => b.pour(7, T0 + i, 1, 3, 1_000));
    expect(got).toEqual([0, 0, 0, 4, 5]);
    // Capped at capacity + 1 = 4 tokens: empty 4 s after the last pour, then a fresh start.
    expect(b.pour(7, T0 + 4 + 4_001, 1, 3, 1_000)).toBe(0);
    expect(b.levelOf(7, T0 + 4 + 4_001, 1_000)).toBe(1);
  });

  it('an event more than rewindMs older than the cell starts a new timeline (a replay of the same log)', () => {
    const b = new KeyedBuckets(16, 3_600_000);
    for (let i = 0; i < 5; i++) b.pour(3, T0 + 7_200_000 + i, 1, 3, 1_000);
    expect(b.pour(3, T0, 1, 3, 1_000)).toBe(0);
    expect(b.levelOf(3, T0, 1_000)).toBe(1);
  });

  it('a late event leaks nothing and a colliding key resets the cell (delays, never invents, an alert)', () => {
    const b = new KeyedBuckets(1);
    b.pour(1, T0 + 10_000, 1, 1, 1_000);
    expect(b.pour(1, T0, 1, 1, 1_000)).toBe(2);
    expect(b.pour(2, T0 + 10_000, 1, 1, 1_000)).toBe(0);
    expect(b.levelOf(1, T0 + 10_000, 1_000)).toBe(0);
  });
});
