/**
 * Where attacks come from: GET /api/geo (by country and by AS), GET /api/country (one country's networks and
 * attackers, or the country list), GET /api/threats/global (map points) and GET /api/threats/statistics.
 * From the per-hour attacking-IP rollup (threats, distinct IPs, worst severity, geo), per site with `host`.
 * Requests are not counted per country: only threats carry geo (the pipeline locates flagged sources only).
 */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { CATEGORIES, SEVERITIES } from '../../core/index.js';
import type { AnalyticsFilter, GeoRow } from '../../store/index.js';
import { errorResponses } from '../errors.js';
import { analyticsFilterFields } from '../params/filters.js';
import { integerParam } from '../params/integer.js';
import { count, countsOf, routeResponseSchema } from '../response-schema.js';
import { aggregateFields, aggregateWindow, cachedBy, DAY_MS, HOUR_MS, minuteCeilClock, severityCounts, windowJson, windowToJson, type AnalyticsDeps } from './analytics-common.js';

const readOnly = { scope: 'read' } as const;

function geoQuery(clock: () => number) {
  const { ip, country, asn, as_org } = analyticsFilterFields();
  return z
    .object({ ...aggregateFields('24h'), ip, country, asn, as_org, limit: integerParam({ min: 1, max: 100, default: 20, description: 'Rows per list.' }) })
    .strict()
    .transform((q, ctx) => {
      const window = aggregateWindow(q, clock(), DAY_MS, ctx);
      const filter: AnalyticsFilter = {};
      if (window.host !== undefined) filter.host = window.host;
      if (q.ip !== undefined) filter.ip = q.ip;
      if (q.country !== undefined) filter.country = q.country;
      if (q.asn !== undefined) filter.asn = q.asn;
      if (q.as_org !== undefined) filter.as_org = q.as_org;
      return { window, filter, limit: q.limit };
    });
}

const geoRowJson = z.object({
  threats: count,
  high: count,
  critical: count,
  attacking_ips: count.describe('Distinct source IPs with threats.'),
  worst_severity: z.enum(SEVERITIES).nullable(),
  requests: z.null().describe('Not counted: only threats carry geo (the pipeline locates flagged sources only).'),
});
const countryRowJson = z.object({ country: z.string().nullable().describe('ISO 3166-1 alpha-2; null when unknown.'), ...geoRowJson.shape });
const asnRowJson = z.object({ asn: z.number().int().nullable(), as_org: z.string().nullable(), ...geoRowJson.shape });
export const geoJson = z.object({ ...windowJson, countries: z.array(countryRowJson), asns: z.array(asnRowJson) });

function row(r: GeoRow) {
  return { threats: r.threats, high: r.high, critical: r.critical, attacking_ips: r.ips, worst_severity: r.worstSeverity, requests: null };
}
const countryRow = (r: GeoRow) => ({ country: r.key, ...row(r) });
const asnRow = (r: GeoRow) => ({ asn: r.key === null ? null : Number(r.key), as_org: r.name, ...row(r) });

export const countryJson = z.object({
  ...windowJson,
  countries: z.array(countryRowJson),
  asns: z.array(asnRowJson).describe('Networks of the filtered countries (all when no country filter).'),
  top_ips: z.array(z.object({ ip: z.string(), threats: count, worst_severity: z.enum(SEVERITIES), country: z.string().nullable(), asn: z.number().int().nullable() })),
});

const SEVERITY_NAMES = SEVERITIES as unknown as [string, ...string[]];
function globalQuery(clock: () => number) {
  return z
    .object({
      hours: integerParam({ min: 1, max: 24 * 90, default: 24, description: 'Window ending now, in hours.' }),
      min_severity: z.enum(SEVERITY_NAMES).default('info').describe('Least severity counted.'),
      host: analyticsFilterFields().host,
      limit: integerParam({ min: 1, max: 5000, default: 1000, description: 'Most points.' }),
    })
    .strict()
    .transform((q) => {
      const until = clock();
      return { window: { since: until - q.hours * HOUR_MS, until, ...(q.host !== undefined ? { host: q.host } : {}) }, minSeverity: q.min_severity as (typeof SEVERITIES)[number], limit: q.limit };
    });
}
export const globalJson = z.object({
  ...windowJson,
  min_severity: z.enum(SEVERITIES),
  points: z.array(
    z.object({
      lat: z.number(),
      lon: z.number(),
      count: count.describe('Threats at this point (rounded to 0.01°) at or above min_severity.'),
      attacking_ips: count,
      worst_severity: z.enum(SEVERITIES),
    }),
  ),
});

