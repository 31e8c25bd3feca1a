/**
 * GET /api/scores — the scores table: stored per-IP windows across sources with their behaviour features and
 * threat level, filtered by level, sorted by a whitelisted feature, paginated.
 */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { THREAT_LEVELS } from '../../detect/index.js';
import { SCORE_SORTS, windowToJson, type WindowRepository } from '../../store/index.js';
import { errorResponses } from '../errors.js';
import { integerParam } from '../params/integer.js';
import { listParam } from '../params/list.js';
import { resolveRange, timeRangeFields } from '../params/range.js';
import type { ApiDeps } from '../types.js';

const DAY_MS = 86_400_000;
export const SCORES_MAX_LIMIT = 500;
export const SCORES_DEFAULT_LIMIT = 50;
/** Deep offsets make the database walk and discard rows; past this, narrow since/until instead. */
export const SCORES_MAX_OFFSET = 100_000;

/** The query of GET /api/scores; `clock` gives the request's "now" for relative times and defaults. */
export function scoresQuery(clock: () => number) {
  return z
    .object({
      ...timeRangeFields('24h'),
      threat_level: listParam(THREAT_LEVELS, { maxLength: 120, fold: 'upper' }),
      limit: integerParam({ min: 1, max: SCORES_MAX_LIMIT, default: SCORES_DEFAULT_LIMIT, description: 'Page size.' }),
      offset: integerParam({ min: 0, max: SCORES_MAX_OFFSET, default: 0, description: 'Windows to skip.' }),
      sort: z
        .enum(SCORE_SORTS)
        .default('time')
        .describe('time is the window start; threat_level sorts by severity (CRITICAL highest).'),
      order: z.enum(['asc', 'desc']).default('desc'),
    })
    .strict()
    .transform((q, ctx) => ({ ...q, ...resolveRange(q, clock(), DAY_MS, ctx) }));
}

const responseSchema = {
  type: 'object',
  properties: {
    since: { type: 'string', format: 'date-time' },
    until: { type: 'string', format: 'date-time' },
    items: { type: 'array', items: { $ref: 'IpWindow#' } },
    total: { type: 'integer', description: 'Windows matching the filters, ignoring limit and offset.' },
    limit: { type: 'integer' },
    offset: { type: 'integer' },
  },
  required: ['since', 'until', 'items', 'total', 'limit', 'offset'],
} as const;

export interface ScoreRouteDeps extends Pick<ApiDeps, 'clock'> {
  windows: Pick<WindowRepository, 'scores'>;
}

export function scoreRoutes(app: FastifyInstance, deps: ScoreRouteDeps): void {
  const query = scoresQuery(deps.clock ?? Date.now);
  app.get<{ Querystring: z.output<typeof query> }>(
    '/api/scores',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['scores'],
        summary: 'Per-IP behaviour windows (features and threat level) across sources',
        querystring: query,
        response: { 200: responseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const { since, until } = q;
      const { items, total } = await deps.windows.scores(since, until, {
        ...(q.threat_level !== undefined ? { threatLevel: q.threat_level } : {}),
        sort: q.sort,
        order: q.order,
        limit: q.limit,
        offset: q.offset,
      });
      return {
        since: new Date(since).toISOString(),
        until: new Date(until).toISOString(),
        items: items.map(windowToJson),
        total,
        limit: q.limit,
        offset: q.offset,
      };
    },
  );
}
