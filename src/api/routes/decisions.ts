/**
 * Decisions over HTTP (issue #15): list, add and delete (admin to write), their statistics, the seed dashboards'
 * `GET /decisions` (latest) and `GET /country` (decisions and attacks by country), and bouncer keys. The
 * aggregates go through the analytics cache keyed by the decision generation, which every add and delete
 * moves, so a change shows at once; expiry alone shows within the cache TTL.
 */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { BadRequestError, NotFoundError } from '../../core/index.js';
import { MAX_DURATION_MS, parseDuration, REMEDIATIONS, targetOfText } from '../../decide/index.js';
import { checkBouncerName, MAX_DECISION_TEXT, type DecisionFilter, type Store } from '../../store/index.js';
import { generateApiKey, hashApiKey } from '../auth/api-key.js';
import type { AnalyticsCache } from '../cache/index.js';
import { errorResponses } from '../errors.js';
import { integerParam } from '../params/integer.js';
import { bouncerJson, bouncerJsonSchema, decisionJson, decisionJsonSchema } from './decision-json.js';

export interface DecisionRouteDeps {
  store: Pick<Store, 'decisions' | 'analytics'>;
  cache?: AnalyticsCache;
  clock?: () => number;
  /** Called after decisions or bouncers change (the bouncer routes forget cached keys). */
  onBouncersChanged?: () => void;
}

const cidrText = (what: string) =>
  z
    .string()
    .min(1)
    .max(64)
    .transform((raw, ctx) => {
      try {
        return targetOfText(raw);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `is not ${what}: ${(err as Error).message}` });
        return z.NEVER;
      }
    });

const text = (max: number) => z.string().min(1).max(max);
const origin = z.string().regex(/^[A-Za-z0-9_.:-]{1,32}$/, "is not an origin (1-32 letters, digits, '_', '.', ':', '-')");

const filterFields = {
  ip: cidrText('an IP address').optional().describe('Decisions covering this address (a range containing it matches).'),
  range: cidrText('a CIDR range').optional().describe('Decisions covering this range.'),
  scenario: text(MAX_DECISION_TEXT).optional().describe('Scenario, exact.'),
  origin: origin.optional().describe('rampart (the policy), manual, or another origin.'),
};

function toFilter(q: { ip?: { value: string } | undefined; range?: { value: string } | undefined; scenario?: string | undefined; origin?: string | undefined }): DecisionFilter {
  const f: DecisionFilter = {};
  if (q.ip) f.ip = q.ip.value;
  if (q.range) f.range = q.range.value;
  if (q.scenario !== undefined) f.scenario = q.scenario;
  if (q.origin !== undefined) f.origins = [q.origin];
  return f;
}

const listQuery = z
  .object({
    ...filterFields,
    type: z.enum(REMEDIATIONS).optional(),
    scope: z.enum(['ip', 'range', 'Ip', 'Range']).optional(),
    simulated: z.enum(['true', 'false', 'any']).default('false').describe('Simulated decisions: only them, none (default) or both.'),
    all: z.enum(['true', 'false']).default('false').describe('Include expired and deleted decisions still stored.'),
    limit: integerParam({ min: 1, max: 1000, default: 100, description: 'Rows.' }),
    offset: integerParam({ min: 0, max: 1_000_000, default: 0, description: 'Rows to skip.' }),
  })
  .strict();

const deleteQuery = z
  .object({ ...filterFields, id: integerParam({ min: 1, max: Number.MAX_SAFE_INTEGER, description: 'One decision by id.' }) })
  .strict()
  .refine((q) => Object.values(q).some((v) => v !== undefined), {
    message: 'give at least one of ip, range, scenario, origin, id (deleting every decision is not done by accident)',
    path: ['ip'],
  });

const addBody = z
  .object({
    ip: z.string().min(1).max(64).optional().describe('An address (scope Ip).'),
    range: z.string().min(1).max(64).optional().describe('A CIDR (scope Range).'),
    type: z.enum(REMEDIATIONS).default('ban'),
    duration: z
      .string()
      .max(40)
      .default('4h')
      .superRefine((s, ctx) => {
        try {
          parseDuration(s);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
        }
      })
      .describe(`30m, 4h, 7d, 1h30m (at most ${MAX_DURATION_MS / 86_400_000} days).`),
    reason: text(MAX_DECISION_TEXT).optional().describe("The scenario bouncers see (default: manual '<type>' from '<key name>')."),
  })
  .strict()
  .superRefine((b, ctx) => {
    if ((b.ip === undefined) === (b.range === undefined)) ctx.addIssue({ code: 'custom', message: 'give exactly one of ip and range', path: ['ip'] });
  });

const bouncerParams = z.object({ name: z.string().min(1).max(200).regex(/^[A-Za-z0-9._@-]+$/, 'is not a bouncer name or id') }).strict();
const bouncerBody = z.object({ name: z.string().min(1).max(64) }).strict();