function statisticsQuery(clock: () => number) {
  return z
    .object(aggregateFields('24h'))
    .strict()
    .transform((q, ctx) => ({ window: aggregateWindow(q, clock(), DAY_MS, ctx) }));
}
export const statisticsJson = z.object({
  ...windowJson,
  total_threats: count,
  unique_attacking_ips: count,
  by_severity: severityCounts,
  by_category: countsOf(CATEGORIES).partial().describe('Categories with none are omitted.'),
  top_rules: z.array(z.object({ rule_id: z.string(), detections: count })).describe('Over every site (rule hits are not kept per site).'),
  top_countries: z.array(countryRowJson),
});

export function geoRoutes(app: FastifyInstance, deps: AnalyticsDeps): void {
  const clock = minuteCeilClock(deps.clock);
  const { analytics } = deps.store;
  const gq = geoQuery(clock);
  type Geo = { Querystring: z.output<typeof gq> };

  app.get<Geo>(
    '/api/geo',
    {
      config: readOnly,
      schema: { tags: ['analytics'], summary: 'Threats, attacking IPs and worst severity by country and by AS', querystring: gq, response: { 200: routeResponseSchema(geoJson), ...errorResponses } },
    },
    async (request) => {
      const { window: w, filter, limit } = request.query;
      return cachedBy(deps, 'geo', request.query, async () => {
        const [countries, asns] = await Promise.all([analytics.geo(w, filter, 'country', limit), analytics.geo(w, filter, 'asn', limit)]);
        return { ...windowToJson(w), countries: countries.map(countryRow), asns: asns.map(asnRow) };
      });
    },
  );

  app.get<Geo>(
    '/api/country',
    {
      config: readOnly,
      schema: {
        tags: ['analytics'],
        summary: 'Per country: threats and attackers, with the networks and top IPs of the countries filtered',
        querystring: gq,
        response: { 200: routeResponseSchema(countryJson), ...errorResponses },
      },
    },
    async (request) => {
      const { window: w, filter, limit } = request.query;
      return cachedBy(deps, 'country', request.query, async () => {
        const [countries, asns, top] = await Promise.all([
          analytics.geo(w, filter, 'country', limit),
          analytics.geo(w, filter, 'asn', limit),
          analytics.topAttackers(w, filter, limit),
        ]);
        return {
          ...windowToJson(w),
          countries: countries.map(countryRow),
          asns: asns.map(asnRow),
          top_ips: top.map((a) => ({ ip: a.ip, threats: a.threats, worst_severity: a.worstSeverity, country: a.country, asn: a.asn })),
        };
      });
    },
  );

  const mq = globalQuery(clock);
  app.get<{ Querystring: z.output<typeof mq> }>(
    '/api/threats/global',
    {
      config: readOnly,
      schema: { tags: ['analytics'], summary: 'Map points: located threat sources with counts and worst severity', querystring: mq, response: { 200: routeResponseSchema(globalJson), ...errorResponses } },
    },
    async (request) => {
      const { window: w, minSeverity, limit } = request.query;
      return cachedBy(deps, 'global', request.query, async () => {
        const points = await analytics.mapPoints(w, w.host === undefined ? {} : { host: w.host }, minSeverity, limit);
        return {
          ...windowToJson(w),
          min_severity: minSeverity,
          points: points.map((p) => ({ lat: p.lat, lon: p.lon, count: p.count, attacking_ips: p.ips, worst_severity: p.worstSeverity })),
        };
      });
    },
  );

  const sq = statisticsQuery(clock);
  app.get<{ Querystring: z.output<typeof sq> }>(
    '/api/threats/statistics',
    {
      config: readOnly,
      schema: {
        tags: ['analytics'],
        summary: 'Threat totals by severity, category, rule and country',
        querystring: sq,
        response: { 200: routeResponseSchema(statisticsJson), ...errorResponses },
      },
    },
    async (request) => {
      const w = request.query.window;
      const f = w.host === undefined ? {} : { host: w.host };
      return cachedBy(deps, 'statistics', w, async () => {
        const [totals, categories, rules, countries] = await Promise.all([
          analytics.totals(w, f),
          analytics.categories(w, f),
          analytics.ruleActivity(w, 10),
          analytics.geo(w, f, 'country', 10),
        ]);
        return {
          ...windowToJson(w),
          total_threats: totals.threats,
          unique_attacking_ips: totals.uniqueIps,
          by_severity: totals.bySeverity,
          by_category: categories,
          top_rules: rules.map((r) => ({ rule_id: r.key, detections: r.count })),
          top_countries: countries.map(countryRow),
        };
      });
    },
  );
}
