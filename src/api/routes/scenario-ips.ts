/**
 * GET /api/brute-force, /api/ua-rotation, /api/ja4-rotation, /api/recurrence: the IPs behind one behaviour scenario
 * each, with the evidence (windows that tripped it, flagged events, requests, first and last seen, hours active, most
 * user agents and JA4s in one window, a few targets and hosts, the other scenarios the IP tripped). For recurrence,
 * `windows` is how many times the IP came back. Read from ip_scenario_hour, which the batch writer keeps from the
 * windows and the `behaviour/<scenario>` detections of each batch.
 */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { SCENARIO_IP_SORTS, type BehaviourRepository, type ScenarioIp } from '../../store/index.js';
import { errorResponses } from '../errors.js';
import { pageEnvelope, pageEnvelopeSchema } from '../params/envelope.js';
import { ipParam } from '../params/ip.js';
import { resolvePagination } from '../params/pagination.js';
import { count, routeResponseSchema } from '../response-schema.js';
import type { ApiDeps } from '../types.js';
import { DAY_MS, hostField, offsetPaginationFields, resolveWindow, timeJson, windowFields, windowJson } from './behaviour-shared.js';

/** Route path → scenario id (src/detect/behaviour/scenarios.ts) and what the list shows. */
export const SCENARIO_ROUTES = {
  '/api/brute-force': { scenario: 'bruteforce', summary: 'IPs behind brute-force logins, with targets, counts and first/last seen' },
  '/api/ua-rotation': { scenario: 'ua-rotation', summary: 'IPs rotating user agents, with distinct user agents per window and first/last seen' },
  '/api/ja4-rotation': { scenario: 'ja4-rotation', summary: 'IPs rotating JA4 TLS fingerprints, with distinct JA4s per window and first/last seen' },
  '/api/recurrence': { scenario: 'recurrence', summary: 'IPs that came back after tripping a scenario: how many times, and what they tripped' },
} as const;

const scenarioIpJson = z.object({
  ip: z.string(),
  windows: count.describe('Windows in which the scenario tripped (for recurrence: how many times the IP came back).'),
  events: count.describe('Flagged events naming the scenario.'),
  hits: count.describe('Requests in those windows.'),
  hours: count.describe('Hours with the scenario active.'),
  first_seen: timeJson,
  last_seen: timeJson,
  max_user_agents: count.describe('Most distinct user agents in one of those windows.'),
  max_ja4s: count.describe('Most distinct JA4 fingerprints in one of those windows.'),
  targets: z.array(z.string()).describe('Up to 10 paths of the flagged events.'),
  hosts: z.array(z.string()).describe('Up to 10 hosts of the flagged events.'),
  scenarios: z
    .record(z.string(), z.object({ windows: count, events: count }))
    .describe('Every scenario the IP tripped in the range: windows in which it tripped, and flagged events naming it (keyed scenarios such as user-enumeration have events only).'),
});

const listJson = pageEnvelopeSchema(scenarioIpJson).extend({ since: timeJson, until: timeJson, scenario: z.string() });

export function scenarioIpToJson(i: ScenarioIp): z.output<typeof scenarioIpJson> {
  return {
    ip: i.ip,
    windows: i.windows,
    events: i.events,
    hits: i.hits,
    hours: i.hours,
    first_seen: new Date(i.firstSeen).toISOString(),
    last_seen: new Date(i.lastSeen).toISOString(),
    max_user_agents: i.maxUserAgents,
    max_ja4s: i.maxJa4s,
    targets: i.targets,
    hosts: i.hosts,
    scenarios: i.scenarios,
  };
}

export interface ScenarioIpRouteDeps extends Pick<ApiDeps, 'clock'> {
  behaviour: Pick<BehaviourRepository, 'scenarioIps'>;
}

export function scenarioIpRoutes(app: FastifyInstance, deps: ScenarioIpRouteDeps): void {
  const clock = deps.clock ?? Date.now;
  const query = z
    .object({
      ...windowFields('7d'),
      host: hostField(),
      ip: ipParam('Only this source IP.').optional(),
      sort: z.enum(SCENARIO_IP_SORTS).default('last_seen').describe('user_agents and ja4s sort by the most in one window.'),
      order: z.enum(['asc', 'desc']).default('desc'),
      ...offsetPaginationFields(),
    })
    .strict()
    .transform((q, ctx) => ({ ...q, ...resolveWindow(q, clock(), 7 * DAY_MS, ctx), page: resolvePagination(q, ctx) }));
  for (const [path, { scenario, summary }] of Object.entries(SCENARIO_ROUTES)) {
    app.get<{ Querystring: z.output<typeof query> }>(
      path,
      {
        config: { scope: 'read' },
        schema: {
          tags: ['behaviour'],
          summary,
          querystring: query,
          response: { 200: routeResponseSchema(listJson), ...errorResponses },
        },
      },
      async (request) => {
        const q = request.query;
        const r = await deps.behaviour.scenarioIps(scenario, {
          since: q.since,
          until: q.until,
          ...(q.host !== undefined ? { host: q.host } : {}),
          ...(q.ip !== undefined ? { ip: q.ip } : {}),
          sort: q.sort,
          order: q.order,
          limit: q.page.limit,
          offset: q.page.offset,
        });
        return { ...pageEnvelope(r.items.map(scenarioIpToJson), r.total, q.page), ...windowJson(q), scenario };
      },
    );
  }
}
