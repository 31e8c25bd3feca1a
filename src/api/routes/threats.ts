/**
 * GET /api/threats (filtered, sorted, paginated list) and GET /api/threats/:id.
 * One zod schema per request part bounds every parameter, whitelists the enums and parses times, IPs and
 * lists (src/api/request-schema.ts); values reach SQL only as parameters, inside the store.
 */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { CATEGORIES, SEVERITIES, NotFoundError } from '../../core/index.js';
import { THREAT_SORTS, threatToJson, type ThreatQuery, type ThreatRepository } from '../../store/index.js';
import { errorResponses } from '../errors.js';
import { integerParam } from '../params/integer.js';
import { ipParam } from '../params/ip.js';
import { listParam } from '../params/list.js';
import { resolveOptionalRange, timeRangeFields } from '../params/range.js';
import type { ApiDeps } from '../types.js';

export const MAX_LIMIT = 500;
export const DEFAULT_LIMIT = 50;
/** Deep offsets make the database walk and discard rows; past this, narrow the time range instead. */
export const MAX_OFFSET = 100_000;
export const MAX_PATH_FILTER = 512;
/** Stored threat ids are event ids: 16 hex characters (src/ingest/event-id.ts). */
export const THREAT_ID = /^[0-9a-f]{16}$/;

/** The list query; `clock` gives the request's "now" for relative times. */
export function threatListQuery(clock: () => number) {
  return z
    .object({
      limit: integerParam({ min: 1, max: MAX_LIMIT, default: DEFAULT_LIMIT, description: 'Page size.' }),
      offset: integerParam({ min: 0, max: MAX_OFFSET, description: 'Rows to skip; exclusive with page.' }),
      page: integerParam({
        min: 1,
        max: MAX_OFFSET,
        description: `1-based page number (offset = (page-1) × limit, at most ${MAX_OFFSET}); exclusive with offset.`,
      }),
      ...timeRangeFields(null),
      severity: listParam(SEVERITIES, { maxLength: 100, fold: 'lower' }),
      category: listParam(CATEGORIES, { maxLength: 400, fold: 'lower' }),
      ip: ipParam('Source IP (IPv4 or IPv6), exact match.').optional(),
      path: z
        .string()
        .min(1)
        .max(MAX_PATH_FILTER)
        // PostgreSQL text cannot hold NUL; a path containing one matches nothing that was stored.
        .refine((p) => !p.includes('\0'), 'must not contain NUL')
        .optional()
        .describe('Substring of the request path, matched literally (% and _ are not wildcards).'),
      sort: z.enum(THREAT_SORTS).default('time').describe('Sort column.'),
      order: z.enum(['asc', 'desc']).default('desc'),
    })
    .strict()
    .transform((q, ctx): ThreatQuery => {
      if (q.offset !== undefined && q.page !== undefined) {
        ctx.addIssue({ code: 'custom', message: 'and "page" are exclusive; give one', path: ['offset'] });
        return z.NEVER;
      }
      const offset = q.page !== undefined ? (q.page - 1) * q.limit : (q.offset ?? 0);
      if (offset > MAX_OFFSET) {
        ctx.addIssue({
          code: 'custom',
          message: `reaches past offset ${MAX_OFFSET} (page × limit); narrow since/until`,
          path: ['page'],
        });
        return z.NEVER;
      }
      const query: ThreatQuery = { sort: q.sort, order: q.order, limit: q.limit, offset };
      Object.assign(query, resolveOptionalRange(q, clock(), ctx));
      if (q.severity !== undefined) query.severity = q.severity;
      if (q.category !== undefined) query.category = q.category;
      if (q.ip !== undefined) query.ip = q.ip;
      if (q.path !== undefined) query.path = q.path;
      return query;
    });
}

const threatIdParams = z
  .object({
    id: z
      .string()
      .regex(THREAT_ID, 'is not a threat id (16 hex characters)')
      .describe('The threat id: 16 hex characters.'),
  })
  .strict();

const listResponseSchema = {
  type: 'object',
  properties: {
    items: { type: 'array', items: { $ref: 'Threat#' } },
    total: { type: 'integer', description: 'Rows matching the filters, ignoring limit and offset.' },
    limit: { type: 'integer' },
    offset: { type: 'integer' },
  },
  required: ['items', 'total', 'limit', 'offset'],
} as const;

export interface ThreatRouteDeps extends Pick<ApiDeps, 'clock'> {
  threats: Pick<ThreatRepository, 'list' | 'get'>;
}

export function threatRoutes(app: FastifyInstance, deps: ThreatRouteDeps): void {
  const listQuery = threatListQuery(deps.clock ?? Date.now);

  app.get<{ Querystring: z.output<typeof listQuery> }>(
    '/api/threats',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['threats'],
        summary: 'List stored threats, newest first by default',
        querystring: listQuery,
        response: { 200: listResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const query = request.query;
      const { items, total } = await deps.threats.list(query);
      return { items: items.map(threatToJson), total, limit: query.limit, offset: query.offset };
    },
  );

  app.get<{ Params: z.output<typeof threatIdParams> }>(
    '/api/threats/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['threats'],
        summary: 'One stored threat with its detections',
        params: threatIdParams,
        response: { 200: { $ref: 'Threat#' }, ...errorResponses },
      },
    },
    async (request) => {
      const row = await deps.threats.get(request.params.id);
      if (!row) throw new NotFoundError(`no threat with id "${request.params.id}"`);
      return threatToJson(row);
    },
  );
}
