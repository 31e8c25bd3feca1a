import { describe, expect, it } from 'vitest';
import { growth, QUADRATIC_GROWTH, quadraticOrFar } from './cost.js';

// The growth check is what the worst-case tests rely on to tell a busy machine from quadratic code, so it
// must itself tell a linear scan from a quadratic one.
const linear = (n: number) => {
  const s = 'a'.repeat(n * 64);
  return () => void s.split('').reduce((acc, c) => acc + c.charCodeAt(0), 0);
};
const quadratic = (n: number) => {
  const s = 'a'.repeat(n);
  return () => {
    let acc = 0;
    for (let i = 0; i < s.length; i++) for (let j = i; j < s.length; j++) acc += s.charCodeAt(j);
    return void acc;
  };
};

describe('growth: linear or quadratic, on a machine of any speed', () => {
  it('a linear scan grows about four times at four times the size', () => {
    expect(growth(linear, 8192)).toBeLessThan(QUADRATIC_GROWTH);
  });
  it('a quadratic scan grows about sixteen times', () => {
    expect(growth(quadratic, 8192)).toBeGreaterThanOrEqual(QUADRATIC_GROWTH);
  });
  it('keeps only the runs over budget that grow quadratically or are ten times over', () => {
    const over = [
      { ms: 3, what: 'linear', at: linear, size: 8192 },
      { ms: 3, what: 'quadratic', at: quadratic, size: 8192 },
      { ms: 1, what: 'under', at: quadratic, size: 8192 },
      { ms: 25, what: 'far', at: linear, size: 8192 },
    ];
    expect(quadraticOrFar(over, 2).map((s) => s.split(' ')[0])).toEqual(['quadratic', 'far']);
  });
});
