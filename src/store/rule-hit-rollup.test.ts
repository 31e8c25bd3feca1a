import { describe, expect, it } from 'vitest';
import { aggregateRuleHours, hourSplit } from './rule-hit-rollup.js';
import { makeDetection, makeEvent, makeThreat, T0 } from './testing/fixtures.js';

const H = 3_600_000;

describe('aggregateRuleHours', () => {
  it('counts every hit per hour and rule, simulated ones also apart, in (rule, hour) order', () => {
    const hit = (id: string, time: number, ...rules: [string, boolean][]) =>
      makeThreat(makeEvent(id, { time }), { detections: rules.map(([ruleId, simulated]) => makeDetection({ ruleId, simulated })) });
    const rows = aggregateRuleHours([
      hit('a', T0 + H + 5, ['z-rule', false], ['a-rule', true]),
      hit('b', T0 + H - 1, ['z-rule', false]),
      // A threat whose hits are all simulated is stored with its hits, so its hits count (as in threat_hits).
      hit('c', T0, ['z-rule', true], ['z-rule', false]),
      hit('d', T0 + 2 * H, ['nul\u0000id', false]),
    ]);
    expect(rows).toEqual([
      { hour: T0 + H, ruleId: 'a-rule', hits: 1, simulated: 1 },
      { hour: T0 + 2 * H, ruleId: 'nul\uFFFDid', hits: 1, simulated: 0 },
      { hour: T0, ruleId: 'z-rule', hits: 3, simulated: 1 },
      { hour: T0 + H, ruleId: 'z-rule', hits: 1, simulated: 0 },
    ]);
    expect(aggregateRuleHours([])).toEqual([]);
  });
});

describe('hourSplit', () => {
  it.each([
    ['whole hours', T0, T0 + 3 * H, T0, T0 + 3 * H],
    ['partial first and last hour', T0 + 1, T0 + 3 * H - 1, T0 + H, T0 + 2 * H],
    ['inside one hour: all edge', T0 + 10, T0 + 20, T0 + 20, T0 + 20],
    ['ends on the next hour', T0 + 10, T0 + H, T0 + H, T0 + H],
    ['empty', T0 + 5, T0 + 5, T0 + 5, T0 + 5],
  ])('%s', (_, since, until, hoursFrom, hoursTo) => {
    expect(hourSplit(since, until)).toEqual({ hoursFrom, hoursTo });
  });
});
