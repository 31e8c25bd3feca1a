/**
 * GET /api/overview (KPIs, threat-level distribution, top attacking IPs, hourly timeline),
 * GET /api/timeline-detail (hourly counts by threat level, every hour of the window) and
 * GET /api/heatmap (day of week × hour of day). All from the hourly rollups, per site with `host`, cached.
 */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { SEVERITIES } from '../../core/index.js';
import type { HourPoint } from '../../store/index.js';
import { errorResponses } from '../errors.js';
import { integerParam } from '../params/integer.js';
import { count, routeResponseSchema } from '../response-schema.js';
import { aggregateFields, aggregateWindow, cachedBy, minuteCeilClock, DAY_MS, HOUR_MS, iso, severityCounts, windowJson, windowToJson, type AnalyticsDeps } from './analytics-common.js';

const readOnly = { scope: 'read' } as const;

function overviewQuery(clock: () => number) {
  return z
    .object({ ...aggregateFields('24h'), top: integerParam({ min: 1, max: 100, default: 10, description: 'Top attacking IPs listed.' }) })
    .strict()
    .transform((q, ctx) => ({ window: aggregateWindow(q, clock(), DAY_MS, ctx), top: q.top }));
}

function windowQuery(clock: () => number, span: string, spanMs: number) {
  return z
    .object(aggregateFields(span))
    .strict()
    .transform((q, ctx) => ({ window: aggregateWindow(q, clock(), spanMs, ctx) }));
}

const hourJson = z.object({ hour: iso, requests: count, threats: count, ...severityCounts.shape });
export const overviewJson = z.object({
  ...windowJson,
  kpis: z.object({
    requests: count.describe('Requests in the window (hourly resolution with host, minute without).'),
    threats: count,
    unique_attacking_ips: count.describe('Distinct source IPs with at least one threat.'),
    critical: count,
    high: count,
  }),
  threat_levels: severityCounts.describe('Threats per severity.'),
  top_ips: z.array(
    z.object({
      ip: z.string(),
      threats: count,
      high: count,
      critical: count,
      max_score: z.number().describe('Worst threat score of the IP in the window (0-1).'),
      worst_severity: z.enum(SEVERITIES),
      country: z.string().nullable(),
      asn: z.number().int().nullable(),
      as_org: z.string().nullable(),
    }),
  ),
  timeline: z.array(hourJson).describe('Hours with traffic, oldest first.'),
});
export const timelineJson = z.object({ ...windowJson, points: z.array(hourJson).describe('Every hour of the window, oldest first (zeros included).') });
export const heatmapJson = z.object({
  ...windowJson,
  cells: z
    .array(z.object({ dow: z.number().int().min(0).max(6).describe('0 = Sunday (UTC).'), hour: z.number().int().min(0).max(23), requests: count, threats: count }))
    .describe('All 168 cells, Sunday 00h first.'),
  max_threats: count,
});

function hourToJson(h: HourPoint) {
  return { hour: new Date(h.hour).toISOString(), requests: h.requests, threats: h.threats, ...h.bySeverity };
}

/** Every hour of [since, until), zeros where the rollups have none. */
export function fillHours(points: HourPoint[], since: number, until: number): HourPoint[] {
  const byHour = new Map(points.map((p) => [p.hour, p]));
  const out: HourPoint[] = [];
  for (let h = Math.floor(since / HOUR_MS) * HOUR_MS; h < until; h += HOUR_MS) {
    out.push(byHour.get(h) ?? { hour: h, requests: 0, threats: 0, bySeverity: { info: 0, low: 0, medium: 0, high: 0, critical: 0 } });
  }
  return out;
}

export function overviewRoutes(app: FastifyInstance, deps: AnalyticsDeps): void {
  const clock = minuteCeilClock(deps.clock);
  const oq = overviewQuery(clock);
  const { analytics } = deps.store;

  app.get<{ Querystring: z.output<typeof oq> }>(
    '/api/overview',
    {
      config: readOnly,
      schema: {
        tags: ['analytics'],
        summary: 'KPIs, threat levels, top attacking IPs and an hourly timeline for a window',
        querystring: oq,
        response: { 200: routeResponseSchema(overviewJson), ...errorResponses },
      },
    },
    async (request) => {
      const { window: w, top } = request.query;
      const f = w.host === undefined ? {} : { host: w.host };
      return cachedBy(deps, 'overview', { w, top }, async () => {
        const [totals, attackers, hours] = await Promise.all([analytics.totals(w, f), analytics.topAttackers(w, f, top), analytics.hourly(w, f)]);
        return {
          ...windowToJson(w),
          kpis: { requests: totals.requests, threats: totals.threats, unique_attacking_ips: totals.uniqueIps, critical: totals.bySeverity.critical, high: totals.bySeverity.high },
          threat_levels: totals.bySeverity,
          top_ips: attackers.map((a) => ({
            ip: a.ip,
            threats: a.threats,
            high: a.high,
            critical: a.critical,
            max_score: a.maxScore,
            worst_severity: a.worstSeverity,
            country: a.country,
            asn: a.asn,
            as_org: a.asOrg,
          })),
          timeline: hours.map(hourToJson),
        };
      });
    },
  );

  const tq = windowQuery(clock, '24h', DAY_MS);
  app.get<{ Querystring: z.output<typeof tq> }>(
    '/api/timeline-detail',
    {
      config: readOnly,
      schema: {
        tags: ['analytics'],
        summary: 'Hourly requests and threats by threat level, every hour of the window',
        querystring: tq,
        response: { 200: routeResponseSchema(timelineJson), ...errorResponses },
      },
    },
    async (request) => {
      const w = request.query.window;
      return cachedBy(deps, 'timeline', w, async () => {
        const hours = await analytics.hourly(w, w.host === undefined ? {} : { host: w.host });
        return { ...windowToJson(w), points: fillHours(hours, w.since, w.until).map(hourToJson) };
      });
    },
  );

  const hq = windowQuery(clock, '7d', 7 * DAY_MS);
  app.get<{ Querystring: z.output<typeof hq> }>(
    '/api/heatmap',
    {
      config: readOnly,
      schema: {
        tags: ['analytics'],
        summary: 'Requests and threats by UTC day of week and hour of day',
        querystring: hq,
        response: { 200: routeResponseSchema(heatmapJson), ...errorResponses },
      },
    },
    async (request) => {
      const w = request.query.window;
      return cachedBy(deps, 'heatmap', w, async () => {
        const found = await analytics.heatmap(w, w.host === undefined ? {} : { host: w.host });
        const at = new Map(found.map((c) => [c.dow * 24 + c.hour, c]));
        const cells = Array.from({ length: 168 }, (_, i) => {
          const c = at.get(i);
          return { dow: Math.floor(i / 24), hour: i % 24, requests: c?.requests ?? 0, threats: c?.threats ?? 0 };
        });
        return { ...windowToJson(w), cells, max_threats: Math.max(0, ...cells.map((c) => c.threats)) };
      });
    },
  );
}
