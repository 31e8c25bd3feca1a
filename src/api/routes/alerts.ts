/**
 * GET /api/alerts: the latest high and critical threats (simulation-only threats are not alerts), newest first,
 * through the (severity, time) index; per site with `host`.
 */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { threatToJson } from '../../store/index.js';
import { errorResponses } from '../errors.js';
import { analyticsFilterFields } from '../params/filters.js';
import { integerParam } from '../params/integer.js';
import { resolveWindow, windowFields } from '../params/window.js';
import { DAY_MS, type AnalyticsDeps } from './analytics-common.js';

export function alertsQuery(clock: () => number) {
  return z
    .object({
      ...windowFields('24h'),
      host: analyticsFilterFields().host,
      min_severity: z.enum(['high', 'critical']).default('high').describe('high lists high and critical; critical lists critical only.'),
      limit: integerParam({ min: 1, max: 200, default: 50, description: 'Most alerts.' }),
    })
    .strict()
    .transform((q, ctx) => ({ ...resolveWindow(q, clock(), DAY_MS, ctx), host: q.host, minSeverity: q.min_severity, limit: q.limit }));
}

const alertsResponse = {
  type: 'object',
  properties: {
    since: { type: 'string', format: 'date-time' },
    until: { type: 'string', format: 'date-time' },
    items: { type: 'array', items: { $ref: 'Threat#' }, description: 'Newest first.' },
  },
  required: ['since', 'until', 'items'],
} as const;

export function liveAlertRoutes(app: FastifyInstance, deps: AnalyticsDeps): void {
  const q = alertsQuery(deps.clock ?? Date.now);
  app.get<{ Querystring: z.output<typeof q> }>(
    '/api/alerts',
    {
      config: { scope: 'read' },
      schema: { tags: ['analytics'], summary: 'The latest high and critical threats', querystring: q, response: { 200: alertsResponse, ...errorResponses } },
    },
    async (request) => {
      const { since, until, host, minSeverity, limit } = request.query;
      const { items } = await deps.store.threats.list({
        since,
        until,
        ...(host !== undefined ? { host } : {}),
        severity: minSeverity === 'critical' ? ['critical'] : ['high', 'critical'],
        sort: 'time',
        order: 'desc',
        limit,
        offset: 0,
      });
      return {
        since: new Date(since).toISOString(),
        until: new Date(until).toISOString(),
        items: items.filter((t) => !(t.detections.length > 0 && t.detections.every((d) => d.simulated))).map(threatToJson),
      };
    },
  );
}
