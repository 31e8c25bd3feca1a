/**
 * GET /api/ips/:ip — what Rampart knows about one source over a period: its behaviour windows (latest first),
 * threats by category and severity, first and last seen, and its latest threat level.
 */
import type { FastifyInstance } from 'fastify';
import { CATEGORIES, SEVERITIES } from '../../core/index.js';
import { THREAT_LEVELS } from '../../detect/index.js';
import { z } from 'zod';
import { windowToJson, type IpProfile, type WindowRepository } from '../../store/index.js';
import { errorResponses } from '../errors.js';
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

const count = { type: 'integer', minimum: 0 } as const;
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;

const profileSchema = {
  type: 'object',
  properties: {
    ip: { type: 'string', description: 'The address as stored (IPv4-mapped IPv6 folded to IPv4, IPv6 compressed).' },
    since: { type: 'string', format: 'date-time' },
    until: { type: 'string', format: 'date-time' },
    first_seen: { ...nullableTime, description: 'Earliest stored threat or window of the IP in the period.' },
    last_seen: { ...nullableTime, description: 'Latest stored threat or window end of the IP in the period.' },
    threat_level: {
      type: ['string', 'null'],
      description: 'latest_threat_level raised by reputation: risk ≥ 75 makes the IP at least HIGH, ≥ 50 at least MEDIUM.',
    },
    reputation: {
      type: ['object', 'null'],
      description: "The IP's latest enrichment summary (AbuseIPDB, VirusTotal, OTX), when the collector has enriched it.",
      properties: {
        risk_score: { type: 'number' },
        risk_level: { type: 'string' },
        categories: { type: 'array', items: { type: 'string' } },
        updated_at: { type: 'string', format: 'date-time' },
      },
    },
    latest_threat_level: {
      type: ['string', 'null'],
      description: `Level of the latest stored window in the period (${THREAT_LEVELS.join(', ')}); null when none.`,
    },
    threats: count,
    threats_by_category: {
      type: 'object',
      description: 'Categories with none are omitted.',
      properties: Object.fromEntries(CATEGORIES.map((c) => [c, count])),
    },
    threats_by_severity: {
      type: 'object',
      properties: Object.fromEntries(SEVERITIES.map((s) => [s, count])),
      required: [...SEVERITIES],
    },
    windows_by_threat_level: {
      type: 'object',
      description: 'Stored windows per threat level; levels with none are omitted.',
      properties: Object.fromEntries(THREAT_LEVELS.map((l) => [l, count])),
    },
    windows: { type: 'array', items: { $ref: 'IpWindow#' }, description: 'Latest first, at most limit.' },
  },
  required: [
    'ip',
    'since',
    'until',
    'first_seen',
    'last_seen',
    'latest_threat_level',
    'threat_level',
    'reputation',
    'threats',
    'threats_by_category',
    'threats_by_severity',
    'windows_by_threat_level',
    'windows',
  ],
} as const;

export function profileToJson(p: IpProfile) {
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
      schema: {
        tags: ['ips'],
        summary: "One source IP's profile: behaviour windows, threats by category and severity, first/last seen",
        params: profileParams,
        querystring: query,
        response: { 200: profileSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { since, until, limit } = request.query;
      return profileToJson(await deps.windows.profile(request.params.ip, since, until, limit));
    },
  );
}
