/**
 * Rule health: GET /api/rules/hits (hits per rule over time: a noisy rule shows at once) and
 * GET /api/rules/silent (loaded rules that matched nothing for days), served from threat_hits; and
 * GET /api/rules/allowlist (what each allowlist or profile entry has kept quiet since start).
 */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import type { RollupRepository, RuleHitBucket, RuleHitSeries } from '../../store/index.js';
import { errorResponses } from '../errors.js';
import { count, routeResponseSchema } from '../response-schema.js';
import { integerParam } from '../params/integer.js';
import type { ApiDeps } from '../types.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
export const RULE_HIT_RANGES = { '24h': DAY_MS, '7d': 7 * DAY_MS, '30d': 30 * DAY_MS } as const;
type RuleHitRange = keyof typeof RULE_HIT_RANGES;
const BUCKET_MS: Record<RuleHitBucket, number> = { hour: HOUR_MS, day: DAY_MS };
export const RULE_HITS_MAX_RULES = 100;
export const SILENT_MAX_DAYS = 90;

const time = z.iso.datetime();

const RANGE_NAMES = Object.keys(RULE_HIT_RANGES) as [RuleHitRange, ...RuleHitRange[]];

export const ruleHitsQuery = z
  .object({
    range: z.enum(RANGE_NAMES).default('24h').describe('Window ending now.'),
    bucket: z.enum(['hour', 'day']).default('hour').describe('Bucket length (UTC).'),
    limit: integerParam({ min: 1, max: RULE_HITS_MAX_RULES, default: 20, description: 'Most rules listed.' }),
  })
  .strict();

export const silentRulesQuery = z
  .object({
    days: integerParam({ min: 1, max: SILENT_MAX_DAYS, default: 7, description: 'Period ending now, in days.' }),
  })
  .strict();

// Key order here is the order Fastify's serializer writes each response in.
export const ruleHitsJson = z.object({
  range: z.enum(RANGE_NAMES),
  bucket: z.enum(['hour', 'day']),
  since: time,
  until: time,
  buckets: z
    .array(time)
    .describe('Start of every bucket in the range (UTC-aligned), oldest first; each rule\'s counts align with it.'),
  rules: z
    .array(
      z.object({
        rule_id: z.string(),
        total: count,
        simulated: count.describe('Hits recorded in simulation mode (included in total).'),
        counts: z.array(count),
      }),
    )
    .describe('Rules with hits in the range, most hits first.'),
});

export const silentRulesJson = z.object({
  days: z.number().int(),
  since: time,
  loaded: count.describe('Rules and behaviour scenarios loaded now.'),
  silent: z.array(z.string()).describe('Loaded rule ids with no hit since then that the log format can feed.'),
  not_applicable: z
    .array(z.object({ rule_id: z.string(), reason: z.string() }))
    .describe('Loaded rule ids with no hit since then that the configured log format cannot feed (a JA4 scenario on a log without JA4), with the reason.'),
});

export const allowlistJson = z.object({
  entries: z
    .array(
      z.object({
        id: z.string().describe('The config key or profile entry it came from.'),
        why: z.string().optional().describe('A profile entry\'s stated reason.'),
        withheld: count.describe('Requests kept away from every detector (whole-request entries).'),
        suppressed: count.describe('Detections dropped (entries scoped to rules or categories).'),
        by_rule: z.record(z.string(), count).describe('Dropped detections per rule id.'),
      }),
    )
    .describe('Config allowlist entries (`detect.allowlist.ips[0]`…) and enabled profile entries, in load order.'),
});

/** Dense series: every bucket from since's bucket up to until, so a chart needs no gap filling. */
export function ruleHitsToJson(
  range: RuleHitRange,
  bucket: RuleHitBucket,
  since: number,
  until: number,
  series: RuleHitSeries[],
): z.output<typeof ruleHitsJson> {
  const step = BUCKET_MS[bucket];
  const first = Math.floor(since / step) * step;
  const buckets: number[] = [];
  for (let b = first; b < until; b += step) buckets.push(b);
  return {
    range,
    bucket,
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
    buckets: buckets.map((b) => new Date(b).toISOString()),
    rules: series.map((s) => {
      const counts = new Array<number>(buckets.length).fill(0);
      for (const p of s.points) {
        const i = Math.round((p.start - first) / step);
        if (i >= 0 && i < counts.length) counts[i]! += p.count;
      }
      return { rule_id: s.ruleId, total: s.total, simulated: s.simulated, counts };
    }),
  };
}

export interface RuleHitRouteDeps extends Pick<ApiDeps, 'clock' | 'ruleIds' | 'notApplicable' | 'allowlist'> {
  rollups: Pick<RollupRepository, 'ruleHits' | 'silentRules'>;
}

export function ruleHitRoutes(app: FastifyInstance, deps: RuleHitRouteDeps): void {
  const clock = deps.clock ?? Date.now;

  const allowlist = deps.allowlist;
  if (allowlist) {
    app.get(
      '/api/rules/allowlist',
      {
        config: { scope: 'read' },
        schema: {
          tags: ['rules'],
          summary: 'Allowlist and profile entries with what each has suppressed since start',
          response: { 200: routeResponseSchema(allowlistJson), ...errorResponses },
        },
      },
      async (): Promise<z.output<typeof allowlistJson>> => ({
        entries: allowlist().map((e) => ({
          id: e.id,
          ...(e.why !== undefined ? { why: e.why } : {}),
          withheld: e.withheld,
          suppressed: e.suppressed,
          by_rule: e.byRule,
        })),
      }),
    );
  }

  app.get<{ Querystring: z.output<typeof ruleHitsQuery> }>(
    '/api/rules/hits',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['rules'],
        summary: 'Hits per rule over time, most hits first (a noisy rule shows at once)',
        querystring: ruleHitsQuery,
        response: { 200: routeResponseSchema(ruleHitsJson), ...errorResponses },
      },
    },
    async (request) => {
      const { range, bucket, limit } = request.query;
      const until = clock();
      const since = until - RULE_HIT_RANGES[range];
      const series = await deps.rollups.ruleHits(since, until, { bucket, limit });
      return ruleHitsToJson(range, bucket, since, until, series);
    },
  );

  // Without the loaded rule ids there is nothing to compare against: the route is simply not there.
  const ruleIds = deps.ruleIds;
  if (!ruleIds) return;
  app.get<{ Querystring: z.output<typeof silentRulesQuery> }>(
    '/api/rules/silent',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['rules'],
        summary: 'Loaded rules (and behaviour scenarios) with no hit in the last days',
        querystring: silentRulesQuery,
        response: { 200: routeResponseSchema(silentRulesJson), ...errorResponses },
      },
    },
    async (request): Promise<z.output<typeof silentRulesJson>> => {
      const days = request.query.days;
      const since = clock() - days * DAY_MS;
      const loaded = ruleIds();
      const quiet = await deps.rollups.silentRules(since, loaded);
      // Only a quiet id is reported as not applicable: one that fired after all (events from a richer source) is not.
      const why = new Map((deps.notApplicable?.() ?? []).map((n) => [n.id, n.reason]));
      const silent = quiet.filter((id) => !why.has(id));
      const notApplicable = quiet.filter((id) => why.has(id)).map((id) => ({ rule_id: id, reason: why.get(id)! }));
      return { days, since: new Date(since).toISOString(), loaded: new Set(loaded).size, silent, not_applicable: notApplicable };
    },
  );
}
