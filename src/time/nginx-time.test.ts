import { describe, expect, it } from 'vitest';
import { formatTimeLocalUtc, parseTimeLocal } from './nginx-time.js';

describe('parseTimeLocal', () => {
  it.each([
    ['10/Oct/2000:13:55:36 -0700', '2000-10-10T20:55:36.000Z'],
    ['17/May/2015:08:05:32 +0000', '2015-05-17T08:05:32.000Z'],
    ['22/Jan/2019:03:56:14 +0330', '2019-01-22T00:26:14.000Z'],
    ['10/Dec/2024:00:00:02 +0700', '2024-12-09T17:00:02.000Z'],
    ['29/Feb/2024:23:59:59 +0000', '2024-02-29T23:59:59.000Z'],
    ['01/Jan/1970:00:00:00 +0000', '1970-01-01T00:00:00.000Z'],
    ['31/Dec/1969:23:59:59 +0000', '1969-12-31T23:59:59.000Z'],
    ['01/jan/2020:00:00:00 -1200', '2020-01-01T12:00:00.000Z'],
    ['15/Jul/2009:14:58:59 -0700', '2009-07-15T21:58:59.000Z'],
  ])('%s → %s', (text, iso) => {
    expect(new Date(parseTimeLocal(text)!).toISOString()).toBe(iso);
  });

  it('parses consecutive texts that differ in one place each: second, zone, day, position', () => {
    // Each pair differs from the one before in a single place; every one must be parsed anew.
    const seq = [
      ['10/Oct/2000:13:55:36 -0700', '2000-10-10T20:55:36.000Z'],
      ['10/Oct/2000:13:55:36 -0700', '2000-10-10T20:55:36.000Z'], // repeated
      ['10/Oct/2000:13:55:37 -0700', '2000-10-10T20:55:37.000Z'], // next second
      ['10/Oct/2000:13:55:47 -0700', '2000-10-10T20:55:47.000Z'], // only the tens digit
      ['10/Oct/2000:13:56:47 -0700', '2000-10-10T20:56:47.000Z'], // same seconds, next minute
      ['10/Oct/2000:13:56:47 +0700', '2000-10-10T06:56:47.000Z'], // zone sign
      ['10/Oct/2000:13:56:47 +0730', '2000-10-10T06:26:47.000Z'], // zone minutes
      ['11/Oct/2000:13:56:47 +0730', '2000-10-11T06:26:47.000Z'], // day
      ['11/Nov/2000:13:56:47 +0730', '2000-11-11T06:26:47.000Z'], // month
      ['11/Nov/2001:13:56:47 +0730', '2001-11-11T06:26:47.000Z'], // year
    ] as const;
    for (const [text, iso] of seq) expect(new Date(parseTimeLocal(text)!).toISOString(), text).toBe(iso);
    // The same text at another position in another line.
    const line = `x [11/Nov/2001:13:56:47 +0730] y`;
    expect(new Date(parseTimeLocal(line, 3, 29)!).toISOString()).toBe('2001-11-11T06:26:47.000Z');
    // Invalid text sharing the previous seconds is not mistaken for it (the day cache must not leak).
    expect(parseTimeLocal('11/Nov/2001:13:56:47 x0730')).toBeNull();
    expect(parseTimeLocal('31/Nov/2001:13:56:47 +0730')).toBeNull();
    expect(new Date(parseTimeLocal('11/Nov/2001:13:56:47 +0730')!).toISOString()).toBe(
      '2001-11-11T06:26:47.000Z',
    );
  });

  it('agrees with Date.parse across every month', () => {
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    months.forEach((m, i) => {
      const text = `28/${m}/2023:12:34:56 -0130`;
      const iso = `2023-${String(i + 1).padStart(2, '0')}-28T12:34:56-01:30`;
      expect(parseTimeLocal(text), text).toBe(Date.parse(iso));
    });
  });

  it.each([
    '',
    '10/Oct/2000:13:55:36', // no offset
    '10/Oct/2000:13:55:36 -07000',
    '10/Oct/2000 13:55:36 -0700',
    '10/Okt/2000:13:55:36 -0700',
    '32/Oct/2000:13:55:36 -0700',
    '29/Feb/2023:13:55:36 -0700', // not a leap year
    '00/Oct/2000:13:55:36 -0700',
    '10/Oct/2000:24:55:36 -0700',
    '10/Oct/2000:13:60:36 -0700',
    '10/Oct/2000:13:55:36 *0700',
    '10/Oct/2000:13:55:36 -07x0',
    '1x/Oct/2000:13:55:36 -0700',
  ])('rejects %j', (text) => {
    expect(parseTimeLocal(text)).toBeNull();
  });

  it('a cached day is not reused for another day', () => {
    expect(parseTimeLocal('10/Oct/2000:00:00:00 +0000')).toBe(Date.UTC(2000, 9, 10));
    expect(parseTimeLocal('11/Oct/2000:00:00:00 +0000')).toBe(Date.UTC(2000, 9, 11));
    expect(parseTimeLocal('11/Nov/2000:00:00:00 +0000')).toBe(Date.UTC(2000, 10, 11));
    expect(parseTimeLocal('11/Nov/2001:00:00:00 +0000')).toBe(Date.UTC(2001, 10, 11));
  });

  it('reads the time in place inside a line', () => {
    const line = '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1"';
    expect(parseTimeLocal(line, 13, 39)).toBe(Date.parse('2000-10-10T13:55:36-07:00'));
  });

  it('formatTimeLocalUtc round-trips', () => {
    const ms = Date.UTC(2015, 4, 17, 8, 5, 32);
    expect(formatTimeLocalUtc(ms)).toBe('17/May/2015:08:05:32 +0000');
    expect(parseTimeLocal(formatTimeLocalUtc(ms))).toBe(ms);
  });
});
