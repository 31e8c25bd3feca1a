/**
 * GET /api/threats (filtered, sorted, paginated list) and GET /api/threats/:id.
 * The JSON schemas bound every parameter and whitelist the enums; the handler then parses what a schema
 * cannot express (times, IPs, comma lists). Values reach SQL only as parameters, inside the store.
 */
import type { FastifyInstance } from 'fastify';
import { CATEGORIES, SEVERITIES } from '../../core/detection.js';
import { BadRequestError, NotFoundError } from '../../core/errors.js';
import { THREAT_SORTS, type ThreatQuery } from '../../store/types.js';
import { errorResponses } from '../errors.js';
import { parseIpParam } from '../params/ip.js';
import { parseListParam } from '../params/list.js';
import { parseTimeParam, TIME_PARAM_DESCRIPTION } from '../params/time.js';
import type { ApiDeps } from '../types.js';
import { threatToJson } from './threat-json.js';

export const MAX_LIMIT = 500;
export const DEFAULT_LIMIT = 50;
/** Deep offsets make the database walk and discard rows; past this, narrow the time range instead. */
export const MAX_OFFSET = 100_000;
export const MAX_PATH_FILTER = 512;
export const THREAT_ID_PATTERN = '^[A-Za-z0-9._:~-]{1,128}$';

interface ListQuery {
  limit: number;
  offset?: number;
  page?: number;
  since?: string;
  until?: string;
  severity?: string;
  category?: string;
  ip?: string;
  path?: string;
  sort: (typeof THREAT_SORTS)[number];
  order: 'asc' | 'desc';
}

const listQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_LIMIT,
      default: DEFAULT_LIMIT,
      description: 'Page size.',
    },
    offset: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_OFFSET,
      description: 'Rows to skip; exclusive with page.',
    },
    page: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_OFFSET,
      description: '1-based page number (offset = (page-1) × limit); exclusive with offset.',
    },
    since: {
      type: 'string',
      maxLength: 40,
      description: `Oldest event time, inclusive. ${TIME_PARAM_DESCRIPTION}`,
    },
    until: {
      type: 'string',
      maxLength: 40,
      description: `Newest event time, exclusive. ${TIME_PARAM_DESCRIPTION}`,
    },
    severity: {
      type: 'string',
      maxLength: 100,
      description: `One or a comma-separated list of: ${SEVERITIES.join(', ')}.`,
    },
    category: {
      type: 'string',
      maxLength: 400,
      description: `One or a comma-separated list of: ${CATEGORIES.join(', ')}.`,
    },
    ip: { type: 'string', maxLength: 64, description: 'Source IP (IPv4 or IPv6), exact match.' },
    path: {
      type: 'string',
      minLength: 1,
      maxLength: MAX_PATH_FILTER,
      description: 'Substring of the request path, matched literally (% and _ are not wildcards).',
    },
    sort: { type: 'string', enum: [...THREAT_SORTS], default: 'time', description: 'Sort column.' },
    order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
  },
} as const;

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

const idParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: {
      type: 'string',
      pattern: THREAT_ID_PATTERN,
      description: '1-128 characters of A-Z a-z 0-9 . _ : ~ -',
    },
  },
  required: ['id'],
} as const;

/** Turns validated query parameters into a store query; throws 400s naming the parameter. */
export function toThreatQuery(q: ListQuery, now: number): ThreatQuery {
  if (q.offset !== undefined && q.page !== undefined) {
    throw new BadRequestError('query parameters "offset" and "page" are exclusive; give one', 'offset');
  }
  const offset = q.page !== undefined ? (q.page - 1) * q.limit : (q.offset ?? 0);
  if (offset > MAX_OFFSET) {
    throw new BadRequestError(
      `query parameter "page" reaches past offset ${MAX_OFFSET}; narrow since/until`,
      'page',
    );
  }
  const query: ThreatQuery = { sort: q.sort, order: q.order, limit: q.limit, offset };
  if (q.since !== undefined) query.since = parseTimeParam('since', q.since, now);
  if (q.until !== undefined) query.until = parseTimeParam('until', q.until, now);
  if (query.since !== undefined && query.until !== undefined && query.since > query.until) {
    throw new BadRequestError('query parameter "since" is after "until"', 'since');
  }
  if (q.severity !== undefined) query.severity = parseListParam('severity', q.severity, SEVERITIES);
  if (q.category !== undefined) query.category = parseListParam('category', q.category, CATEGORIES);
  if (q.ip !== undefined) query.ip = parseIpParam('ip', q.ip);
  if (q.path !== undefined) query.path = q.path;
  return query;
}

export function threatRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const clock = deps.clock ?? Date.now;

  app.get<{ Querystring: ListQuery }>(
    '/api/threats',
    {
      schema: {
        tags: ['threats'],
        summary: 'List stored threats, newest first by default',
        querystring: listQuerySchema,
        response: { 200: listResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const query = toThreatQuery(request.query, clock());
      const { items, total } = await deps.store.listThreats(query);
      return { items: items.map(threatToJson), total, limit: query.limit, offset: query.offset };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/threats/:id',
    {
      schema: {
        tags: ['threats'],
        summary: 'One stored threat with its detections',
        params: idParamsSchema,
        response: { 200: { $ref: 'Threat#' }, ...errorResponses },
      },
    },
    async (request) => {
      const row = await deps.store.getThreat(request.params.id);
      if (!row) throw new NotFoundError(`no threat with id "${request.params.id}"`);
      return threatToJson(row);
    },
  );
}
