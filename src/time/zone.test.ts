import { describe, expect, it } from 'vitest';
import { describeTimeZone, isValidTimeZone, resolveTimeZone } from './zone.js';

describe('resolveTimeZone', () => {
  it.each([
    ['UTC', '2024-01-15T12:00:00Z', 0],
    ['Asia/Jakarta', '2024-01-15T12:00:00Z', 7 * 60],
    ['Asia/Tehran', '2019-01-22T00:00:00Z', 3 * 60 + 30],
    ['Europe/Paris', '2024-01-15T12:00:00Z', 60],
    ['Europe/Paris', '2024-07-15T12:00:00Z', 120],
    ['America/Los_Angeles', '2009-07-15T12:00:00Z', -7 * 60],
    ['Asia/Kathmandu', '2024-01-15T12:00:00Z', 5 * 60 + 45],
  ])('%s at %s is %s minutes', (name, at, minutes) => {
    expect(resolveTimeZone(name).offsetAt(Date.parse(at))).toBe(minutes * 60_000);
  });

  it('finds the offset on both sides of a DST change', () => {
    const paris = resolveTimeZone('Europe/Paris');
    // 2024-03-31 01:00 UTC is when Paris moves from +01:00 to +02:00.
    expect(paris.offsetAt(Date.parse('2024-03-31T00:59:59Z'))).toBe(3_600_000);
    expect(paris.offsetAt(Date.parse('2024-03-31T01:00:00Z'))).toBe(7_200_000);
    expect(paris.wallToUtc(Date.UTC(2024, 2, 31, 3, 30))).toBe(Date.parse('2024-03-31T01:30:00Z'));
    expect(paris.wallToUtc(Date.UTC(2024, 2, 31, 1, 30))).toBe(Date.parse('2024-03-31T00:30:00Z'));
  });

  it('names an unknown zone', () => {
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(() => resolveTimeZone('Mars/Olympus')).toThrow(/unknown time zone "Mars\/Olympus"/);
  });

  it('describes itself for start-up', () => {
    const text = describeTimeZone(resolveTimeZone('Asia/Kolkata'), Date.UTC(2024, 0, 1));
    expect(text).toBe('times without a UTC offset are read as Asia/Kolkata (now UTC+05:30)');
    expect(describeTimeZone(resolveTimeZone('America/New_York'), Date.UTC(2024, 0, 1))).toContain(
      'UTC-05:00',
    );
  });
});
