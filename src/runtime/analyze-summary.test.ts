import { describe, expect, it } from 'vitest';
import { groupedThousands } from './analyze-summary.js';

describe('groupedThousands', () => {
  it.each([
    [0, '0'],
    [7, '7'],
    [999, '999'],
    [1000, '1,000'],
    [12345, '12,345'],
    [165657, '165,657'],
    [1234567, '1,234,567'],
    [1e9, '1,000,000,000'],
    [1234.6, '1,235'],
    [-1234, '-1,234'],
  ])('%d as %s, as en-US toLocaleString writes it', (n, text) => {
    expect(groupedThousands(n)).toBe(text);
    expect(groupedThousands(n)).toBe(Math.round(n).toLocaleString('en-US'));
  });
});
