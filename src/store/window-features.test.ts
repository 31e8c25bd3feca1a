import { describe, expect, it } from 'vitest';
import { binBounds, binCount, binOf, percentile, stddev } from './window-features.js';

describe('feature histograms', () => {
  const cases: [Parameters<typeof binOf>[0], number, number][] = [
    ['ratio_4xx', 0, 0],
    ['ratio_4xx', 0.049, 0],
    ['ratio_4xx', 0.05, 1],
    ['ratio_4xx', 1, 19],
    ['hits', 0, 0],
    ['hits', 1, 1],
    ['hits', 3, 2],
    ['hits', 4, 3],
    ['hits', 1e12, 23],
    ['velocity', 1 / 128, 0],
    ['velocity', 1 / 64, 1],
    ['velocity', 1, 7],
  ];
  it.each(cases)('%s %d is in bin %d, and the bin holds it', (feature, value, bin) => {
    expect(binOf(feature, value)).toBe(bin);
    const [lo, hi] = binBounds(feature, bin);
    expect(value).toBeGreaterThanOrEqual(lo);
    if (bin < binCount(feature) - 1) expect(value).toBeLessThan(hi);
  });

  it('estimates percentiles inside the bin and within the exact min and max', () => {
    const bins = new Array<number>(24).fill(0);
    bins[binOf('hits', 4)] = 10; // ten windows in [4, 8)
    bins[binOf('hits', 100)] = 10; // ten in [64, 128)
    // The first bin is [4, 8) clamped to the exact min 5: half of it is 6.5.
    expect(percentile('hits', bins, 0.25, 5, 100)).toBeCloseTo(6.5, 5);
    expect(percentile('hits', bins, 0.5, 5, 100)).toBeCloseTo(8, 5);
    expect(percentile('hits', bins, 1, 5, 100)).toBe(100);
    expect(percentile('hits', bins, 0, 5, 100)).toBe(5);
    expect(percentile('hits', new Array<number>(24).fill(0), 0.5, 0, 0)).toBeNull();
    expect(stddev({ n: 2, sum: 6, sumsq: 20, min: 2, max: 4 })).toBe(1);
  });
});
