import { describe, expect, it } from 'vitest';
import { levelWithReputation } from './reputation-level.js';

describe('levelWithReputation', () => {
  it.each([
    [null, null, null],
    ['LOW', null, 'LOW'],
    ['LEGITIMATE_BROWSER', 10, 'LEGITIMATE_BROWSER'],
    ['LEGITIMATE_BROWSER', 50, 'MEDIUM'],
    ['KNOWN_BOT', 80, 'HIGH'],
    ['MEDIUM', 75, 'HIGH'],
    ['HIGH', 55, 'HIGH'],
    ['CRITICAL', 100, 'CRITICAL'],
    [null, 90, 'HIGH'],
    [null, 49.9, null],
    ['LOW', Number.NaN, 'LOW'],
  ] as const)('%s with risk %s → %s', (level, risk, expected) => {
    expect(levelWithReputation(level, risk)).toBe(expected);
  });
});
