import { describe, expect, it } from 'vitest';
import { parseIso8601, parseMsec } from './iso-time.js';
import { resolveTimeZone } from './zone.js';

const utc = resolveTimeZone('UTC');
const jakarta = resolveTimeZone('Asia/Jakarta');
const paris = resolveTimeZone('Europe/Paris');

describe('parseIso8601', () => {
  it.each([
    ['2000-10-10T13:55:36-07:00', utc, '2000-10-10T20:55:36.000Z'],
    ['2000-10-10T13:55:36+0530', utc, '2000-10-10T08:25:36.000Z'],
    ['2000-10-10T13:55:36+05', utc, '2000-10-10T08:55:36.000Z'],
    ['2019-01-22T03:56:14.123Z', utc, '2019-01-22T03:56:14.123Z'],
    ['2019-01-22T03:56:14.1239Z', utc, '2019-01-22T03:56:14.123Z'],
    ['2019-01-22 03:56:14Z', utc, '2019-01-22T03:56:14.000Z'],
    ['2019-01-22T03:56Z', utc, '2019-01-22T03:56:00.000Z'],
    ['2019-01-22T03:56:14', utc, '2019-01-22T03:56:14.000Z'],
    ['2024-12-10T00:00:02', jakarta, '2024-12-09T17:00:02.000Z'], // no offset: read in the zone
    ['2024-07-01T12:00:00', paris, '2024-07-01T10:00:00.000Z'], // summer time
    ['2024-01-15T12:00:00', paris, '2024-01-15T11:00:00.000Z'], // winter time
    ['2024-07-01T12:00:00+00:00', paris, '2024-07-01T12:00:00.000Z'], // an offset beats the zone
  ])('%s → %s', (text, zone, iso) => {
    expect(new Date(parseIso8601(text, zone)!).toISOString()).toBe(iso);
  });

  it.each([
    '',
    '2019-01-22',
    '2019/01/22T03:56:14Z',
    '2019-13-22T03:56:14Z',
    '2019-02-30T03:56:14Z',
    '2019-01-22T25:56:14Z',
    '2019-01-22T03:56:14+24:00',
    '2019-01-22T03:56:14 +00:00',
    '2019-01-22T03:56:14.Z',
    '2019-01-22T03:56:14Zjunk',
    '2019-01-22T03:56:14+01:0',
  ])('rejects %j', (text) => {
    expect(parseIso8601(text, utc)).toBeNull();
  });
});

describe('parseMsec', () => {
  it.each([
    ['1571234567.123', 1571234567123],
    ['1571234567', 1571234567000],
    ['1571234567.1', 1571234567100],
    ['0.000', 0],
  ])('%s → %s', (text, ms) => {
    expect(parseMsec(text)).toBe(ms);
  });

  it.each(['', '-', '.5', '15712x4567.123', '1571234567.', '1571234567.12a', '1'.repeat(30)])(
    'rejects %j',
    (text) => {
      expect(parseMsec(text)).toBeNull();
    },
  );
});
