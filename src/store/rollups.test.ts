import { describe, expect, it } from 'vitest';
import { aggregate, capKeys, MAX_ROLLUP_PATH, minuteOf, OTHER } from './rollups.js';
import { makeDetection, makeEvent, makeThreat, T0 } from './testing/fixtures.js';

describe('aggregate', () => {
  it('counts per minute, severity, category, ip and path', () => {
    const a = makeEvent('a', { time: T0 + 59_999, ip: '1.1.1.1', path: '/x' });
    const b = makeEvent('b', { time: T0 + 60_000, ip: '1.1.1.1', path: 'y'.repeat(300) });
    const r = aggregate([a, b], [makeThreat(a, { severity: 'critical', category: 'xss' })]);
    expect(r.minutes.get(T0)).toEqual({
      requests: 1,
      threats: 1,
      bySeverity: { info: 0, low: 0, medium: 0, high: 0, critical: 1 },
    });
    expect(r.minutes.get(T0 + 60_000)?.requests).toBe(1);
    expect(r.categories.get(T0)).toEqual(new Map([['xss', 1]]));
    expect(r.ips.get(T0)?.get('1.1.1.1')).toEqual({ requests: 1, threats: 1 });
    expect([...r.paths.get(T0 + 60_000)!.keys()]).toEqual(['y'.repeat(MAX_ROLLUP_PATH)]);
  });

  it('does not count a threat whose detections are all simulated', () => {
    const a = makeEvent('a', { time: T0, ip: '1.1.1.1', path: '/x' });
    const b = makeEvent('b', { time: T0, ip: '2.2.2.2', path: '/y' });
    const simulated = makeThreat(a, { score: 0, severity: 'info', detections: [{ ...makeDetection({}), simulated: true }] });
    const mixed = makeThreat(b, { detections: [{ ...makeDetection({}), simulated: true }, makeDetection({})] });
    const r = aggregate([a, b], [simulated, mixed]);
    expect(r.minutes.get(T0)).toMatchObject({ requests: 2, threats: 1, bySeverity: { info: 0, high: 1 } });
    expect(r.ips.get(T0)?.get('1.1.1.1')).toEqual({ requests: 1, threats: 0 });
    expect(r.categories.get(T0)).toEqual(new Map([['sqli', 1]]));
  });

  it('floors negative times to their minute too', () => {
    expect(minuteOf(-1)).toBe(-60_000);
  });
});

describe('capKeys', () => {
  const keys = (entries: [string, number, number][]) =>
    new Map(entries.map(([k, requests, threats]) => [k, { requests, threats }]));

  it('keeps the busiest keys (threats first) and folds the rest into OTHER', () => {
    const capped = capKeys(keys([['a', 9, 0], ['b', 1, 2], ['c', 5, 0], ['d', 1, 0]]), 3);
    expect(capped).toEqual(keys([['b', 1, 2], ['a', 9, 0], [OTHER, 6, 0]]));
  });

  it('leaves a map within the limit alone, and merges into an existing OTHER', () => {
    const small = keys([['a', 1, 0]]);
    expect(capKeys(small, 1)).toBe(small);
    expect(capKeys(keys([[OTHER, 9, 9], ['a', 1, 0], ['b', 1, 0]]), 2)).toEqual(keys([[OTHER, 11, 9]]));
  });
});
