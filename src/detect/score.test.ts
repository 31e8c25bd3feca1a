import { describe, expect, it } from 'vitest';
import type { Detection } from '../core/index.js';
import { scoreDetections } from './score.js';

const d = (over: Partial<Detection>): Detection => ({
  ruleId: 'r',
  category: 'sqli',
  severity: 'high',
  confidence: 0.9,
  field: 'arg:q',
  fragment: 'x',
  ...over,
});

describe('scoreDetections', () => {
  const cases: { name: string; in: Detection[]; score: number; severity: string; category: string; alerting: boolean }[] = [
    { name: 'nothing', in: [], score: 0, severity: 'info', category: 'anomaly', alerting: false },
    { name: 'one high', in: [d({})], score: 0.72, severity: 'high', category: 'sqli', alerting: true },
    { name: 'one critical full confidence', in: [d({ severity: 'critical', confidence: 1 })], score: 1, severity: 'critical', category: 'sqli', alerting: true },
    {
      name: 'noisy-or of two mediums',
      in: [d({ severity: 'medium', confidence: 0.5, category: 'scanner' }), d({ severity: 'medium', confidence: 0.5, category: 'scanner' })],
      score: 1 - (1 - 0.275) ** 2,
      severity: 'medium',
      category: 'scanner',
      alerting: true,
    },
    {
      name: 'highest severity wins, category from strongest',
      in: [d({ severity: 'medium', confidence: 0.9, category: 'scanner' }), d({ severity: 'critical', confidence: 0.8, category: 'rce' })],
      score: 1 - (1 - 0.495) * (1 - 0.8),
      severity: 'critical',
      category: 'rce',
      alerting: true,
    },
    {
      name: 'simulated does not count',
      in: [d({ severity: 'critical', confidence: 1, simulated: true, category: 'rce' })],
      score: 0,
      severity: 'info',
      category: 'rce',
      alerting: false,
    },
    {
      name: 'simulated beside a real one is ignored',
      in: [d({ severity: 'critical', confidence: 1, simulated: true, category: 'rce' }), d({ severity: 'low', confidence: 0.5, category: 'scanner' })],
      score: 0.15,
      severity: 'low',
      category: 'scanner',
      alerting: true,
    },
    { name: 'confidence out of range is clamped', in: [d({ confidence: 7 })], score: 0.8, severity: 'high', category: 'sqli', alerting: true },
  ];
  it.each(cases)('$name', (c) => {
    const v = scoreDetections(c.in);
    expect(v.score).toBeCloseTo(c.score, 6);
    expect(v.severity).toBe(c.severity);
    expect(v.category).toBe(c.category);
    expect(v.alerting).toBe(c.alerting);
    expect(v.score).toBeGreaterThanOrEqual(0);
    expect(v.score).toBeLessThanOrEqual(1);
  });

  it('five low signals stay below one critical', () => {
    const lows = Array.from({ length: 5 }, () => d({ severity: 'low', confidence: 0.5 }));
    expect(scoreDetections(lows).score).toBeLessThan(scoreDetections([d({ severity: 'critical', confidence: 0.9 })]).score);
  });
});
