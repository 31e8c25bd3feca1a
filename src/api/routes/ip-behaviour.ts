/**
 * GET /api/cascade/:ip (per page view of the IP, the sub-resources that followed it: the signal behind headless
 * detection) and GET /api/ip/:ip/radar (the IP's mean window features against the benign-browser and datacenter
 * baselines). Both read what the batch writer keeps: ip_cascade (the latest CASCADE_PAGES_PER_IP page views per IP,
 * read by its primary key) and behaviour_baseline_day with the IP's own windows (primary key of ip_windows).
 */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { BASELINES, CASCADE_PAGES_PER_IP, WINDOW_FEATURES, type BehaviourRepository } from '../../store/index.js';
import { errorResponses } from '../errors.js';
import { integerParam } from '../params/integer.js';
import { ipParam } from '../params/ip.js';
import { count, routeResponseSchema } from '../response-schema.js';
import type { ApiDeps } from '../types.js';
import { DAY_MS, hostField, resolveWindow, timeJson, windowFields, windowJson } from './behaviour-shared.js';

const ipParams = z.object({ ip: ipParam('Source IP (IPv4 or IPv6).') }).strict();

const cascadeJson = z.object({
  ip: z.string(),
  since: timeJson,
  until: timeJson,
  summary: z.object({
    pages: count,
    with_subresources: count.describe('Page views followed by at least one sub-resource.'),
    subresources: count,
  }),
  pages: z.array(
    z.object({
      time: timeJson,
      id: z.string().describe('Event id of the page request.'),
      host: z.string().nullable(),
      path: z.string(),
      status: z.number().int(),
      subresources: count.describe('Assets fetched after the page (within 10 s of its previous request).'),
      subresource_paths: z.array(z.string()).describe('Up to 8 distinct paths.'),
      span_ms: count.describe('From the page to its last sub-resource.'),
    }),
  ),
});

const num = z.number().nullable();
const baselineJson = z.object({
  windows: count.describe('Windows in the baseline over the range.'),
  mean: num,
  stddev: num,
  min: num,
  max: num,
  z: num.describe("The IP's value in standard deviations from the baseline mean."),
  score: num.describe('0..1 for the radar: 0.5 is the baseline mean, 0 and 1 three standard deviations below and above.'),
});

const radarJson = z.object({
  ip: z.string(),
  since: timeJson,
  until: timeJson,
  windows: count.describe("The IP's stored windows in the range."),
  baselines: z.record(z.enum(BASELINES), z.string()).describe('What each baseline is.'),
  axes: z.array(
    z.object({
      feature: z.enum(WINDOW_FEATURES),
      value: num.describe("Mean over the IP's windows."),
      baselines: z.object(Object.fromEntries(BASELINES.map((b) => [b, baselineJson])) as Record<(typeof BASELINES)[number], typeof baselineJson>),
    }),
  ),
});

const BASELINE_TEXT: Record<(typeof BASELINES)[number], string> = {
  benign_browser: 'Stored windows of threat level LEGITIMATE_BROWSER (a browser user agent, no signal).',
  datacenter:
    "Stored windows of IPs whose AS organisation is a hosting network (known clouds and hosts, or hosting/server/cloud in the name); the network comes from the geo of the IP's threats in the same batch.",
};

export interface IpBehaviourRouteDeps extends Pick<ApiDeps, 'clock'> {
  behaviour: Pick<BehaviourRepository, 'cascade' | 'radar'>;
}

export function ipBehaviourRoutes(app: FastifyInstance, deps: IpBehaviourRouteDeps): void {
  const clock = deps.clock ?? Date.now;
  const cascadeQuery = z
    .object({
      ...windowFields('24h'),
      host: hostField(),
      limit: integerParam({ min: 1, max: CASCADE_PAGES_PER_IP, default: 20, description: 'Latest page views listed.' }),
    })
    .strict()
    .transform((q, ctx) => ({ ...q, ...resolveWindow(q, clock(), DAY_MS, ctx) }));
  app.get<{ Params: z.output<typeof ipParams>; Querystring: z.output<typeof cascadeQuery> }>(
    '/api/cascade/:ip',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['behaviour'],
        summary: "Per page view of an IP, the sub-resources that followed (the IP's latest page views)",
        params: ipParams,
        querystring: cascadeQuery,
        response: { 200: routeResponseSchema(cascadeJson), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const c = await deps.behaviour.cascade(request.params.ip, q.since, q.until, q.limit, q.host);
      return {
        ip: c.ip,
        ...windowJson(q),
        summary: { pages: c.summary.pages, with_subresources: c.summary.withSubresources, subresources: c.summary.subresources },
        pages: c.pages.map((p) => ({
          time: new Date(p.time).toISOString(),
          id: p.id,
          host: p.host,
          path: p.path,
          status: p.status,
          subresources: p.subresources,
          subresource_paths: p.subresourcePaths,
          span_ms: p.spanMs,
        })),
      };
    },
  );

  const radarQuery = z
    .object({ ...windowFields('7d') })
    .strict()
    .transform((q, ctx) => ({ ...q, ...resolveWindow(q, clock(), 7 * DAY_MS, ctx) }));
  app.get<{ Params: z.output<typeof ipParams>; Querystring: z.output<typeof radarQuery> }>(
    '/api/ip/:ip/radar',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['behaviour'],
        summary: "An IP's behaviour features normalised against the benign-browser and datacenter baselines",
        params: ipParams,
        querystring: radarQuery,
        response: { 200: routeResponseSchema(radarJson), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const r = await deps.behaviour.radar(request.params.ip, q.since, q.until);
      return { ip: r.ip, ...windowJson(q), windows: r.windows, baselines: BASELINE_TEXT, axes: r.axes };
    },
  );
}
