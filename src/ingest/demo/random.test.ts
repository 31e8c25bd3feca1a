import { describe, expect, it } from 'vitest';
import { Random, weightedTable } from './random.js';

const draw = (seed: number | string, n = 20): number[] => {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => rng.uint32());
};

describe('Random', () => {
  it('repeats a sequence for the same seed and differs across seeds', () => {
    expect(draw(42)).toEqual(draw(42));
    expect(draw('demo')).toEqual(draw('demo'));
    expect(draw(1)).not.toEqual(draw(2));
    expect(draw(1)).not.toEqual(draw('1'));
  });

  it('keeps values in range', () => {
    const rng = new Random(7);
    const bad: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const x = rng.next();
      const n = rng.int(3, 9);
      if (!(x >= 0 && x < 1)) bad.push(`next ${x}`);
      if (!(n >= 3 && n <= 9 && Number.isInteger(n))) bad.push(`int ${n}`);
      if (rng.geometric(4) < 1) bad.push('geometric');
      if (rng.exponential(10) < 0) bad.push('exponential');
    }
    expect(bad).toEqual([]);
  });

  it('follows weights and means roughly', () => {
    const rng = new Random(3);
    const table = weightedTable([
      ['a', 1],
      ['b', 3],
      ['c', 0],
    ] as const);
    const counts = { a: 0, b: 0, c: 0 };
    let sum = 0;
    for (let i = 0; i < 40_000; i++) {
      counts[rng.weighted(table)]++;
      sum += rng.exponential(5);
    }
    expect(counts.c).toBe(0);
    expect(counts.b / counts.a).toBeGreaterThan(2.7);
    expect(counts.b / counts.a).toBeLessThan(3.3);
    expect(sum / 40_000).toBeGreaterThan(4.8);
    expect(sum / 40_000).toBeLessThan(5.2);
  });

  it('rejects empty or zero-weight tables', () => {
    expect(() => weightedTable([])).toThrow(RangeError);
    expect(() => weightedTable([['x', 0]])).toThrow(RangeError);
  });
});
