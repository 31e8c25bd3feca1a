/**
 * GET /api/scores — the scores table: stored per-IP windows across sources with their behaviour features and
 * threat level, filtered by level, sorted by a whitelisted feature, paginated.
 */
import type { FastifyInstance } from 'fastify';
import { THREAT_LEVELS, type ThreatLevel } from '../../detect/behaviour/index.js';
import { BadRequestError } from '../../core/errors.js';
import { SCORE_SORTS, type ScoreSort } from '../../store/types.js';
import { errorResponses } from '../errors.js';
import { parseRangeParams, rangeParamSchemas } from '../params/range.js';
import type { ApiDeps } from '../types.js';
import { windowToJson } from './window-json.js';

const DAY_MS = 86_400_000;
export const SCORES_MAX_LIMIT = 500;
export const SCORES_DEFAULT_LIMIT = 50;
/** Deep offsets make the database walk and discard rows; past this, narrow since/until instead. */
export const SCORES_MAX_OFFSET = 100_000;

interface ScoresQueryString {
  since?: string;
  until?: string;
  threat_level?: string;
  limit: number;
  offset: number;
  sort: ScoreSort;
  order: 'asc' | 'desc';
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

/** `threat_level=HIGH,critical`: case-insensitive, de-duplicated, each one of THREAT_LEVELS. */
export function parseThreatLevels(raw: string): ThreatLevel[] {
  const out: ThreatLevel[] = [];
  for (const part of raw.split(',')) {
    const v = part.trim().toUpperCase();
    if (v === '') continue;
    if (!(THREAT_LEVELS as readonly string[]).includes(v)) {
      const shown = v.length > 40 ? v.slice(0, 40) + '…' : v;
      throw new BadRequestError(
        `query parameter "threat_level" has unknown value "${shown}"; valid: ${THREAT_LEVELS.join(', ')}`,
        'threat_level',
      );
    }
    if (!out.includes(v as ThreatLevel)) out.push(v as ThreatLevel);
  }
  if (out.length === 0) throw new BadRequestError(`query parameter "threat_level" is empty; valid: ${THREAT_LEVELS.join(', ')}`, 'threat_level');
  return out;
}

export function scoreRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const clock = deps.clock ?? Date.now;
  app.get<{ Querystring: ScoresQueryString }>(
    '/api/scores',
    {
      schema: {
        tags: ['scores'],
        summary: 'Per-IP behaviour windows (features and threat level) across sources',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...rangeParamSchemas('24h'),
            threat_level: {
              type: 'string',
              maxLength: 120,
              description: `One or a comma-separated list of: ${THREAT_LEVELS.join(', ')}.`,
            },
            limit: { type: 'integer', minimum: 1, maximum: SCORES_MAX_LIMIT, default: SCORES_DEFAULT_LIMIT },
            offset: { type: 'integer', minimum: 0, maximum: SCORES_MAX_OFFSET, default: 0 },
            sort: {
              type: 'string',
              enum: [...SCORE_SORTS],
              default: 'time',
              description: 'time is the window start; threat_level sorts by severity (CRITICAL highest).',
            },
            order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
          },
        },
        response: { 200: responseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const { since, until } = parseRangeParams(q, clock(), DAY_MS);
      const { items, total } = await deps.store.scores(since, until, {
        ...(q.threat_level !== undefined ? { threatLevel: parseThreatLevels(q.threat_level) } : {}),
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
