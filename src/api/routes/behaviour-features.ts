/**
 * GET /api/features (statistics of each behaviour feature over the stored per-IP windows: count, mean, standard
 * deviation, min, max and percentiles, overall and per threat level) and GET /api/behavior (histograms of features and
 * a scatter of two, for the dashboards). Statistics and histograms come from the per-hour feature rollup the batch
 * writer keeps (rollup_hour_feature: percentiles are interpolated in fixed bins, exact min and max); the scatter is a
 * deterministic sample of at most `points` windows among the latest SAMPLE_POOL in the window. Windows carry no host,
 * so neither endpoint takes a host filter.
 */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { THREAT_LEVELS } from '../../detect/index.js';
import {
  binBounds,
  MAX_SAMPLE_POINTS,
  SAMPLE_POOL,
  WINDOW_FEATURES,
  type BehaviourRepository,
  type FeatureStats,
  type WindowFeature,
} from '../../store/index.js';
import { errorResponses } from '../errors.js';
import { integerParam } from '../params/integer.js';
import { listParam } from '../params/list.js';
import { count, routeResponseSchema } from '../response-schema.js';
import type { ApiDeps } from '../types.js';
import { DAY_MS, resolveWindow, timeJson, windowFields, windowJson } from './behaviour-shared.js';

const threatLevelFilter = () => listParam(THREAT_LEVELS, { maxLength: 120, fold: 'upper', description: 'Only windows of these threat levels.' });

const num = z.number().nullable();
const statsJson = z.object({
  count: count.describe('Stored windows with the feature.'),
  mean: num,
  stddev: num,
  min: num,
  max: num,
  p50: num,
  p90: num,
  p95: num,
  p99: num,
});

const featuresJson = z.object({
  since: timeJson,
  until: timeJson,
  features: z.array(
    z.object({
      feature: z.enum(WINDOW_FEATURES),
      all: statsJson,
      by_threat_level: z.partialRecord(z.enum(THREAT_LEVELS), statsJson).describe('Levels with no window are omitted.'),
    }),
  ),
});

function statsToJson(s: FeatureStats): z.output<typeof statsJson> {
  return { count: s.count, mean: s.mean, stddev: s.stddev, min: s.min, max: s.max, p50: s.p50, p90: s.p90, p95: s.p95, p99: s.p99 };
}

const histogramJson = z.object({
  feature: z.enum(WINDOW_FEATURES),
  bins: z.array(z.object({ lower: z.number(), upper: z.number().nullable().describe('Exclusive; null for the open last bin.'), count })),
});

const behaviorJson = z.object({
  since: timeJson,
  until: timeJson,
  x: z.enum(WINDOW_FEATURES),
  y: z.enum(WINDOW_FEATURES),
  points: z.array(z.object({ ip: z.string(), window_start: timeJson, threat_level: z.enum(THREAT_LEVELS), x: z.number(), y: z.number() })),
  sample_pool: count.describe('The points are sampled among at most this many of the latest windows in the range.'),
  histograms: z.array(histogramJson),
});

export interface BehaviourFeatureRouteDeps extends Pick<ApiDeps, 'clock'> {
  behaviour: Pick<BehaviourRepository, 'features' | 'sample'>;
}

export function behaviourFeatureRoutes(app: FastifyInstance, deps: BehaviourFeatureRouteDeps): void {
  const clock = deps.clock ?? Date.now;
  const featuresQuery = z
    .object({ ...windowFields('24h'), threat_level: threatLevelFilter() })
    .strict()
    .transform((q, ctx) => ({ ...q, ...resolveWindow(q, clock(), DAY_MS, ctx) }));
  app.get<{ Querystring: z.output<typeof featuresQuery> }>(
    '/api/features',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['behaviour'],
        summary: 'Statistics of each behaviour feature over the stored per-IP windows, overall and per threat level',
        querystring: featuresQuery,
        response: { 200: routeResponseSchema(featuresJson), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const summaries = await deps.behaviour.features(q.since, q.until, q.threat_level);
      return {
        ...windowJson(q),
        features: summaries.map((s) => ({
          feature: s.feature,
          all: statsToJson(s.all),
          by_threat_level: Object.fromEntries(Object.entries(s.byThreatLevel).map(([l, st]) => [l, statsToJson(st)])),
        })),
      };
    },
  );

  const behaviorQuery = z
    .object({
      ...windowFields('24h'),
      threat_level: threatLevelFilter(),
      x: z.enum(WINDOW_FEATURES).default('hits').describe('Feature on the scatter x axis.'),
      y: z.enum(WINDOW_FEATURES).default('ratio_404').describe('Feature on the scatter y axis.'),
      points: integerParam({ min: 0, max: MAX_SAMPLE_POINTS, default: 1000, description: 'Most scatter points.' }),
      histograms: listParam(WINDOW_FEATURES, { maxLength: 400, fold: 'lower', description: 'Features to give histograms of (default x and y).' }),
    })
    .strict()
    .transform((q, ctx) => ({ ...q, ...resolveWindow(q, clock(), DAY_MS, ctx) }));
  app.get<{ Querystring: z.output<typeof behaviorQuery> }>(
    '/api/behavior',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['behaviour'],
        summary: 'Behaviour feature scatter (deterministic sample, bounded) and histograms',
        querystring: behaviorQuery,
        response: { 200: routeResponseSchema(behaviorJson), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const wanted: WindowFeature[] = q.histograms ?? [...new Set([q.x, q.y])];
      const [points, summaries] = await Promise.all([
        deps.behaviour.sample(q.since, q.until, q.x, q.y, q.points, q.threat_level),
        deps.behaviour.features(q.since, q.until, q.threat_level),
      ]);
      const byFeature = new Map(summaries.map((s) => [s.feature, s]));
      return {
        ...windowJson(q),
        x: q.x,
        y: q.y,
        points: points.map((p) => ({ ip: p.ip, window_start: new Date(p.start).toISOString(), threat_level: p.threatLevel, x: p.x, y: p.y })),
        sample_pool: SAMPLE_POOL,
        histograms: wanted.map((feature) => ({
          feature,
          bins: (byFeature.get(feature)?.all.bins ?? []).map((c, i) => {
            const [lower, upper] = binBounds(feature, i);
            return { lower, upper: Number.isFinite(upper) ? upper : null, count: c };
          }),
        })),
      };
    },
  );
}
