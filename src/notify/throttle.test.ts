import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from './backoff.js';
import { Throttle, throttleKey } from './throttle.js';

const MIN = 60_000;

describe('throttle: one per key per window, the next one says how many were left out', () => {
  it('walks a 10-minute window', () => {
    const th = new Throttle(10 * MIN, 100);
    const k = throttleKey('ops', '203.0.113.7', 'sqli-union-select');
    const steps: [number, unknown][] = [
      [0, { send: true, suppressed: { count: 0, since: null } }],
      [1 * MIN, { send: false }],
      [2 * MIN, { send: false }],
      [9 * MIN, { send: false }],
      [10 * MIN, { send: true, suppressed: { count: 3, since: 1 * MIN } }],
      [15 * MIN, { send: false }],
      [40 * MIN, { send: true, suppressed: { count: 1, since: 15 * MIN } }],
      [51 * MIN, { send: true, suppressed: { count: 0, since: null } }],
    ];
    for (const [at, want] of steps) expect(th.admit(k, at), `at ${at / MIN} min`).toEqual(want);
  });

  it('keys are independent: another IP, rule or channel is not throttled', () => {
    const th = new Throttle(10 * MIN, 100);
    expect(th.admit(throttleKey('ops', '203.0.113.7', 'r1'), 0).send).toBe(true);
    expect(th.admit(throttleKey('ops', '203.0.113.8', 'r1'), 1).send).toBe(true);
    expect(th.admit(throttleKey('ops', '203.0.113.7', 'r2'), 2).send).toBe(true);
    expect(th.admit(throttleKey('mail', '203.0.113.7', 'r1'), 3).send).toBe(true);
    expect(th.admit(throttleKey('ops', '203.0.113.7', 'r1'), 4).send).toBe(false);
  });

  it('window 0 turns it off', () => {
    const th = new Throttle(0, 100);
    for (let i = 0; i < 3; i++) expect(th.admit('k', 0)).toEqual({ send: true, suppressed: { count: 0, since: null } });
  });

  it('forgets the least recently seen keys beyond maxKeys', () => {
    const th = new Throttle(10 * MIN, 100);
    for (let i = 0; i < 150; i++) th.admit(`k${i}`, 0);
    expect(th.size).toBe(100);
    expect(th.admit('k149', 1).send).toBe(false);
    expect(th.admit('k0', 1).send).toBe(true);
  });
});

describe('backoff', () => {
  const policy = { initialMs: 1000, maxMs: 60_000 };
  it.each([
    [1, 0, undefined, 500],
    [1, 1, undefined, 1000],
    [2, 1, undefined, 2000],
    [3, 0.5, undefined, 3000],
    [10, 1, undefined, 60_000],
    [60, 0, undefined, 30_000],
    [1, 0, 5000, 5000],
    [1, 1, 100, 1000],
    [1, 0, 3_600_000, 60_000],
  ])('attempt %i, random %d, Retry-After %s -> %i ms', (attempt, r, retryAfter, want) => {
    expect(backoffDelay(attempt, policy, () => r, retryAfter)).toBe(want);
  });

  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Mon, 07 Dec 2026 23:01:00 GMT', 60_000],
    ['Mon, 07 Dec 2026 22:00:00 GMT', 0],
    ['soon', undefined],
    ['-5', undefined],
    [null, undefined],
  ])('Retry-After %j -> %s ms', (value, want) => {
    expect(parseRetryAfter(value, Date.UTC(2026, 11, 7, 23, 0, 0))).toBe(want);
  });
});
