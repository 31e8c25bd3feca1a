/**
 * Notification dead letters (scope admin): what a channel could not deliver after its last attempt, listed
 * newest first, sent again once (removed when the receiver accepts it), or deleted. Registered through the
 * plugin seam by the runtime with the channels as configured now (src/notify).
 */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { BadRequestError, NotFoundError } from '../../core/index.js';
import { retryDeadLetter, type Channel } from '../../notify/index.js';
import type { DeadLetter, DeadLetterRepository } from '../../store/index.js';
import { errorResponses } from '../errors.js';
import type { ApiPlugin } from '../types.js';

const deadLetterSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    channel: { type: 'string' },
    threat_id: { type: 'string' },
    error: { type: 'string' },
    attempts: { type: 'integer' },
    failed_at: { type: 'string', format: 'date-time' },
    retried_at: { type: ['string', 'null'], format: 'date-time' },
    notification: { type: 'object', additionalProperties: true, description: 'The alert as notified (docs/notifications.md, fields).' },
  },
  required: ['id', 'channel', 'threat_id', 'error', 'attempts', 'failed_at', 'retried_at', 'notification'],
} as const;

const listQuery = z
  .object({
    channel: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'is not a channel name').optional().describe('Only this channel.'),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    before: z.coerce.number().int().min(1).optional().describe('Page on: ids below this one (next_before of the previous page).'),
  })
  .strict();

const idParams = z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).describe('The dead letter id.') }).strict();

export function deadLetterJson(d: DeadLetter) {
  return {
    id: d.id,
    channel: d.channel,
    threat_id: d.threatId,
    error: d.error,
    attempts: d.attempts,
    failed_at: new Date(d.failedAt).toISOString(),
    retried_at: d.retriedAt === null ? null : new Date(d.retriedAt).toISOString(),
    notification: d.notification,
  };
}

export interface NotificationRouteDeps {
  deadLetters: DeadLetterRepository;
  /** The channels as configured now (built lazily: a process may serve the API without sending). */
  channels: () => ReadonlyMap<string, Channel>;
  clock?: () => number;
}

export function notificationRoutes(deps: NotificationRouteDeps): ApiPlugin {
  const clock = deps.clock ?? Date.now;
  return (app: FastifyInstance) => {
    app.get<{ Querystring: z.output<typeof listQuery> }>(
      '/api/notifications/dead-letters',
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['notifications'],
          summary: 'Notifications that failed after their last attempt, newest first',
          querystring: listQuery,
          response: {
            200: {
              type: 'object',
              properties: { items: { type: 'array', items: deadLetterSchema }, next_before: { type: ['integer', 'null'] } },
              required: ['items', 'next_before'],
            },
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { channel, limit, before } = request.query;
        const items = await deps.deadLetters.list({ limit, ...(channel ? { channel } : {}), ...(before ? { before } : {}) });
        return { items: items.map(deadLetterJson), next_before: items.length === limit ? items[items.length - 1]!.id : null };
      },
    );

    app.post<{ Params: z.output<typeof idParams> }>(
      '/api/notifications/dead-letters/:id/retry',
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['notifications'],
          summary: 'Send a dead letter again, once: removed when delivered, else its error and attempts are updated',
          params: idParams,
          response: {
            200: {
              type: 'object',
              properties: {
                id: { type: 'integer' },
                delivered: { type: 'boolean' },
                error: { type: ['string', 'null'] },
                dead_letter: { anyOf: [deadLetterSchema, { type: 'null' }] },
              },
              required: ['id', 'delivered', 'error', 'dead_letter'],
            },
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { id } = request.params;
        const outcome = await retryDeadLetter(deps.deadLetters, deps.channels(), id, clock());
        switch (outcome.status) {
          case 'not-found':
            throw new NotFoundError(`no dead letter with id ${id}`);
          case 'no-channel':
            throw new BadRequestError(`channel ${JSON.stringify(outcome.channel)} is no longer configured under notify.channels`);
          case 'delivered':
            request.log.info({ id, channel: outcome.channel, by: request.apiKey?.name }, 'dead letter delivered on retry');
            return { id, delivered: true, error: null, dead_letter: null };
          case 'failed':
            return { id, delivered: false, error: outcome.error, dead_letter: outcome.letter ? deadLetterJson(outcome.letter) : null };
        }
      },
    );

    app.delete<{ Params: z.output<typeof idParams> }>(
      '/api/notifications/dead-letters/:id',
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['notifications'],
          summary: 'Delete a dead letter (it will not be sent)',
          params: idParams,
          response: { 200: { type: 'object', properties: { id: { type: 'integer' }, deleted: { type: 'boolean' } }, required: ['id', 'deleted'] }, ...errorResponses },
        },
      },
      async (request) => {
        const { id } = request.params;
        if (!(await deps.deadLetters.remove(id))) throw new NotFoundError(`no dead letter with id ${id}`);
        return { id, deleted: true };
      },
    );
  };
}
