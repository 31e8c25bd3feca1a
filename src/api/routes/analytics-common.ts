/**
 * What the SOC analytics routes (issue #11) share: their dependencies (the repositories and the cache), the
 * site filter and window fields of the rollup-backed aggregates, and the JSON pieces several answers repeat.
 */
import * as z from 'zod';
import { SEVERITIES, type Severity } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import type { AnalyticsCache } from '../cache/index.js';
import { analyticsFilterFields } from '../params/filters.js';
import { resolveWindow, windowFields, type TimeWindow } from '../params/window.js';
import { count } from '../response-schema.js';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

export interface AnalyticsDeps {
  store: Pick<Store, 'analytics' | 'detections' | 'traffic' | 'verdicts' | 'threats' | 'windows'>;
  /** Expensive aggregates go through it; absent, they are computed per request. */
  cache?: AnalyticsCache;
  clock?: () => number;
}

/**
 * The clock of rollup-backed aggregates: now rounded up to the next minute. Rollup buckets count when they start
 * before `until`, so the answer is the same as at the exact now, and the cache key (the window) stays the same
 * for a minute instead of changing every millisecond.
 */
export function minuteCeilClock(clock: () => number = Date.now): () => number {
  return () => Math.ceil(clock() / 60_000) * 60_000;
}

/** Runs `compute` through the cache when there is one. */
export function cachedBy<T>(deps: AnalyticsDeps, name: string, params: unknown, compute: () => Promise<T>): Promise<T> {
  return deps.cache ? deps.cache.cached(name, params, compute) : compute();
}

/** The window fields and the site filter: what every rollup-backed aggregate takes. */
export function aggregateFields(defaultSpan: string) {
  return { ...windowFields(defaultSpan), host: analyticsFilterFields().host };
}

/** The window and host of an aggregate's parsed query. */
export function aggregateWindow(
  q: Parameters<typeof resolveWindow>[0] & { host?: string | undefined },
  now: number,
  defaultSpanMs: number,
  ctx: z.RefinementCtx,
): TimeWindow & { host?: string } {
  const w = resolveWindow(q, now, defaultSpanMs, ctx);
  return q.host === undefined ? w : { ...w, host: q.host };
}

export const iso = z.iso.datetime();
export const severityCounts = z.object(Object.fromEntries(SEVERITIES.map((s) => [s, count])) as Record<Severity, typeof count>);

/** The window an answer covers, echoed. */
export const windowJson = {
  since: iso,
  until: iso,
  host: z.string().nullable().describe('The site filter, null for every site.'),
};

export function windowToJson(w: TimeWindow & { host?: string }) {
  return { since: new Date(w.since).toISOString(), until: new Date(w.until).toISOString(), host: w.host ?? null };
}
