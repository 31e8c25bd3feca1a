/**
 * POST /api/classify (an analyst's verdict on an IP, scope admin) and GET /api/classifications (the verdicts,
 * paginated, filtered by ip and verdict). One row per verdict with who and when; the latest shows on
 * /api/ip/:ip. `legitimate` answers with the allowlist entry that would keep the address away from detection
 * (docs/detection.md "Allowlists"): the config is the operator's, so the API says how rather than editing it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as z from 'zod';
import { MAX_VERDICT_COMMENT, VERDICTS, verdictJson, verdictToJson, type Verdict } from '../../store/index.js';
import { errorResponses } from '../errors.js';
import { pageEnvelope, pageEnvelopeSchema } from '../params/envelope.js';
import { ipParam } from '../params/ip.js';
import { listParam } from '../params/list.js';
import { paginationFields, resolvePagination } from '../params/pagination.js';
import { routeResponseSchema } from '../response-schema.js';
import type { AnalyticsDeps } from './analytics-common.js';

export const classifyBody = z
  .object({
    ip: ipParam('The address classified (IPv4 or IPv6).'),
    verdict: z.enum(VERDICTS).describe('bot, legitimate, suspicious or malicious.'),
    comment: z
      .string()
      .max(MAX_VERDICT_COMMENT)
      .refine((c) => !c.includes('\0'), 'must not contain NUL')
      .default('')
      .describe('Why, for the next analyst.'),
  })
  .strict();

export const classifyJson = z.object({
  classification: verdictJson,
  allowlist: z
    .object({ how: z.string(), config: z.string().describe('YAML to add under detect.allowlist in the config file.') })
    .nullable()
    .describe('For legitimate: how to keep the address away from detection; null otherwise.'),
});

export const classificationsQuery = z
  .object({
    ...paginationFields(),
    ip: ipParam('Only this address.').optional(),
    verdict: listParam(VERDICTS, { maxLength: 60, fold: 'lower' }),
    order: z.enum(['asc', 'desc']).default('desc').describe('By time of the verdict.'),
  })
  .strict()
  .transform((q, ctx) => {
    const page = resolvePagination(q, ctx);
    if (page.cursor) ctx.addIssue({ code: 'custom', message: 'is not offered here (the list is short); use page or offset', path: ['cursor'] });
    return { ip: q.ip, verdict: q.verdict, order: q.order, limit: page.limit, offset: page.offset };
  });

export const classificationsJson = pageEnvelopeSchema(verdictJson).extend({ total_exact: z.boolean() });

/** Who gave the verdict: the API key's name when access control (#12) decorates the request, else anonymous. */
export function analystOf(request: FastifyRequest): string {
  const key = (request as FastifyRequest & { apiKey?: { name?: unknown } }).apiKey;
  return typeof key?.name === 'string' && key.name !== '' ? key.name : 'anonymous';
}

/** The allowlist snippet for an address (a /32 or /128 is the address itself). */
export function allowlistAdvice(ip: string, verdict: Verdict): z.output<typeof classifyJson>['allowlist'] {
  if (verdict !== 'legitimate') return null;
  return {
    how:
      'Add the address to detect.allowlist.ips in the config file and restart (or reload) rampart: its requests are then kept ' +
      'away from every detector (docs/detection.md, "Allowlists"). The verdict alone does not change detection.',
    config: `detect:\n  allowlist:\n    ips: [${ip.includes(':') ? `'${ip}'` : ip}]\n`,
  };
}

export function classifyRoutes(app: FastifyInstance, deps: AnalyticsDeps): void {
  const clock = deps.clock ?? Date.now;
  app.post<{ Body: z.output<typeof classifyBody> }>(
    '/api/classify',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['analytics'],
        summary: "Record an analyst's verdict on an IP (bot, legitimate, suspicious, malicious)",
        body: classifyBody,
        response: { 201: routeResponseSchema(classifyJson), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { ip, verdict, comment } = request.body;
      const stored = await deps.store.verdicts.add({ ip, verdict, comment, analyst: analystOf(request), at: clock() });
      void reply.code(201);
      return { classification: verdictToJson(stored), allowlist: allowlistAdvice(ip, verdict) };
    },
  );

  app.get<{ Querystring: z.output<typeof classificationsQuery> }>(
    '/api/classifications',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['analytics'],
        summary: 'Analyst verdicts, newest first, filtered by ip and verdict',
        querystring: classificationsQuery,
        response: { 200: routeResponseSchema(classificationsJson), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const { items, total, exact } = await deps.store.verdicts.list({
        ...(q.ip !== undefined ? { ip: q.ip } : {}),
        ...(q.verdict !== undefined ? { verdict: q.verdict } : {}),
        order: q.order,
        limit: q.limit,
        offset: q.offset,
      });
      return { ...pageEnvelope(items.map(verdictToJson), total, { limit: q.limit, offset: q.offset }), total_exact: exact };
    },
  );
}
