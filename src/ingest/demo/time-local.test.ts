import { describe, expect, it } from 'vitest';
import { formatOffset, timeLocalFormatter } from './time-local.js';

describe('timeLocalFormatter', () => {
  const t = Date.UTC(2000, 9, 10, 13, 55, 36, 789);

  it('formats $time_local at UTC by default', () => {
    expect(timeLocalFormatter()(t)).toBe('10/Oct/2000:13:55:36 +0000');
  });

  it('shifts the wall clock by the offset', () => {
    expect(timeLocalFormatter(120)(t)).toBe('10/Oct/2000:15:55:36 +0200');
    expect(timeLocalFormatter(-420)(t)).toBe('10/Oct/2000:06:55:36 -0700');
    expect(timeLocalFormatter(330)(Date.UTC(2024, 11, 31, 20, 0, 0))).toBe('01/Jan/2025:01:30:00 +0530');
  });

  it('returns the cached text within a second and new text after it', () => {
    const format = timeLocalFormatter();
    expect(format(t)).toBe(format(t + 100));
    expect(format(t + 1000)).toBe('10/Oct/2000:13:55:37 +0000');
  });

  it('rejects impossible offsets', () => {
    expect(() => timeLocalFormatter(900)).toThrow(RangeError);
    expect(() => timeLocalFormatter(1.5)).toThrow(RangeError);
    expect(formatOffset(-30)).toBe('-0030');
  });
});
