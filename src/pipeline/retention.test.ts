import { describe, expect, it } from 'vitest';
import { DAILY_ROLLUP_MIN_KEEP_MS } from '../store/index.js';
import { startRetention } from './retention.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 8);

/** Records the bound each repository is pruned to (the repositories' own pruning is in the store conformance). */
function recorder() {
  const calls: Record<string, number> = {};
  const at = (name: string) => ({ prune: async (before: number) => ((calls[name] = before), 0) });
  return { calls, store: { requests: at('requests'), windows: at('windows'), rollups: { prune: async (b: number) => void (calls.rollups = b) } } };
}

const logger = { info: () => undefined, warn: () => undefined };

describe('startRetention', () => {
  it.each([
    ['7 days: the daily rollups keep the 31 days /api/stats reaches', 7, NOW - DAILY_ROLLUP_MIN_KEEP_MS],
    ['90 days: the daily rollups go with the requests', 90, NOW - 90 * DAY],
  ])('%s', async (_name, days, rollups) => {
    const r = recorder();
    const h = startRetention(r.store, days, logger, { now: () => NOW });
    await h.runOnce();
    h.stop();
    expect(r.calls).toEqual({ requests: NOW - days * DAY, windows: NOW - days * DAY, rollups });
  });
});
