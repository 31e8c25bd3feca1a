/**
 * GET /api/models and GET /api/models/status: what detects today. The rule packs (name, a version that is the
 * hash of the pack's text, its rules), the behaviour scenarios, and learned models (none yet: "rules and
 * behaviour only"), each with how many detections it made in the last hour and day (rule hits on stored
 * threats, through the threats' time index).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { bundledRulePaths, SCENARIOS } from '../../detect/index.js';
import type { TopEntry } from '../../store/index.js';
import { errorResponses } from '../errors.js';
import { count, routeResponseSchema } from '../response-schema.js';
import { cachedBy, DAY_MS, HOUR_MS, minuteCeilClock, type AnalyticsDeps } from './analytics-common.js';

export const MODE_RULES_AND_BEHAVIOUR = 'rules and behaviour only';

export interface RulePackInfo {
  name: string;
  file: string;
  version: string;
  ruleIds: string[];
}

/** Reads the bundled packs once: name, version (sha256 of the text, 12 hex), rule ids. */
export async function readRulePacks(paths: readonly string[] = bundledRulePaths()): Promise<RulePackInfo[]> {
  return Promise.all(
    paths.map(async (path) => {
      const body = await readFile(path, 'utf8');
      const doc = parseYaml(body) as { pack?: unknown; rules?: { id?: unknown }[] } | null;
      const ids = (doc?.rules ?? []).map((r) => r.id).filter((id): id is string => typeof id === 'string');
      return {
        name: typeof doc?.pack === 'string' ? doc.pack : basename(path).replace(/\.ya?ml$/, ''),
        file: basename(path),
        version: createHash('sha256').update(body).digest('hex').slice(0, 12),
        ruleIds: ids,
      };
    }),
  );
}

const activity = { scored_last_hour: count.describe('Detections in the last hour.'), scored_last_day: count.describe('Detections in the last 24 hours.') };
const detectorJson = z.object({
  kind: z.enum(['rule_pack', 'behaviour', 'other']),
  name: z.string(),
  version: z.string().nullable().describe('Rule packs: sha256 of the pack file, 12 hex; null otherwise.'),
  rules: count.describe('Rules or scenarios in it.'),
  loaded: z.boolean().nullable().describe('Loaded by the running detection (null when the API was not told).'),
  ...activity,
});
export const modelsJson = z.object({
  mode: z.string().describe('What detects: "rules and behaviour only" until a learned model is loaded.'),
  learned_models: z.array(z.object({ name: z.string(), version: z.string(), ...activity })).describe('None yet.'),
  detectors: z.array(detectorJson),
  generated_at: z.iso.datetime(),
});
export const modelsStatusJson = z.object({
  mode: z.string(),
  learned_models: count,
  rule_packs: count,
  rules: count,
  behaviour_scenarios: count,
  ...activity,
  active_rules_last_day: count.describe('Distinct rules and scenarios with a detection in the last 24 hours.'),
  generated_at: z.iso.datetime(),
});

interface Inventory {
  detectors: (z.output<typeof detectorJson> & { ids: string[] })[];
  rules: number;
  packs: number;
  scenarios: number;
}

export interface ModelRouteDeps extends AnalyticsDeps {
  ruleIds?: () => string[];
  /** The pack files (tests pass their own); default the bundled packs. */
  rulePackPaths?: readonly string[];
}

export function modelRoutes(app: FastifyInstance, deps: ModelRouteDeps): void {
  const clock = minuteCeilClock(deps.clock);
  let packs: Promise<RulePackInfo[]> | null = null;

  async function inventory(): Promise<Inventory & { hour: TopEntry[]; day: TopEntry[]; now: number }> {
    packs ??= readRulePacks(deps.rulePackPaths);
    const now = clock();
    const params = { now };
    const [list, [hour, day]] = await Promise.all([
      packs,
      cachedBy(deps, 'model-activity', params, () =>
        Promise.all([deps.store.analytics.ruleActivity({ since: now - HOUR_MS, until: now }), deps.store.analytics.ruleActivity({ since: now - DAY_MS, until: now })]),
      ),
    ]);
    const loaded = deps.ruleIds ? new Set(deps.ruleIds()) : null;
    const sum = (entries: TopEntry[], ids: Set<string>) => entries.reduce((n, e) => n + (ids.has(e.key) ? e.count : 0), 0);
    const detectors: Inventory['detectors'] = [];
    const known = new Set<string>();
    for (const p of list) {
      const ids = new Set(p.ruleIds);
      for (const id of ids) known.add(id);
      detectors.push({
        kind: 'rule_pack',
        name: p.name,
        version: p.version,
        rules: ids.size,
        loaded: loaded ? p.ruleIds.some((id) => loaded.has(id)) : null,
        scored_last_hour: sum(hour, ids),
        scored_last_day: sum(day, ids),
        ids: p.ruleIds,
      });
    }
    for (const s of SCENARIOS) {
      const id = `behaviour/${s.id}`;
      known.add(id);
      const ids = new Set([id]);
      detectors.push({ kind: 'behaviour', name: id, version: null, rules: 1, loaded: loaded ? loaded.has(id) : null, scored_last_hour: sum(hour, ids), scored_last_day: sum(day, ids), ids: [id] });
    }
    // Tokenisers, user packs and anything else that names its detections differently.
    const other = new Set([...(loaded ?? []), ...day.map((e) => e.key)].filter((id) => !known.has(id)));
    if (other.size > 0) {
      detectors.push({ kind: 'other', name: 'other detectors', version: null, rules: other.size, loaded: loaded ? true : null, scored_last_hour: sum(hour, other), scored_last_day: sum(day, other), ids: [...other] });
    }
    return { detectors, rules: known.size, packs: list.length, scenarios: SCENARIOS.length, hour, day, now };
  }

  app.get(
    '/api/models',
    {
      config: { scope: 'read' },
      schema: { tags: ['analytics'], summary: 'What detects today: rule packs, behaviour scenarios, learned models, with recent activity', response: { 200: routeResponseSchema(modelsJson), ...errorResponses } },
    },
    async () => {
      const inv = await inventory();
      return {
        mode: MODE_RULES_AND_BEHAVIOUR,
        learned_models: [],
        detectors: inv.detectors.map(({ ids: _ids, ...d }) => d),
        generated_at: new Date(inv.now).toISOString(),
      };
    },
  );

  app.get(
    '/api/models/status',
    {
      config: { scope: 'read' },
      schema: { tags: ['analytics'], summary: 'Detection status in numbers: packs, rules, scenarios, detections in the last hour and day', response: { 200: routeResponseSchema(modelsStatusJson), ...errorResponses } },
    },
    async () => {
      const inv = await inventory();
      return {
        mode: MODE_RULES_AND_BEHAVIOUR,
        learned_models: 0,
        rule_packs: inv.packs,
        rules: inv.rules - inv.scenarios,
        behaviour_scenarios: inv.scenarios,
        scored_last_hour: inv.hour.reduce((n, e) => n + e.count, 0),
        scored_last_day: inv.day.reduce((n, e) => n + e.count, 0),
        active_rules_last_day: inv.day.length,
        generated_at: new Date(inv.now).toISOString(),
      };
    },
  );
}
