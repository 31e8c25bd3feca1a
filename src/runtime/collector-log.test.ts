import { describe, expect, it } from 'vitest';
import type { CollectorRunStats } from '../enrich/index.js';
import { collectorRunLog } from './enrichment.js';

const run = (over: Partial<CollectorRunStats> = {}): CollectorRunStats => ({ picked: 0, enriched: 0, skipped: 0, sourceErrors: 0, failed: 0, durationMs: 5, ...over });

describe('collectorRunLog', () => {
  it('logs every run that picked something, and an idle collector at once, then hourly', () => {
    const lines: string[] = [];
    let now = 0;
    const log = collectorRunLog({ info: (_o, m) => lines.push(m) }, () => now);
    log(run());
    log(run());
    now += 30 * 60_000;
    log(run({ picked: 3, enriched: 1, skipped: 1, failed: 1, sourceErrors: 2, durationMs: 40 }));
    log(run());
    now += 31 * 60_000;
    log(run());
    expect(lines).toEqual([
      'collector: nothing due',
      'collector: enriched 1 of 3 due IOCs in 40 ms (1 skipped (not public), 1 failed, 2 source errors)',
      'collector: nothing due',
    ]);
  });
});
