/**
 * GET /api/ip/:ip (and its alias GET /api/ips/:ip) — what Rampart knows about one source over a period: its
 * behaviour windows (latest first), threats by category and severity, first and last seen, its latest threat
 * level, reputation and network, latest detections and requests, how often it came back, and analyst verdicts.
 */
import type { FastifyInstance } from 'fastify';
import { CATEGORIES, SEVERITIES } from '../../core/index.js';
import { THREAT_LEVELS } from '../../detect/index.js';
import * as z from 'zod';
import {
  detectionRowJson,
  detectionRowToJson,
  ipWindowJson,
  requestJson,
  requestToJson,
  verdictJson,
  verdictToJson,
  windowToJson,
  type IpProfile,
  type Recurrence,
  type Store,
  type WindowRepository,
} from '../../store/index.js';
import { errorResponses } from '../errors.js';
import { count, countsOf, routeResponseSchema, sharedRef } from '../response-schema.js';
import { integerParam } from '../params/integer.js';
import { ipParam } from '../params/ip.js';
import { resolveRange, timeRangeFields } from '../params/range.js';
import type { ApiDeps } from '../types.js';

const DAY_MS = 86_400_000;
export const IP_WINDOWS_DEFAULT = 50;
export const IP_WINDOWS_MAX = 500;
/** Detections, requests and verdicts listed on a profile (the full lists are /api/detections, /api/traffic…). */
export const IP_LIST_LIMIT = 20;

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
  network: z
    .object({
      country: z.string().nullable(),
      asn: z.number().int().nullable(),
      as_org: z.string().nullable(),
      max_score: z.number().describe('Worst threat score in the period (0-1).'),
      worst_severity: z.enum(SEVERITIES),
    })
    .nullable()
    .describe('Location and network from the threats of the period (local GeoIP/ASN); null without threats.'),
  detections: z.array(detectionRowJson).describe(`Latest rule and behaviour detections in the period, at most ${IP_LIST_LIMIT}.`),
  recent_requests: z.array(requestJson).describe(`Latest requests in the period, at most ${IP_LIST_LIMIT}.`),
  recurrence: z
    .object({
      threat_hours: count.describe('Distinct hours with threats (whole retention).'),
      threat_days: count,
      first_threat: time.nullable(),
      last_threat: time.nullable(),
      windows: count.describe('Stored behaviour windows (whole retention).'),
      window_days: count,
    })
    .describe('How often the address came back.'),
  verdict: verdictJson.nullable().describe("The latest analyst verdict (POST /api/classify), null when none."),
  verdicts: z.array(verdictJson).describe(`Analyst verdicts, latest first, at most ${IP_LIST_LIMIT}.`),
});
export type ProfileJson = z.output<typeof profileJson>;

/** The parts of the profile beyond the windows' (issue #11). */
export interface ProfileExtras {
  network: ProfileJson['network'];
  detections: ProfileJson['detections'];
  recentRequests: ProfileJson['recent_requests'];
  recurrence: Recurrence;
  verdicts: ProfileJson['verdicts'];
}

export function profileToJson(p: IpProfile, x: ProfileExtras): ProfileJson {
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
    network: x.network,
    detections: x.detections,
    recent_requests: x.recentRequests,
    recurrence: {
      threat_hours: x.recurrence.threatHours,
      threat_days: x.recurrence.threatDays,
      first_threat: iso(x.recurrence.firstThreat),
      last_threat: iso(x.recurrence.lastThreat),
      windows: x.recurrence.windows,
      window_days: x.recurrence.windowDays,
    },
    verdict: x.verdicts[0] ?? null,
    verdicts: x.verdicts,
  };
}

export interface IpRouteDeps extends Pick<ApiDeps, 'clock'> {
  windows: Pick<WindowRepository, 'profile'>;
  store: Pick<Store, 'analytics' | 'detections' | 'traffic' | 'verdicts'>;
}

async function extras(store: IpRouteDeps['store'], ip: string, since: number, until: number): Promise<ProfileExtras> {
  const single = { cidr: ip, single: true };
  const [top, detections, requests, recurrence, verdicts] = await Promise.all([
    store.analytics.topAttackers({ since, until }, { ip: single }, 1),
    store.detections.list({ since, until, ip: single, sort: 'time', order: 'desc', limit: IP_LIST_LIMIT, offset: 0 }),
    store.traffic.recent(ip, since, until, IP_LIST_LIMIT),
    store.analytics.recurrence(ip),
    store.verdicts.list({ ip, order: 'desc', limit: IP_LIST_LIMIT, offset: 0 }),
  ]);
  const a = top[0];
  return {
    network: a ? { country: a.country, asn: a.asn, as_org: a.asOrg, max_score: a.maxScore, worst_severity: a.worstSeverity } : null,
    detections: detections.items.map(detectionRowToJson),
    recentRequests: requests.map(requestToJson),
    recurrence,
    verdicts: verdicts.items.map(verdictToJson),
  };
}

export function ipRoutes(app: FastifyInstance, deps: IpRouteDeps): void {
  const query = profileQuery(deps.clock ?? Date.now);
  // /api/ips/:ip is the first name of the route, kept as an alias: both answer the same profile.
  for (const url of ['/api/ip/:ip', '/api/ips/:ip']) {
    app.get<{ Params: z.output<typeof profileParams>; Querystring: z.output<typeof query> }>(
      url,
      {
        config: { scope: 'read' },
        schema: {
          tags: ['ips'],
          summary:
            url === '/api/ip/:ip'
              ? "One source IP's profile: windows, threats, network, detections, requests, recurrence, verdicts"
              : 'Alias of GET /api/ip/{ip}',
          params: profileParams,
          querystring: query,
          response: { 200: routeResponseSchema(profileJson), ...errorResponses },
        },
      },
      async (request) => {
        const { since, until, limit } = request.query;
        const ip = request.params.ip;
        const [profile, more] = await Promise.all([deps.windows.profile(ip, since, until, limit), extras(deps.store, ip, since, until)]);
        return profileToJson(profile, more);
      },
    );
  }
}
