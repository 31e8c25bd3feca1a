/**
 * GET /api/detections (rule and behaviour hits) and GET /api/traffic (raw requests): filtered, sorted by
 * whitelisted fields, paginated (limit/offset, page/per_page, or an opaque cursor for deep pages) with total
 * and pages. Always within a window (default the last 24 h), so the time indexes bound the work.
 */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { CATEGORIES, SEVERITIES } from '../../core/index.js';
import {
  DETECTION_KINDS,
  DETECTION_SORTS,
  detectionRowJson,
  detectionRowToJson,
  MAX_COUNT,
  requestJson,
  requestToJson,
  type DetectionQuery,
  type TrafficQuery,
} from '../../store/index.js';
import { errorResponses } from '../errors.js';
import { pageEnvelope, pageEnvelopeSchema } from '../params/envelope.js';
import { analyticsFilterFields, resolveFilters } from '../params/filters.js';
import { listParam } from '../params/list.js';
import { paginationFields, resolvePagination } from '../params/pagination.js';
import { resolveWindow, windowFields } from '../params/window.js';
import { routeResponseSchema } from '../response-schema.js';
import { DAY_MS, type AnalyticsDeps } from './analytics-common.js';

const MAX_SUBSTRING = 512;
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const METHOD = /^[A-Za-z]{1,16}$/;

function substring(description: string) {
  return z
    .string()
    .min(1)
    .max(MAX_SUBSTRING)
    .refine((v) => !v.includes('\0'), 'must not contain NUL')
    .optional()
    .describe(`${description} Matched literally (% and _ are not wildcards).`);
}

/** Comma list of identifiers matching `re` (rule ids, methods), bounded. */
function idList(re: RegExp, what: string, description: string) {
  return z
    .string()
    .max(1000)
    .transform((raw, ctx) => {
      const out = [...new Set(raw.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
      const bad = out.find((v) => !re.test(v));
      if (bad !== undefined || out.length === 0 || out.length > 50) {
        ctx.addIssue({ code: 'custom', message: `must be one to 50 ${what}, comma-separated${bad ? ` (got ${JSON.stringify(bad.slice(0, 40))})` : ''}` });
        return z.NEVER;
      }
      return out;
    })
    .optional()
    .describe(description);
}

const order = z.enum(['asc', 'desc']).default('desc').describe('Sort direction.');

export function detectionsQuery(clock: () => number) {
  return z
    .object({
      ...paginationFields(),
      ...windowFields('24h'),
      ...analyticsFilterFields(),
      rule: idList(RULE_ID, 'rule ids', 'Rule or behaviour scenario ids.'),
      category: listParam(CATEGORIES, { maxLength: 400, fold: 'lower' }),
      severity: listParam(SEVERITIES, { maxLength: 100, fold: 'lower', description: "The detection's own severity." }),
      kind: listParam(DETECTION_KINDS, { maxLength: 30, fold: 'lower' }),
      path: substring('Substring of the request path.'),
      sort: z.enum(DETECTION_SORTS).default('time').describe('Sort field (the cursor pages sort=time only).'),
      order,
    })
    .strict()
    .transform((q, ctx): DetectionQuery => {
      const page = resolvePagination(q, ctx);
      if (page.cursor && q.sort !== 'time') ctx.addIssue({ code: 'custom', message: 'pages only sort=time lists', path: ['cursor'] });
      const out: DetectionQuery = { ...resolveFilters(q), ...resolveWindow(q, clock(), DAY_MS, ctx), sort: q.sort, order: q.order, limit: page.limit, offset: page.offset };
      if (page.cursor) out.cursor = page.cursor;
      if (q.rule) out.rule = q.rule;
      if (q.category) out.category = q.category;
      if (q.severity) out.severity = q.severity;
      if (q.kind) out.kind = q.kind;
      if (q.path !== undefined) out.path = q.path;
      return out;
    });
}

export function trafficQuery(clock: () => number) {
  const { q, ip, host, status, bot, browser } = analyticsFilterFields();
  return z
    .object({
      ...paginationFields(),
      ...windowFields('24h'),
      q,
      ip,
      host,
      status,
      bot,
      browser,
      method: idList(METHOD, 'HTTP methods', 'HTTP methods (GET, POST…).'),
      path: substring('Substring of the request path.'),
      user_agent: substring('Substring of the user agent (case-insensitive).'),
      sort: z.enum(['time']).default('time').describe('Sort field: raw requests sort by time only (the index that bounds the work).'),
      order,
    })
    .strict()
    .transform((v, ctx): TrafficQuery => {
      const page = resolvePagination(v, ctx);
      const out: TrafficQuery = { ...resolveFilters(v), ...resolveWindow(v, clock(), DAY_MS, ctx), order: v.order, limit: page.limit, offset: page.offset };
      if (page.cursor) out.cursor = page.cursor;
      if (v.method) out.method = v.method.map((m) => m.toUpperCase());
      if (v.path !== undefined) out.path = v.path;
      if (v.user_agent !== undefined) out.user_agent = v.user_agent;
      return out;
    });
}

const counted = {
  total_exact: z
    .boolean()
    .describe(
      `False when counting stopped at ${MAX_COUNT} (total is then a lower bound: narrow the filters), or when an unfiltered ` +
        'traffic total came from the minute rollups with since inside a minute (it may include that minute before since).',
    ),
};
export const detectionsJson = pageEnvelopeSchema(detectionRowJson).extend(counted);
export const trafficJson = pageEnvelopeSchema(requestJson).extend(counted);

export function detectionRoutes(app: FastifyInstance, deps: AnalyticsDeps): void {
  const clock = deps.clock ?? Date.now;
  const dq = detectionsQuery(clock);
  app.get<{ Querystring: z.output<typeof dq> }>(
    '/api/detections',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['analytics'],
        summary: 'Rule and behaviour detections, newest first, filtered and paginated',
        querystring: dq,
        response: { 200: routeResponseSchema(detectionsJson), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const { items, total, exact } = await deps.store.detections.list(q);
      const page = { limit: q.limit, offset: q.offset, ...(q.cursor ? { cursor: q.cursor } : {}) };
      const key = q.sort === 'time' ? (d: { time: number; id: string }) => ({ time: d.time, id: d.id }) : undefined;
      const env = pageEnvelope(items, total, page, key, q.order);
      return { ...env, items: items.map(detectionRowToJson), total_exact: exact };
    },
  );

  const tq = trafficQuery(clock);
  app.get<{ Querystring: z.output<typeof tq> }>(
    '/api/traffic',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['analytics'],
        summary: 'Raw requests, newest first, filtered and paginated',
        querystring: tq,
        response: { 200: routeResponseSchema(trafficJson), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const { items, total, exact } = await deps.store.traffic.list(q);
      const page = { limit: q.limit, offset: q.offset, ...(q.cursor ? { cursor: q.cursor } : {}) };
      const env = pageEnvelope(items, total, page, (r) => ({ time: r.time, id: r.id }), q.order);
      return { ...env, items: items.map(requestToJson), total_exact: exact };
    },
  );
}
