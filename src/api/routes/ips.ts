/**
 * GET /api/ips/:ip — what Rampart knows about one source over a period: its behaviour windows (latest first),
 * threats by category and severity, first and last seen, and its latest threat level.
 */
import type { FastifyInstance } from 'fastify';
import { CATEGORIES, SEVERITIES } from '../../core/index.js';
import { THREAT_LEVELS } from '../../detect/index.js';
import * as z from 'zod';
import { ipWindowJson, windowToJson, type IpProfile, type WindowRepository } from '../../store/index.js';
import { errorResponses } from '../errors.js';
import { count, countsOf, routeResponseSchema, sharedRef } from '../response-schema.js';
import { integerParam } from '../params/integer.js';
import { ipParam } from '../params/ip.js';
import { resolveRange, timeRangeFields } from '../params/range.js';
import type { ApiDeps } from '../types.js';

const DAY_MS = 86_400_000;
export const IP_WINDOWS_DEFAULT = 50;
export const IP_WINDOWS_MAX = 500;

const profileParams = z.object({ ip: ipParam('IPv4 or IPv6 address.') }).strict();

/** The query of GET /api/ips/:ip; `clock` gives the request's "now" for relative times and defaults. */
export function profileQuery(clock: () => number) {
  return z
    .object({
      ...timeRangeFields('7d'),
      limit: integerParam({
        min: 0,
        max: IP_WINDOWS_MAX,
        default: IP_WINDOWS_DEFAULT,
        description: 'Most windows listed (latest first).',
      }),
    })
    .strict()
    .transform((q, ctx) => ({ ...q, ...resolveRange(q, clock(), 7 * DAY_MS, ctx) }));
}

const time = z.iso.datetime();

// Key order here is the order Fastify's serializer writes the response in.
export const profileJson = z.object({
  ip: z.string().describe('The address as stored (IPv4-mapped IPv6 folded to IPv4, IPv6 compressed).'),
  since: time,
  until: time,
  first_seen: time.nullable().describe('Earliest stored threat or window of the IP in the period.'),
  last_seen: time.nullable().describe('Latest stored threat or window end of the IP in the period.'),
  threat_level: z
    .enum(THREAT_LEVELS)
    .nullable()
    .describe('latest_threat_level raised by reputation: risk ≥ 75 makes the IP at least HIGH, ≥ 50 at least MEDIUM.'),
  reputation: z
    .object({ risk_score: z.number(), risk_level: z.string(), categories: z.array(z.string()), updated_at: time })
    .nullable()
    .describe("The IP's latest enrichment summary (AbuseIPDB, VirusTotal, OTX), when the collector has enriched it."),
  latest_threat_level: z
    .enum(THREAT_LEVELS)
    .nullable()
    .describe(`Level of the latest stored window in the period (${THREAT_LEVELS.join(', ')}); null when none.`),
  threats: count,
  threats_by_category: countsOf(CATEGORIES).partial().describe('Categories with none are omitted.'),
  threats_by_severity: countsOf(SEVERITIES),
  windows_by_threat_level: countsOf(THREAT_LEVELS).partial().describe('Stored windows per threat level; levels with none are omitted.'),
  windows: z.array(sharedRef(ipWindowJson, 'IpWindow')).describe('Latest first, at most limit.'),
});
export type ProfileJson = z.output<typeof profileJson>;

export function profileToJson(p: IpProfile): ProfileJson {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    ip: p.ip,
    since: new Date(p.since).toISOString(),
    until: new Date(p.until).toISOString(),
    first_seen: iso(p.firstSeen),
    last_seen: iso(p.lastSeen),
    latest_threat_level: p.latestThreatLevel,
    threat_level: p.threatLevel,
    reputation: p.reputation
      ? {
          risk_score: p.reputation.riskScore,
          risk_level: p.reputation.riskLevel,
          categories: p.reputation.categories,
          updated_at: new Date(p.reputation.updatedAt).toISOString(),
        }
      : null,
    threats: p.threats,
    threats_by_category: p.threatsByCategory,
    threats_by_severity: p.threatsBySeverity,
    windows_by_threat_level: p.windowsByThreatLevel,
    windows: p.windows.map(windowToJson),
  };
}

export interface IpRouteDeps extends Pick<ApiDeps, 'clock'> {
  windows: Pick<WindowRepository, 'profile'>;
}

export function ipRoutes(app: FastifyInstance, deps: IpRouteDeps): void {
  const query = profileQuery(deps.clock ?? Date.now);
  app.get<{ Params: z.output<typeof profileParams>; Querystring: z.output<typeof query> }>(
    '/api/ips/:ip',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['ips'],
        summary: "One source IP's profile: behaviour windows, threats by category and severity, first/last seen",
        params: profileParams,
        querystring: query,
        response: { 200: routeResponseSchema(profileJson), ...errorResponses },
      },
    },
    async (request) => {
      const { since, until, limit } = request.query;
      return profileToJson(await deps.windows.profile(request.params.ip, since, until, limit));
    },
  );
}
