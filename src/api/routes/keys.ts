/**
 * Key administration over HTTP (scope admin): list, create (the key is in the answer, once), revoke. The CLI
 * (`rampart keys`) uses these when a server holds the embedded store, which one process at a time may open.
 */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { NotFoundError } from '../../core/index.js';
import { KEY_SCOPES, MAX_KEY_NAME, type ApiKeyRepository } from '../../store/index.js';
import { apiKeyJson, issueApiKey, parseExpiry } from '../auth/api-key.js';
import { errorResponses } from '../errors.js';

const keyJsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string', enum: [...KEY_SCOPES] } },
    created_at: { type: 'string', format: 'date-time' },
    last_used_at: { type: ['string', 'null'], format: 'date-time' },
    expires_at: { type: ['string', 'null'], format: 'date-time' },
    revoked_at: { type: ['string', 'null'], format: 'date-time' },
  },
  required: ['id', 'name', 'scopes', 'created_at', 'last_used_at', 'expires_at', 'revoked_at'],
} as const;

const listQuery = z
  .object({
    all: z.enum(['true', 'false', '1', '0']).default('false').transform((v) => v === 'true' || v === '1').describe('Include revoked keys.'),
  })
  .strict();

const createBody = z
  .object({
    name: z.string().min(1).max(MAX_KEY_NAME).describe("Letters, digits, '.', '_', '-'; unique among active keys."),
    scopes: z.array(z.enum(KEY_SCOPES)).min(1).max(KEY_SCOPES.length),
    expires: z.string().min(1).max(40).optional().describe('A duration (90d, 12h, 30m, 2w, 1y) or an ISO date; none: never.'),
  })
  .strict();

const keyParams = z
  .object({
    key: z
      .string()
      .min(1)
      .max(200)
      // Names and ids are plain words; PostgreSQL text cannot even hold a NUL.
      .regex(/^[A-Za-z0-9._-]+$/, "is not a key name or id (letters, digits, '.', '_', '-')")
      .describe('The key name (its active key) or id.'),
  })
  .strict();

export function keyRoutes(app: FastifyInstance, deps: { apiKeys: ApiKeyRepository; clock?: () => number }): void {
  const clock = deps.clock ?? Date.now;
  app.get<{ Querystring: z.output<typeof listQuery> }>(
    '/api/keys',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['access'],
        summary: 'API keys: name, scopes, created, last used, expiry (never the key)',
        querystring: listQuery,
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: keyJsonSchema } }, required: ['items'] }, ...errorResponses },
      },
    },
    async (request) => ({ items: (await deps.apiKeys.list({ all: request.query.all })).map(apiKeyJson) }),
  );

  app.post<{ Body: z.output<typeof createBody> }>(
    '/api/keys',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['access'],
        summary: 'Create a key; the answer holds the key, shown this once (only its hash is stored)',
        body: createBody,
        response: {
          201: { type: 'object', properties: { key: { type: 'string' }, ...keyJsonSchema.properties }, required: ['key', ...keyJsonSchema.required] },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const now = clock();
      const { name, scopes, expires } = request.body;
      const { key, record } = await issueApiKey(deps.apiKeys, { name, scopes, expiresAt: expires === undefined ? null : parseExpiry(expires, now) }, now);
      request.log.info({ id: record.id, name: record.name, scopes: record.scopes, by: request.apiKey?.name }, 'API key created');
      return reply.code(201).send({ key, ...apiKeyJson(record) });
    },
  );

  app.delete<{ Params: z.output<typeof keyParams> }>(
    '/api/keys/:key',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['access'],
        summary: 'Revoke a key by name or id; it stops working within 10 s on every API process',
        params: keyParams,
        response: { 200: keyJsonSchema, ...errorResponses },
      },
    },
    async (request) => {
      const record = await deps.apiKeys.revoke(request.params.key, clock());
      if (!record) throw new NotFoundError(`no active key named or with id ${JSON.stringify(request.params.key.slice(0, 80))}`);
      request.log.info({ id: record.id, name: record.name, by: request.apiKey?.name }, 'API key revoked');
      return apiKeyJson(record);
    },
  );
}