export function decisionRoutes(app: FastifyInstance, deps: DecisionRouteDeps): void {
  const clock = deps.clock ?? Date.now;
  const repo = deps.store.decisions;
  const cached = async <T>(name: string, params: unknown, compute: () => Promise<T>): Promise<T> => {
    if (!deps.cache) return compute();
    return deps.cache.cached(`${name}@${await repo.generation()}`, params, compute);
  };
  const itemsSchema = { type: 'object', properties: { items: { type: 'array', items: decisionJsonSchema } }, required: ['items'] } as const;

  app.get<{ Querystring: z.output<typeof listQuery> }>(
    '/api/decisions',
    {
      config: { scope: 'read' },
      schema: { tags: ['decisions'], summary: 'Decisions (active by default), newest first', querystring: listQuery, response: { 200: itemsSchema, ...errorResponses } },
    },
    async (request) => {
      const q = request.query;
      const now = clock();
      const f = toFilter(q);
      if (q.type !== undefined) f.type = q.type;
      if (q.scope !== undefined) f.scopes = [q.scope];
      f.simulated = q.simulated === 'any' ? 'any' : q.simulated === 'true';
      const rows = q.all === 'true' ? await repo.list(f, q.limit, q.offset) : await repo.active(f, now, q.limit, q.offset);
      return { items: rows.map((d) => decisionJson(d, now)) };
    },
  );

  app.post<{ Body: z.output<typeof addBody> }>(
    '/api/decisions',
    {
      config: { scope: 'admin' },
      schema: { tags: ['decisions'], summary: 'Add a decision (origin manual); bouncers get it at their next pull', body: addBody, response: { 201: decisionJsonSchema, ...errorResponses } },
    },
    async (request, reply) => {
      const b = request.body;
      let target;
      try {
        target = targetOfText((b.ip ?? b.range)!);
      } catch (err) {
        throw new BadRequestError(`${b.ip !== undefined ? 'ip' : 'range'}: ${(err as Error).message}`, b.ip !== undefined ? 'ip' : 'range');
      }
      if (b.ip !== undefined && target.scope !== 'Ip') throw new BadRequestError(`ip ${JSON.stringify(b.ip.slice(0, 64))} is a range: send it as range`, 'ip');
      const now = clock();
      const by = request.apiKey?.name ?? 'api';
      const [d] = await repo.add(
        [{ scope: target.scope, value: target.value, type: b.type, origin: 'manual', scenario: b.reason ?? `manual '${b.type}' from '${by}'`, until: now + parseDuration(b.duration) }],
        now,
      );
      request.log.info({ id: d!.id, value: d!.value, type: d!.type, by }, 'decision added');
      return reply.code(201).send(decisionJson(d!, now));
    },
  );

  app.delete<{ Querystring: z.output<typeof deleteQuery> }>(
    '/api/decisions',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['decisions'],
        summary: 'Delete (expire now) the active decisions matching ip, range, scenario, origin or id; bouncers see them under deleted',
        querystring: deleteQuery,
        response: { 200: { type: 'object', properties: { deleted: { type: 'integer' } }, required: ['deleted'] }, ...errorResponses },
      },
    },
    async (request) => {
      const f = toFilter(request.query);
      if (request.query.id !== undefined) f.id = request.query.id;
      const deleted = await repo.expire(f, clock());
      request.log.info({ deleted, by: request.apiKey?.name }, 'decisions deleted');
      return { deleted };
    },
  );

  const countMap = { type: 'object', additionalProperties: { type: 'integer' } } as const;
  app.get(
    '/api/decisions/stats',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['decisions'],
        summary: 'Active decisions by type, origin, scope and scenario; simulated ones counted apart',
        response: {
          200: {
            type: 'object',
            properties: {
              active: { type: 'integer' },
              simulated: { type: 'integer' },
              by_type: countMap,
              by_origin: countMap,
              by_scope: countMap,
              top_scenarios: { type: 'array', items: { type: 'object', properties: { scenario: { type: 'string' }, count: { type: 'integer' } }, required: ['scenario', 'count'] } },
            },
            required: ['active', 'simulated', 'by_type', 'by_origin', 'by_scope', 'top_scenarios'],
          },
          ...errorResponses,
        },
      },
    },
    async () => {
      const now = clock();
      // Keyed by the minute too, so expiry shows within a minute even while nothing is added or deleted.
      return cached('decision-stats', Math.floor(now / 60_000), async () => {
        const s = await repo.stats(now);
        return { active: s.active, simulated: s.simulated, by_type: s.byType, by_origin: s.byOrigin, by_scope: s.byScope, top_scenarios: s.topScenarios };
      });
    },
  );

  const latestQuery = z.object({ limit: integerParam({ min: 1, max: 500, default: 50, description: 'Decisions.' }) }).strict();
  app.get<{ Querystring: z.output<typeof latestQuery> }>(
    '/decisions',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['decisions'],
        summary: 'The latest active decisions (the seed dashboards\u2019 shape), cached',
        querystring: latestQuery,
        response: { 200: { type: 'object', properties: { count: { type: 'integer' }, decisions: { type: 'array', items: decisionJsonSchema } }, required: ['count', 'decisions'] }, ...errorResponses },
      },
    },
    async (request) => {
      const now = clock();
      return cached('latest-decisions', [request.query.limit, Math.floor(now / 10_000)], async () => {
        const rows = await repo.active({}, now, request.query.limit);
        return { count: rows.length, decisions: rows.map((d) => decisionJson(d, now)) };
      });
    },
  );

  const countryQuery = z.object({ limit: integerParam({ min: 1, max: 250, default: 50, description: 'Countries.' }) }).strict();
  app.get<{ Querystring: z.output<typeof countryQuery> }>(
    '/country',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['decisions'],
        summary: 'Active decisions and the last 24 h of attacks by country (the seed dashboards\u2019 shape), cached',
        querystring: countryQuery,
        response: {
          200: {
            type: 'object',
            properties: {
              since: { type: 'string', format: 'date-time' },
              until: { type: 'string', format: 'date-time' },
              countries: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    country: { type: ['string', 'null'], description: 'ISO 3166-1 alpha-2; null when unknown.' },
                    decisions: { type: 'integer', description: 'Active enforced decisions.' },
                    attacks: { type: 'integer', description: 'Threats in the window.' },
                    attackers: { type: 'integer', description: 'Distinct attacking IPs in the window.' },
                  },
                  required: ['country', 'decisions', 'attacks', 'attackers'],
                },
              },
            },
            required: ['since', 'until', 'countries'],
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const limit = request.query.limit;
      const until = Math.ceil(clock() / 60_000) * 60_000;
      const since = until - 86_400_000;
      return cached('country-decisions', [limit, until], async () => {
        const [decided, attacked] = await Promise.all([repo.countByCountry(clock(), limit), deps.store.analytics.geo({ since, until }, {}, 'country', limit)]);
        const rows = new Map<string | null, { country: string | null; decisions: number; attacks: number; attackers: number }>();
        for (const a of attacked) rows.set(a.key, { country: a.key, decisions: 0, attacks: a.threats, attackers: a.ips });
        for (const d of decided) {
          const r = rows.get(d.country) ?? { country: d.country, decisions: 0, attacks: 0, attackers: 0 };
          r.decisions = d.decisions;
          rows.set(d.country, r);
        }
        const countries = [...rows.values()].sort((a, b) => b.decisions - a.decisions || b.attacks - a.attacks || String(a.country).localeCompare(String(b.country))).slice(0, limit);
        return { since: new Date(since).toISOString(), until: new Date(until).toISOString(), countries };
      });
    },
  );

  // Bouncer keys: the key is in the creation answer only; its SHA-256 is stored.
  app.get(
    '/api/bouncers',
    {
      config: { scope: 'admin' },
      schema: { tags: ['decisions'], summary: 'Bouncers: name, created, last pull, what and where from', response: { 200: { type: 'object', properties: { items: { type: 'array', items: bouncerJsonSchema } }, required: ['items'] }, ...errorResponses } },
    },
    async () => ({ items: (await repo.bouncers()).map(bouncerJson) }),
  );

  app.post<{ Body: z.output<typeof bouncerBody> }>(
    '/api/bouncers',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['decisions'],
        summary: 'Register a bouncer; the answer holds its key (X-Api-Key on /v1), shown this once',
        body: bouncerBody,
        response: { 201: { type: 'object', properties: { key: { type: 'string' }, ...bouncerJsonSchema.properties }, required: ['key', ...bouncerJsonSchema.required] }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const name = checkBouncerName(request.body.name);
      // CrowdSec bouncers send the key in a header as is; the same 256 random bits as API keys, own prefix.
      const key = 'rb_' + generateApiKey().slice(3);
      const record = await repo.addBouncer(name, hashApiKey(key), clock());
      request.log.info({ id: record.id, name, by: request.apiKey?.name }, 'bouncer added');
      return reply.code(201).send({ key, ...bouncerJson(record) });
    },
  );

  app.delete<{ Params: z.output<typeof bouncerParams> }>(
    '/api/bouncers/:name',
    {
      config: { scope: 'admin' },
      schema: { tags: ['decisions'], summary: 'Delete a bouncer by name or id; its key stops working at once on this process, within 10 s on others', params: bouncerParams, response: { 200: { type: 'object', properties: { deleted: { type: 'string' } }, required: ['deleted'] }, ...errorResponses } },
    },
    async (request) => {
      if (!(await repo.deleteBouncer(request.params.name))) throw new NotFoundError(`no bouncer named or with id ${JSON.stringify(request.params.name.slice(0, 80))}`);
      deps.onBouncersChanged?.();
      request.log.info({ name: request.params.name, by: request.apiKey?.name }, 'bouncer deleted');
      return { deleted: request.params.name };
    },
  );
}
