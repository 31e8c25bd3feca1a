/**
 * GET /api/browsers (user-agent families and major versions; bots, tools and browsers told apart by `kind`) and
 * GET /api/fingerprints (JA4 families where the log carries them: the JA4_a part, with its fingerprints). Both read
 * the per-hour family rollup the batch writer keeps (rollup_hour_agent); distinct IPs are estimates from a sketch.
 */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { AGENT_SORTS, USER_AGENT_KINDS, type AgentFamily, type AgentQuery, type BehaviourRepository } from '../../store/index.js';
import { errorResponses } from '../errors.js';
import { integerParam } from '../params/integer.js';
import { listParam } from '../params/list.js';
import { pageEnvelope, pageEnvelopeSchema } from '../params/envelope.js';
import { resolvePagination } from '../params/pagination.js';
import { count, routeResponseSchema } from '../response-schema.js';
import type { ApiDeps } from '../types.js';
import { DAY_MS, hostField, offsetPaginationFields, resolveWindow, timeJson, windowFields, windowJson } from './behaviour-shared.js';

const familyFilter = z
  .string()
  .min(1)
  .max(100)
  .refine((v) => !v.includes('\0'), 'must not contain NUL')
  .optional()
  .describe('Substring of the family name, matched literally (case-insensitive).');

const commonFields = () => ({
  ...windowFields('7d'),
  host: hostField(),
  family: familyFilter,
  sort: z.enum(AGENT_SORTS).default('requests').describe('requests, ips (distinct IPs, estimated) or family name.'),
  order: z.enum(['asc', 'desc']).default('desc'),
  ...offsetPaginationFields(),
});

/** The query of GET /api/browsers; `clock` gives the request's "now". */
export function browsersQuery(clock: () => number) {
  return z
    .object({
      ...commonFields(),
      kind: listParam(USER_AGENT_KINDS, { maxLength: 60, fold: 'lower', description: 'Kinds to list (default all); kind=bot lists crawlers alone.' }),
      versions: integerParam({ min: 0, max: 50, default: 10, description: 'Versions listed per family, busiest first.' }),
    })
    .strict()
    .transform((q, ctx) => ({ ...q, ...resolveWindow(q, clock(), 7 * DAY_MS, ctx), page: resolvePagination(q, ctx) }));
}

/** The query of GET /api/fingerprints. */
export function fingerprintsQuery(clock: () => number) {
  return z
    .object({
      ...commonFields(),
      fingerprints: integerParam({ min: 0, max: 50, default: 10, description: 'Fingerprints listed per JA4_a family, busiest first.' }),
    })
    .strict()
    .transform((q, ctx) => ({ ...q, ...resolveWindow(q, clock(), 7 * DAY_MS, ctx), page: resolvePagination(q, ctx) }));
}

const ips = count.describe('Distinct IPs, estimated (linear counting over a 4096-bit sketch: within a few per cent up to ~20,000).');
const agentCount = z.object({ requests: count, ips });

const browserJson = z.object({
  kind: z.enum(USER_AGENT_KINDS).describe('browser, bot (crawlers), tool (HTTP libraries, scanners, headless browsers), other, none (no user agent).'),
  family: z.string(),
  requests: count,
  ips,
  versions: z.array(z.object({ version: z.string().describe('Major version; empty when none.'), requests: count, ips })),
});

const browsersJson = pageEnvelopeSchema(browserJson).extend({
  since: timeJson,
  until: timeJson,
  by_kind: z.record(z.string(), agentCount).describe('Requests and distinct IPs per kind over the window (family filter not applied).'),
});

const JA4_A = /^([tqd])([0-9a-z]{2})([di])(\d{2})(\d{2})([0-9a-z]{2})$/;

const fingerprintJson = z.object({
  ja4_a: z.string().describe('The first part of JA4: protocol, TLS version, SNI, cipher and extension counts, ALPN.'),
  protocol: z.enum(['tcp', 'quic', 'dtls']).nullable(),
  tls_version: z.string().nullable(),
  sni: z.boolean().nullable().describe('True when the client sent a server name (d), false for an IP (i).'),
  ciphers: count.nullable(),
  extensions: count.nullable(),
  alpn: z.string().nullable(),
  requests: count,
  ips,
  fingerprints: z.array(z.object({ ja4: z.string(), requests: count, ips })),
});

const fingerprintsJson = pageEnvelopeSchema(fingerprintJson).extend({ since: timeJson, until: timeJson });

const PROTOCOLS = { t: 'tcp', q: 'quic', d: 'dtls' } as const;

export function fingerprintToJson(f: AgentFamily): z.output<typeof fingerprintJson> {
  const m = JA4_A.exec(f.family);
  return {
    ja4_a: f.family,
    protocol: m ? PROTOCOLS[m[1] as keyof typeof PROTOCOLS] : null,
    tls_version: m ? m[2]! : null,
    sni: m ? m[3] === 'd' : null,
    ciphers: m ? Number(m[4]) : null,
    extensions: m ? Number(m[5]) : null,
    alpn: m ? m[6]! : null,
    requests: f.requests,
    ips: f.ips,
    fingerprints: f.versions.map((v) => ({ ja4: v.version, requests: v.requests, ips: v.ips })),
  };
}

/** The parsed query of either route, as the repository reads it: one family kind, one versions list length. */
interface ParsedFamilyQuery {
  since: number;
  until: number;
  host?: string | undefined;
  family?: string | undefined;
  sort: AgentQuery['sort'];
  order: AgentQuery['order'];
  page: { limit: number; offset: number };
}

function agentQuery(q: ParsedFamilyQuery, kinds: readonly string[], versions: number): AgentQuery {
  return {
    since: q.since,
    until: q.until,
    kinds,
    ...(q.host !== undefined ? { host: q.host } : {}),
    ...(q.family !== undefined ? { family: q.family } : {}),
    sort: q.sort,
    order: q.order,
    limit: q.page.limit,
    offset: q.page.offset,
    versions,
  };
}

export interface ClientFamilyRouteDeps extends Pick<ApiDeps, 'clock'> {
  behaviour: Pick<BehaviourRepository, 'agents'>;
}

export function clientFamilyRoutes(app: FastifyInstance, deps: ClientFamilyRouteDeps): void {
  const clock = deps.clock ?? Date.now;
  const browsers = browsersQuery(clock);
  app.get<{ Querystring: z.output<typeof browsers> }>(
    '/api/browsers',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['behaviour'],
        summary: 'User-agent families and major versions (browsers, bots, tools apart) with requests and distinct IPs',
        querystring: browsers,
        response: { 200: routeResponseSchema(browsersJson), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const r = await deps.behaviour.agents(agentQuery(q, q.kind ?? USER_AGENT_KINDS, q.versions));
      const items = r.items.map((i) => ({ ...i, kind: i.kind as (typeof USER_AGENT_KINDS)[number] }));
      return { ...pageEnvelope(items, r.total, q.page), ...windowJson(q), by_kind: r.byKind };
    },
  );

  const fingerprints = fingerprintsQuery(clock);
  app.get<{ Querystring: z.output<typeof fingerprints> }>(
    '/api/fingerprints',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['behaviour'],
        summary: 'JA4 TLS fingerprint families (JA4_a) and fingerprints, where the log carries JA4',
        querystring: fingerprints,
        response: { 200: routeResponseSchema(fingerprintsJson), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const r = await deps.behaviour.agents(agentQuery(q, ['ja4'], q.fingerprints));
      return { ...pageEnvelope(r.items.map(fingerprintToJson), r.total, q.page), ...windowJson(q) };
    },
  );
}
