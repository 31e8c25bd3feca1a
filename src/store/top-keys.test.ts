import { describe, expect, it } from 'vitest';
import { planRange, rankCandidates, TOP, unlistedBound } from './top-keys.js';

const H = 3_600_000;
const DAY = 24 * H;
const D = 20_000 * DAY;

describe('planRange', () => {
  it.each([
    ['whole days', D, D + 3 * DAY, [], { fullFrom: D, fullTo: D + 3 * DAY, minutes: [] }],
    ['partial edges without data outside read whole', D + 5 * H, D + 2 * DAY + 3 * H, [], { fullFrom: D, fullTo: D + 3 * DAY, minutes: [] }],
    [
      'a long partial first day: its row minus the hours before',
      D + 5 * H,
      D + 2 * DAY,
      [D],
      { fullFrom: D, fullTo: D + 2 * DAY, minutes: [{ from: D, to: D + 5 * H, sign: -1 }] },
    ],
    [
      'a short partial last day: its minutes, outside the whole days',
      D,
      D + DAY + 3 * H,
      [D + DAY],
      { fullFrom: D, fullTo: D + DAY, minutes: [{ from: D + DAY, to: D + DAY + 3 * H, sign: 1 }] },
    ],
    [
      'inside one day, most of it: the day minus both ends',
      D + 2 * H,
      D + 20 * H,
      [D],
      {
        fullFrom: D,
        fullTo: D + DAY,
        minutes: [
          { from: D, to: D + 2 * H, sign: -1 },
          { from: D + 20 * H, to: D + DAY, sign: -1 },
        ],
      },
    ],
    ['inside one day, a few hours: only minutes', D + 2 * H, D + 5 * H, [D], { fullFrom: D + DAY, fullTo: D + DAY, minutes: [{ from: D + 2 * H, to: D + 5 * H, sign: 1 }] }],
  ] as const)('%s', (_name, since, until, outside, plan) => {
    expect(planRange(since, until, (d) => (outside as readonly number[]).includes(d))).toEqual(plan);
  });
});

const cand = (day: number, key: string, threats: number, requests: number) => ({ day, key, threats, requests });

describe('unlistedBound', () => {
  it.each([
    ['no day full: every key is a candidate', [cand(D, 'a', 5, 9)], 2, { full: false, threats: 0, requests: 0 }],
    [
      'sums the K-th of the full days only',
      [cand(D, 'a', 5, 9), cand(D, 'b', 2, 4), cand(D + DAY, 'a', 1, 1), cand(D + DAY, 'c', 0, 7), cand(D + 2 * DAY, 'a', 9, 9)],
      2,
      { full: true, threats: 2, requests: 11 },
    ],
  ] as const)('%s', (_name, candidates, k, bound) => {
    expect(unlistedBound(candidates, k)).toEqual(bound);
  });
});

describe('rankCandidates', () => {
  const totals = (n: number, threats: (i: number) => number, requests: (i: number) => number) =>
    new Map(Array.from({ length: n }, (_, i) => [`k${String(i).padStart(2, '0')}`, { threats: threats(i), requests: requests(i) }]));

  it.each([
    ['not full: exact whatever the counts', totals(12, () => 1, () => 1), { full: false, threats: 0, requests: 0 }, true, 1],
    ['the last listed above the bound: exact', totals(12, (i) => 20 - i, () => 1), { full: true, threats: 10, requests: 50 }, true, 11],
    ['the last listed at the bound: not provably the top', totals(12, (i) => 20 - i, () => 1), { full: true, threats: 11, requests: 50 }, false, 11],
    ['a zero threat bound: more requests than the requests bound', totals(12, () => 0, (i) => 100 - i), { full: true, threats: 0, requests: 90 }, true, 0],
    ['a zero threat bound: requests not above it', totals(12, () => 0, (i) => 100 - i), { full: true, threats: 0, requests: 91 }, false, 0],
    ['a zero threat bound and listed threats: exact', totals(12, () => 1, () => 1), { full: true, threats: 0, requests: 999 }, true, 1],
  ] as const)('%s', (_name, t, bound, exact, unlisted) => {
    const r = rankCandidates(t, bound);
    expect(r.entries).toHaveLength(TOP);
    expect(r.exact).toBe(exact);
    expect(r.unlistedMaxThreats).toBe(unlisted);
  });

  it('ranks by threats, then requests, then key, and drops empty keys', () => {
    const r = rankCandidates(
      new Map([
        ['b', { threats: 1, requests: 5 }],
        ['a', { threats: 1, requests: 5 }],
        ['c', { threats: 2, requests: 1 }],
        ['z', { threats: 0, requests: 0 }],
      ]),
      { full: false, threats: 0, requests: 0 },
    );
    expect(r.entries.map((e) => e.key)).toEqual(['c', 'a', 'b']);
  });
});
