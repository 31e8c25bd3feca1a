/**
 * Background pruning of raw requests older than the retention period, and of IP windows, the behaviour aggregates
 * and the daily per-IP and per-path rollups with them (all raw behaviour). Threats are kept as evidence.
 */
import { DAILY_ROLLUP_MIN_KEEP_MS, type Store } from '../store/index.js';

const DAY_MS = 86_400_000;

export interface RetentionHandle {
  /** Runs one pass now (also used by tests). */
  runOnce(): Promise<number>;
  stop(): void;
}

export function startRetention(
  store: {
    requests: Pick<Store['requests'], 'prune'>;
    windows: Pick<Store['windows'], 'prune'>;
    behaviour?: Pick<Store['behaviour'], 'prune'>;
    apiEvents?: Pick<Store['apiEvents'], 'prune'>;
    rollups?: Pick<Store['rollups'], 'prune'>;
  },
  retentionDays: number,
  logger: { info(o: object, m: string): void; warn(o: object, m: string): void },
  opts: { intervalMs?: number; now?: () => number } = {},
): RetentionHandle {
  const now = opts.now ?? Date.now;
  let running = false;
  const runOnce = async (): Promise<number> => {
    if (running) return 0;
    running = true;
    try {
      const before = now() - retentionDays * DAY_MS;
      const removed = await store.requests.prune(before);
      await store.windows.prune(before);
      await store.apiEvents?.prune(before);
      await store.behaviour?.prune(before);
      // The daily key rollups answer /api/stats, whose windows reach 30 days back whatever the retention (its
      // totals read the minute rollups, kept for good): they go with the requests, but never inside that reach.
      await store.rollups?.prune(Math.min(before, now() - DAILY_ROLLUP_MIN_KEEP_MS));
      if (removed > 0) logger.info({ removed, retentionDays }, 'pruned old requests');
      return removed;
    } catch (err) {
      logger.warn({ err }, 'pruning old requests failed; will retry');
      return 0;
    } finally {
      running = false;
    }
  };
  // First pass soon after start, then every interval; unref so it never keeps the process alive.
  const first = setTimeout(() => void runOnce(), 30_000);
  const timer = setInterval(() => void runOnce(), opts.intervalMs ?? 10 * 60_000);
  first.unref();
  timer.unref();
  return {
    runOnce,
    stop: () => {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
