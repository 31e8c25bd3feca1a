import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../core/errors.js';
import { parseIpParam } from './ip.js';
import { parseListParam } from './list.js';
import { parseTimeParam } from './time.js';

const NOW = Date.parse('2025-03-10T12:00:00Z');

describe('parseTimeParam', () => {
  it.each([
    ['15m', NOW - 15 * 60_000],
    ['24h', NOW - 24 * 3_600_000],
    ['7d', NOW - 7 * 86_400_000],
    ['2w', NOW - 14 * 86_400_000],
    ['30s', NOW - 30_000],
    ['now', NOW],
    ['1741600000000', 1741600000000],
    ['2025-03-01', Date.parse('2025-03-01T00:00:00Z')],
    ['2025-03-01T10:20:30Z', Date.parse('2025-03-01T10:20:30Z')],
    ['2025-03-01T10:20:30.250+02:00', Date.parse('2025-03-01T08:20:30.250Z')],
    // No offset reads as UTC, whatever the server's zone.
    ['2025-03-01T10:20', Date.parse('2025-03-01T10:20:00Z')],
    ['2025-03-01 10:20:30', Date.parse('2025-03-01T10:20:30Z')],
  ])('reads %s', (raw, expected) => {
    expect(parseTimeParam('since', raw, NOW)).toBe(expected);
  });

  it.each(['yesterday', '15x', '-15m', '2025-13-45', '2025-02-30T00:00:00Z', '', '1e12', "1'; drop"])(
    'rejects %j naming the parameter',
    (raw) => {
      const err = catchError(() => parseTimeParam('until', raw, NOW));
      expect(err).toBeInstanceOf(BadRequestError);
      expect((err as BadRequestError).field).toBe('until');
      expect(err.message).toContain('"until"');
    },
  );

  it('rejects epoch seconds with a hint', () => {
    expect(() => parseTimeParam('since', '1741600000', NOW)).toThrow(/epoch seconds/);
  });
});

describe('parseIpParam', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['2001:DB8:0:0::1', '2001:db8::1'],
  ])('normalises %s to %s', (raw, expected) => {
    expect(parseIpParam('ip', raw)).toBe(expected);
  });

  it.each(['10.0.0.256', 'localhost', '1.2.3', "1.2.3.4' or 1=1", ''])('rejects %j', (raw) => {
    expect(() => parseIpParam('ip', raw)).toThrow(/"ip" is not an IPv4 or IPv6 address/);
  });
});

describe('parseListParam', () => {
  const allowed = ['low', 'high'] as const;
  it('splits, trims, lower-cases and de-duplicates', () => {
    expect(parseListParam('severity', ' High,low,high ', allowed)).toEqual(['high', 'low']);
  });
  it('names the parameter and lists the valid values', () => {
    expect(() => parseListParam('severity', 'low,urgent', allowed)).toThrow(
      'query parameter "severity" has unknown value "urgent"; valid: low, high',
    );
    expect(() => parseListParam('severity', ',,', allowed)).toThrow(/is empty/);
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}
