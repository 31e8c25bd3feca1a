/**
 * GET /api/stats: totals and top lists over a fixed window ending now. The store answers from per-minute
 * rollups, so the cost does not grow with traffic.
 */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { CATEGORIES, SEVERITIES, type Severity } from '../../core/index.js';
import type { RollupRepository, Stats } from '../../store/index.js';
import { errorResponses } from '../errors.js';
import { count, countsOf, routeResponseSchema } from '../response-schema.js';
import type { AnalyticsCache } from '../cache/index.js';
import type { ApiDeps } from '../types.js';

export const STATS_RANGES = {
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 24 * 3_600_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
} as const;
export type StatsRange = keyof typeof STATS_RANGES;

const RANGE_NAMES = Object.keys(STATS_RANGES) as [StatsRange, ...StatsRange[]];

export const statsQuery = z
  .object({ range: z.enum(RANGE_NAMES).default('24h').describe('Window length.') })
  .strict();

const time = z.iso.datetime();

// Key order here is the order Fastify's serializer writes the response in.
export const statsJson = z.object({
  range: z.enum(RANGE_NAMES),
  since: time,
  until: time,
  total_requests: count.describe('Every request seen in the window, flagged or not.'),
  threats_detected: count.describe('Flagged requests in the window.'),
  severity_breakdown: countsOf(SEVERITIES),
  category_breakdown: countsOf(CATEGORIES).partial().describe('Threats per category; categories with none are omitted.'),
  top_source_ips: z.array(z.object({ ip: z.string(), count })),
  top_paths: z.array(z.object({ path: z.string(), count })),
  top_lists: z
    .object({
      exact: z.boolean().describe('True when no IP or path outside the lists can rank above their last entry.'),
      unlisted_max_ip_threats: count.describe('The most threats an IP not listed can have had in the window.'),
      unlisted_max_path_threats: count.describe('The most threats a path not listed can have had in the window.'),
    })
    .describe('Listed counts are exact; over long busy windows the lists are ranked from each day\'s busiest keys (docs/api.md).'),
});
export type StatsJson = z.output<typeof statsJson>;

export function statsToJson(range: StatsRange, s: Stats): StatsJson {
  const severity = Object.fromEntries(SEVERITIES.map((k) => [k, s.bySeverity[k] ?? 0])) as Record<
    Severity,
    number
  >;
  return {
    range,
    since: new Date(s.since).toISOString(),
    until: new Date(s.until).toISOString(),
    total_requests: s.totalRequests,
    threats_detected: s.threats,
    severity_breakdown: severity,
    category_breakdown: s.byCategory,
    top_source_ips: s.topIps.map((e) => ({ ip: e.key, count: e.count })),
    top_paths: s.topPaths.map((e) => ({ path: e.key, count: e.count })),
    top_lists: {
      exact: s.topAccuracy.exact,
      unlisted_max_ip_threats: s.topAccuracy.unlistedMaxIpThreats,
      unlisted_max_path_threats: s.topAccuracy.unlistedMaxPathThreats,
    },
  };
}

export interface StatsRouteDeps extends Pick<ApiDeps, 'clock'> {
  rollups: Pick<RollupRepository, 'stats'>;
  /**
   * The analytics cache (docs/api.md): with it the window ends at the next minute boundary (the rollups'
   * resolution), so the same window, and its cached answer, serves a minute of polling until threats land.
   */
  cache?: AnalyticsCache;
}

export function statsRoutes(app: FastifyInstance, deps: StatsRouteDeps): void {
  const clock = deps.clock ?? Date.now;
  app.get<{ Querystring: z.output<typeof statsQuery> }>(
    '/api/stats',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['stats'],
        summary: 'Request and threat totals, breakdowns and top lists over a window ending now',
        querystring: statsQuery,
        response: { 200: routeResponseSchema(statsJson), ...errorResponses },
      },
    },
    async (request) => {
      const range = request.query.range;
      const cache = deps.cache;
      if (!cache) {
        const until = clock();
        return statsToJson(range, await deps.rollups.stats(until - STATS_RANGES[range], until));
      }
      const until = Math.ceil(clock() / 60_000) * 60_000;
      return cache.cached('stats', { range, until }, async () => statsToJson(range, await deps.rollups.stats(until - STATS_RANGES[range], until)));
    },
  );
}
