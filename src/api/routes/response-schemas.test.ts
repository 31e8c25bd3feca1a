/**
 * Each route whose response schema is derived from zod (ips, stats, rule hits, silent rules, allowlist): its real
 * output parses under that zod schema unchanged, keys in the schema's order, with the optional parts present.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { z } from 'zod';
import { makeWindow } from '../../store/testing/fixtures.js';
import { MIN, NOW, openTestApi, type TestApi } from '../testing/fixtures.js';
import { profileJson } from './ips.js';
import { allowlistJson, ruleHitsJson, silentRulesJson } from './rule-hits.js';
import { statsJson } from './stats.js';

let t: TestApi;

beforeAll(async () => {
  t = await openTestApi({
    ruleIds: () => ['sqli-001', 'never-hit'],
    allowlist: () => [
      { id: 'detect.allowlist.ips[0]', withheld: 3, suppressed: 0, byRule: {} as Record<string, number> },
      { id: 'profile:wordpress[1]', why: 'the editor posts HTML', withheld: 0, suppressed: 2, byRule: { 'xss-001': 2 } },
    ],
  });
  await t.store.writer.write({
    events: [],
    threats: [],
    checkpoints: [],
    windows: [makeWindow('203.0.113.7', NOW - 6 * MIN, { hits: 12, threatLevel: 'MEDIUM', scenarios: ['http-probing'] })],
  });
  await t.store.iocs.recordEnrichment(
    { ioc: '203.0.113.7', type: 'ipv4', sources: [], risk_score: 80, risk_level: 'critical', categories: ['ssh'] },
    new Date(NOW - MIN),
    new Date(NOW + MIN),
  );
});
afterAll(async () => {
  await t?.close();
});

// The published key order (Fastify's serializer writes keys in the schema's order): reordering is a change.
const KEYS = {
  profile:
    'ip since until first_seen last_seen threat_level reputation latest_threat_level threats threats_by_category threats_by_severity windows_by_threat_level windows ' +
    'network detections recent_requests recurrence verdict verdicts',
  stats: 'range since until total_requests threats_detected severity_breakdown category_breakdown top_source_ips top_paths top_lists',
  hits: 'range bucket since until buckets rules',
  silent: 'days since loaded silent not_applicable',
  allowlist: 'entries',
};

it.each([
  ['/api/ips/203.0.113.7', profileJson, KEYS.profile],
  ['/api/stats?range=7d', statsJson, KEYS.stats],
  ['/api/rules/hits?range=24h&bucket=hour', ruleHitsJson, KEYS.hits],
  ['/api/rules/silent?days=3', silentRulesJson, KEYS.silent],
  ['/api/rules/allowlist', allowlistJson, KEYS.allowlist],
] as [string, z.ZodObject, string][])('%s: the response is what its schema says, keys in their published order', async (url, schema, keys) => {
  const res = await t.app.inject(url);
  expect(res.statusCode).toBe(200);
  const body = res.json() as Record<string, unknown>;
  // parse() drops keys the schema does not know, so equality also says there are none.
  expect(schema.parse(body)).toEqual(body);
  expect(Object.keys(body)).toEqual(keys.split(' '));
});

it('the profile exercised its optional parts: reputation, windows, categories', async () => {
  const body = (await t.app.inject('/api/ips/203.0.113.7')).json() as z.output<typeof profileJson>;
  expect(body.reputation).toMatchObject({ risk_score: 80, risk_level: 'critical', categories: ['ssh'] });
  // A MEDIUM window raised by a risk score of 80.
  expect(body.threat_level).toBe('HIGH');
  expect(body.windows).toHaveLength(1);
  expect(Object.keys(body.threats_by_category).length).toBeGreaterThan(0);
  const allow = (await t.app.inject('/api/rules/allowlist')).json() as z.output<typeof allowlistJson>;
  expect(allow.entries[1]).toMatchObject({ why: 'the editor posts HTML', by_rule: { 'xss-001': 2 } });
  const hits = (await t.app.inject('/api/rules/hits')).json() as z.output<typeof ruleHitsJson>;
  expect(hits.rules.length).toBeGreaterThan(0);
});
