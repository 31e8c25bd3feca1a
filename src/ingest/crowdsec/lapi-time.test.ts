import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDuration, parseLapiTime } from './lapi-time.js';

describe('parseGoDuration', () => {
  it.each([
    ['3h59m59.285154898s', 3 * 3_600_000 + 59 * 60_000 + 59_285.154898],
    ['59m59.2851564s', 59 * 60_000 + 59_285.1564],
    ['-11.091292ms', -11.091292],
    ['-100534h2m38.575799144s', -(100534 * 3_600_000 + 2 * 60_000 + 38_575.799144)],
    ['4h', 14_400_000],
    ['1m0s', 60_000],
    ['0', 0],
    ['10s', 10_000],
    ['1.5h', 5_400_000],
    ['250us', 0.25],
  ])('%s', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 3);
  });
  it.each(['', '4', 'h', '4d', '4h x', '--4h', 'x'.repeat(100), '4h5'])('rejects %j', (text) => {
    expect(parseGoDuration(text)).toBeNull();
  });
});

describe('formatGoDuration', () => {
  it.each([
    [14_400_000, '4h'],
    [5_400_000, '1h30m'],
    [90_000, '1m30s'],
    [3_661_000, '1h1m1s'],
    [0, '1s'],
    [400, '1s'],
  ])('%d ms', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
    expect(parseGoDuration(text)).toBe(Math.max(1000, Math.round(ms / 1000) * 1000));
  });
});

describe('parseLapiTime', () => {
  it.each([
    ['2015-06-03 11:06:48 +0000 UTC', Date.UTC(2015, 5, 3, 11, 6, 48)],
    ['2015-06-03 11:06:48.123456789 +0200 CEST', Date.UTC(2015, 5, 3, 9, 6, 48, 123)],
    ['2026-11-21T13:07:08Z', Date.UTC(2026, 10, 21, 13, 7, 8)],
    ['2026-11-21T13:07:08.5+01:00', Date.UTC(2026, 10, 21, 12, 7, 8, 500)],
  ])('%s', (text, ms) => {
    expect(parseLapiTime(text)).toBe(ms);
  });
  it.each(['', 'yesterday', '2015-06-03', '2015-13-03 11:06:48 +0000 UTC', '2015-06-03 11:06:48'])('rejects %j', (text) => {
    expect(parseLapiTime(text)).toBeNull();
  });
});
