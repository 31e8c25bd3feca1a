import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { integerParam } from './integer.js';
import { ipParam } from './ip.js';
import { listParam } from './list.js';
import { resolveRange } from './range.js';
import { readTime, resolveTime, TIME_MAX, timeParam } from './time.js';

const NOW = Date.parse('2025-03-10T12:00:00Z');

function at(raw: string): number | string {
  const spec = readTime(raw);
  return typeof spec === 'string' ? spec : resolveTime(spec, NOW);
}

describe('readTime and resolveTime', () => {
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
    ['9999-12-31T23:59:59.999Z', TIME_MAX],
    ['1970-01-01', 0],
  ])('reads %s', (raw, expected) => {
    expect(at(raw)).toBe(expected);
  });

  it.each([
    ['yesterday', /is not a time/],
    ['15x', /is not a time/],
    ['-15m', /is not a time/],
    ['2025-13-45', /is not a time/],
    ['2025-02-30T00:00:00Z', /is not a time/],
    ['', /is not a time/],
    ['1e12', /is not a time/],
    ['Infinity', /is not a time/],
    ["1'; drop", /is not a time/],
    ['1741600000', /looks like epoch seconds/],
    // Past PostgreSQL's range or the four-digit years: the client's mistake, not an outage.
    ['999999w', /out of range: times are from 1970-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z/],
    ['999999d', /out of range/],
    ['999999999999999', /out of range/],
    ['1969-12-31T23:59:59Z', /out of range/],
  ])('refuses %j: %s', (raw, problem) => {
    expect(at(raw)).toMatch(problem);
  });
});

describe('parameter schemas', () => {
  const q = z
    .object({
      limit: integerParam({ min: 1, max: 500, default: 50, description: 'Page size.' }),
      offset: integerParam({ min: 0, max: 100_000, description: 'Rows to skip.' }),
      ip: ipParam('Source IP.').optional(),
      severity: listParam(['low', 'high'] as const, { maxLength: 20, fold: 'lower' }),
      since: timeParam('Oldest.'),
      until: timeParam('Newest.'),
    })
    .strict()
    .transform((v, ctx) => ({ ...v, ...resolveRange(v, NOW, 86_400_000, ctx) }));

  function problem(input: Record<string, string>): string {
    const r = q.safeParse(input);
    if (r.success) throw new Error(`accepted ${JSON.stringify(input)}`);
    const issue = r.error.issues[0]!;
    return `${issue.path.join('.')} ${issue.message}`;
  }

  it('parses, folds and fills defaults', () => {
    expect(q.parse({ offset: '10', ip: '::FFFF:10.0.0.1', severity: ' High,low,high ', since: '1h' })).toEqual({
      limit: 50,
      offset: 10,
      ip: '10.0.0.1',
      severity: ['high', 'low'],
      since: NOW - 3_600_000,
      until: NOW,
    });
    expect(q.parse({ ip: '2001:DB8:0:0::1' }).ip).toBe('2001:db8::1');
    expect(q.parse({})).toMatchObject({ limit: 50, since: NOW - 86_400_000, until: NOW });
  });

  it.each([
    [{ limit: '0' }, 'limit must be an integer from 1 to 500'],
    [{ limit: '501' }, 'limit must be an integer from 1 to 500'],
    [{ limit: 'Infinity' }, 'limit must be an integer from 1 to 500'],
    [{ limit: '1e309' }, 'limit must be an integer from 1 to 500'],
    [{ limit: '-Infinity' }, 'limit must be an integer from 1 to 500'],
    [{ limit: 'NaN' }, 'limit must be an integer from 1 to 500'],
    [{ limit: '0x10' }, 'limit must be an integer from 1 to 500'],
    [{ limit: '1.5' }, 'limit must be an integer from 1 to 500'],
    [{ offset: 'Infinity' }, 'offset must be an integer from 0 to 100000'],
    [{ offset: '-1' }, 'offset must be an integer from 0 to 100000'],
    [{ ip: '10.0.0.256' }, 'ip is not an IPv4 or IPv6 address'],
    [{ ip: "1.2.3.4' or 1=1" }, 'ip is not an IPv4 or IPv6 address'],
    [{ severity: 'low,urgent' }, 'severity has unknown value "urgent"; valid: low, high'],
    [{ severity: ',,' }, 'severity is empty; valid: low, high'],
    [{ since: '999999w' }, 'since is out of range: times are from 1970-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z'],
    [{ until: '999999w' }, 'until is out of range: times are from 1970-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z'],
    [{ since: '1h', until: '2h' }, 'since is after "until"'],
    [{ since: '2030-01-01' }, 'since is after "until"'],
    [{ lmit: '1' }, ' Unrecognized key: "lmit"'],
  ])('refuses %j', (input, expected) => {
    expect(problem(input)).toBe(expected);
  });
});
