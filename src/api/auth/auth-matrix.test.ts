/**
 * The auth matrix: every route the app registers × no key, a wrong key, a revoked key, an expired key, and a
 * key of each scope, with the expected 2xx/401/403 in every cell. ROUTES is the one table of method + path ->
 * scope; the first test enumerates the app's routes at run time and fails when one is missing from it, so a
 * new route cannot land without saying who may call it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultCache, enrichConfigSchema, EnrichmentService } from '../../enrich/index.js';
import { LocalGeoLookup, mmdbFromBuffer, createProviders, MemoryState } from '../../enrich/testing/parts.js';
import { nestedCity } from '../../enrich/geoip/testing/fixtures.js';
import type { KeyScope } from '../../store/index.js';
import type { RouteScope } from '../route-scope.js';
import { validateConfig } from '../../config/index.js';
import type { SensorIngest } from '../../ingest/index.js';
import { buildDetection, detectWithVerdicts, sensorIngest } from '../../pipeline/index.js';
import { AlertHub } from '../live/index.js';
import { enrichmentRoutes } from '../routes/enrichment.js';
import { ingestApi } from '../routes/ingest.js';
import { liveAlertRoutes } from '../routes/live-alerts.js';
import { notificationRoutes } from '../routes/notifications.js';
import { openTestApi, type TestApi } from '../testing/fixtures.js';
import { issueApiKey } from './api-key.js';
import { routeScopes } from './access-control.js';

interface Row {
  scope: RouteScope;
  /** A concrete request for the route (path parameters filled in). */
  url: string;
  body?: unknown;
  /** Statuses an admitted caller may get (default 200). */
  ok?: number[];
}

let seq = 0;

/** Method + route pattern -> who may call it. HEAD routes Fastify adds for GETs follow their GET. */
const ROUTES: Record<string, Row> = {
  'GET /health': { scope: 'public', url: '/health' },
  'GET /ready': { scope: 'public', url: '/ready' },
  'GET /openapi.json': { scope: 'public', url: '/openapi.json' },
  'HEAD /docs': { scope: 'public', url: '/docs', ok: [200, 302] },
  'GET /docs/': { scope: 'public', url: '/docs/' },
  'GET /docs/static/index.html': { scope: 'public', url: '/docs/static/index.html', ok: [200, 302] },
  'GET /docs/static/swagger-initializer.js': { scope: 'public', url: '/docs/static/swagger-initializer.js' },
  'GET /docs/json': { scope: 'public', url: '/docs/json' },
  'GET /docs/yaml': { scope: 'public', url: '/docs/yaml' },
  'GET /docs/static/*': { scope: 'public', url: '/docs/static/swagger-ui.css' },
  // No origin is allowed here (cors.test.ts configures some): the preflight is refused, with no CORS header.
  'OPTIONS *': { scope: 'public', url: '/api/threats', ok: [405] },
  'GET /api/threats': { scope: 'read', url: '/api/threats?limit=1' },
  // The id of a stored threat is filled in by beforeAll.
  'GET /api/threats/:id': { scope: 'read', url: '/api/threats/' },
  'GET /api/stats': { scope: 'read', url: '/api/stats?range=24h' },
  'GET /api/metrics/pipeline': { scope: 'read', url: '/api/metrics/pipeline' },
  'GET /api/ips/:ip': { scope: 'read', url: '/api/ips/203.0.113.7' },
  'GET /api/scores': { scope: 'read', url: '/api/scores' },
  'GET /api/rules/hits': { scope: 'read', url: '/api/rules/hits' },
  'GET /api/rules/silent': { scope: 'read', url: '/api/rules/silent' },
  'GET /api/rules/allowlist': { scope: 'read', url: '/api/rules/allowlist' },
  'GET /api/lookup/:ioc': { scope: 'read', url: '/api/lookup/10.1.2.3' },
  'POST /api/lookup/bulk': { scope: 'read', url: '/api/lookup/bulk', body: { iocs: ['10.1.2.3'] } },
  'GET /api/enrichment/status': { scope: 'read', url: '/api/enrichment/status' },
  'POST /api/ws-ticket': { scope: 'read', url: '/api/ws-ticket' },
  'GET /api/keys': { scope: 'admin', url: '/api/keys' },
  'POST /api/keys': { scope: 'admin', url: '/api/keys', get body() { return { name: `matrix-${++seq}`, scopes: ['read'] }; }, ok: [201] },
  'DELETE /api/keys/:key': { scope: 'admin', url: '/api/keys/no-such-key', ok: [404] },
  // Redis health: no Redis in this app, so it says not configured.
  'GET /health/redis': { scope: 'read', url: '/health/redis', ok: [200, 404, 503] },
  'GET /metrics': { scope: 'metrics', url: '/metrics' },
  // The SOC API (issue #11).
  'GET /api/ip/:ip': { scope: 'read', url: '/api/ip/203.0.113.7' },
  'GET /api/overview': { scope: 'read', url: '/api/overview' },
  'GET /api/timeline-detail': { scope: 'read', url: '/api/timeline-detail' },
  'GET /api/heatmap': { scope: 'read', url: '/api/heatmap' },
  'GET /api/detections': { scope: 'read', url: '/api/detections' },
  'GET /api/traffic': { scope: 'read', url: '/api/traffic' },
  'GET /api/geo': { scope: 'read', url: '/api/geo' },
  'GET /api/country': { scope: 'read', url: '/api/country' },
  'GET /api/threats/global': { scope: 'read', url: '/api/threats/global' },
  'GET /api/threats/statistics': { scope: 'read', url: '/api/threats/statistics' },
  'GET /api/alerts': { scope: 'read', url: '/api/alerts' },
  'POST /api/classify': { scope: 'admin', url: '/api/classify', body: { ip: '203.0.113.7', verdict: 'suspicious', comment: 'matrix' }, ok: [200, 201] },
  'GET /api/classifications': { scope: 'read', url: '/api/classifications' },
  'GET /api/models': { scope: 'read', url: '/api/models' },
  'GET /api/models/status': { scope: 'read', url: '/api/models/status' },
  'GET /api/browsers': { scope: 'read', url: '/api/browsers' },
  'GET /api/fingerprints': { scope: 'read', url: '/api/fingerprints' },
  'GET /api/features': { scope: 'read', url: '/api/features' },
  'GET /api/behavior': { scope: 'read', url: '/api/behavior' },
  'GET /api/brute-force': { scope: 'read', url: '/api/brute-force' },
  'GET /api/ua-rotation': { scope: 'read', url: '/api/ua-rotation' },
  'GET /api/ja4-rotation': { scope: 'read', url: '/api/ja4-rotation' },
  'GET /api/recurrence': { scope: 'read', url: '/api/recurrence' },
  'GET /api/cascade/:ip': { scope: 'read', url: '/api/cascade/203.0.113.7' },
  'GET /api/ip/:ip/radar': { scope: 'read', url: '/api/ip/203.0.113.7/radar' },
  // Ingest from other sensors.
  'POST /api/threats/ingest': { scope: 'ingest', url: '/api/threats/ingest', body: { source_ip: '198.51.100.9', threat_type: 'sqli', severity: 7 }, ok: [200, 201] },
  'POST /api/threats/bulk-ingest': { scope: 'ingest', url: '/api/threats/bulk-ingest', body: [{ source_ip: '198.51.100.9', threat_type: 'sqli', severity: 7 }], ok: [200, 201, 207] },
  // Live alerts: a plain GET of the WebSocket routes is a 400 after access control (they want an Upgrade).
  'GET /ws/alerts': { scope: 'read', url: '/ws/alerts', ok: [400] },
  'GET /ws/threats': { scope: 'read', url: '/ws/threats', ok: [400] },
  // An admitted caller's stream would stay open: a bad filter makes it a 400 after access control instead.
  'GET /api/alerts/stream': { scope: 'read', url: '/api/alerts/stream?min_severity=bogus', ok: [400] },
  // Notification dead letters (#15).
  'GET /api/notifications/dead-letters': { scope: 'admin', url: '/api/notifications/dead-letters' },
  'POST /api/notifications/dead-letters/:id/retry': { scope: 'admin', url: '/api/notifications/dead-letters/999999/retry', ok: [404] },
  'DELETE /api/notifications/dead-letters/:id': { scope: 'admin', url: '/api/notifications/dead-letters/999999', ok: [404] },
  // Decisions (issue #15).
  'GET /api/decisions': { scope: 'read', url: '/api/decisions' },
  'POST /api/decisions': { scope: 'admin', url: '/api/decisions', body: { ip: '198.51.100.77', duration: '1h' }, ok: [201] },
  'DELETE /api/decisions': { scope: 'admin', url: '/api/decisions?ip=198.51.100.78' },
  'GET /api/decisions/stats': { scope: 'read', url: '/api/decisions/stats' },
  'GET /decisions': { scope: 'read', url: '/decisions' },
  'GET /country': { scope: 'read', url: '/country' },
  'GET /api/bouncers': { scope: 'admin', url: '/api/bouncers' },
  'POST /api/bouncers': { scope: 'admin', url: '/api/bouncers', get body() { return { name: `matrix-${++seq}` }; }, ok: [201] },
  'DELETE /api/bouncers/:name': { scope: 'admin', url: '/api/bouncers/no-such-bouncer', ok: [404] },
  // The CrowdSec bouncer API takes bouncer keys only (X-Api-Key): every API key, admin included, gets CrowdSec's 403.
  // A bouncer key is admitted (the last test below).
  'GET /v1/decisions/stream': { scope: 'bouncer', url: '/v1/decisions/stream?startup=true' },
  'GET /v1/decisions': { scope: 'bouncer', url: '/v1/decisions' },
};

const SCOPES: KeyScope[] = ['read', 'ingest', 'metrics', 'admin'];
let t: TestApi;
const keys: Record<string, string> = {};

beforeAll(async () => {
  const cfg = enrichConfigSchema.parse({ http: { deadlineMs: 500, retries: 0 } });
  const state = new MemoryState();
  const { providers, limiter, breaker } = createProviders(cfg, state);
  const geoSource = mmdbFromBuffer(nestedCity(), 'City.mmdb', 'geo');
  const service = new EnrichmentService({ providers, cache: new ResultCache(state, 60_000), limiter, breaker, geo: new LocalGeoLookup([geoSource]) });
  let ingest: SensorIngest | null = null;
  const hub = new AlertHub({ hubId: 'matrix', heartbeatSeconds: 0 });
  t = await openTestApi({
    ruleIds: () => ['sqli-union-select'],
    allowlist: () => [],
    extraRoutes: [
      enrichmentRoutes({ service, geoDatabases: [geoSource.info], geoOnline: false }),
      ingestApi({ submit: (events) => ingest!.submit(events) }),
      (app) => liveAlertRoutes(app, { hub }),
      // The store is opened by openTestApi: read when a request comes.
      notificationRoutes({ get deadLetters() { return t.store.deadLetters; }, channels: () => new Map() }),
    ],
    // The real access control, with limits out of reach (rate-limit.test.ts is about those).
    accessFor: (store) => ({ mode: 'keys', keys: store.apiKeys, limits: { perKey: 1e6, perIp: 1e6, failedAuth: 1e6, windowMs: 60_000 } }),
  });
  const { engine } = buildDetection(validateConfig({}), undefined, { site: false });
  ingest = sensorIngest(async (batch, verdicts) => detectWithVerdicts(batch, verdicts, { evaluator: engine, metrics: t.metrics }), {
    sink: t.store.writer,
    metrics: t.metrics,
  });
  const repo = t.store.apiKeys;
  const now = Date.now();
  for (const s of SCOPES) keys[s] = (await issueApiKey(repo, { name: `only-${s}`, scopes: [s], expiresAt: null }, now)).key;
  keys.revoked = (await issueApiKey(repo, { name: 'revoked', scopes: ['admin'], expiresAt: null }, now)).key;
  await repo.revoke('revoked', now);
  keys.expired = (await issueApiKey(repo, { name: 'expired', scopes: ['admin'], expiresAt: now - 1000 }, now - 60_000)).key;
  keys.wrong = 'rk_' + 'A'.repeat(43);
  const list = await t.app.inject({ url: '/api/threats?limit=1', headers: { 'x-api-key': keys.read! } });
  ROUTES['GET /api/threats/:id']!.url += (list.json() as { items: { id: string }[] }).items[0]!.id;
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('auth matrix', () => {
  it('has a row for every registered route, with the scope the route declares', () => {
    const registered = routeScopes(t.app);
    const gets = new Map(registered.filter((r) => r.method === 'GET').map((r) => [r.url, r.scope]));
    const missing: string[] = [];
    for (const r of registered) {
      if (r.method === 'HEAD' && gets.has(r.url)) {
        expect(r.scope, `HEAD ${r.url}`).toBe(gets.get(r.url));
        continue;
      }
      const id = `${r.method} ${r.url}`;
      const row = ROUTES[id];
      if (!row) missing.push(id);
      else expect(r.scope, id).toBe(row.scope);
    }
    expect(missing, 'routes without a row in ROUTES (add one: method + path -> scope)').toEqual([]);
    const stale = Object.keys(ROUTES).filter((id) => !registered.some((r) => `${r.method} ${r.url}` === id));
    expect(stale, 'rows for routes that no longer exist').toEqual([]);
  });

  const cells: { who: string; headers: Record<string, string>; scopes: KeyScope[] | null }[] = [
    { who: 'no key', headers: {}, scopes: null },
    { who: 'a wrong key', headers: { 'x-api-key': 'placeholder' }, scopes: null },
    { who: 'a revoked key', headers: {}, scopes: null },
    { who: 'an expired key', headers: {}, scopes: null },
    ...SCOPES.map((s) => ({ who: `a ${s} key`, headers: {}, scopes: [s] })),
  ];
  const keyFor: Record<string, string | undefined> = { 'a wrong key': 'wrong', 'a revoked key': 'revoked', 'an expired key': 'expired' };
  for (const s of SCOPES) keyFor[`a ${s} key`] = s;

  it.each(Object.entries(ROUTES))('%s: every caller gets what the scope says', async (id, row) => {
    const method = id.split(' ')[0] as 'GET' | 'HEAD' | 'POST' | 'DELETE' | 'OPTIONS';
    const got: string[] = [];
    const want: string[] = [];
    for (const [i, cell] of cells.entries()) {
      const name = keyFor[cell.who];
      // Alternate the two ways of sending a key.
      const headers: Record<string, string> =
        name === undefined ? {} : i % 2 === 0 ? { authorization: `Bearer ${keys[name]}` } : { 'x-api-key': keys[name]! };
      if (method === 'OPTIONS') Object.assign(headers, { origin: 'https://app.example', 'access-control-request-method': 'GET' });
      const body = row.body;
      const res = await t.app.inject({ method, url: row.url, headers, ...(body === undefined ? {} : { payload: body as object }) });
      const admitted = row.scope === 'public' || (row.scope !== 'bouncer' && cell.scopes !== null && (cell.scopes.includes('admin') || cell.scopes.includes(row.scope as KeyScope)));
      const expected = admitted ? (row.ok ?? [200]) : cell.scopes === null && row.scope !== 'bouncer' ? [401] : [403];
      got.push(`${cell.who}: ${res.statusCode}`);
      want.push(`${cell.who}: ${expected.includes(res.statusCode) ? res.statusCode : expected.join('|')}`);
      if (res.statusCode === 401) expect(res.headers['www-authenticate']).toBe('Bearer realm="rampart"');
      if (row.scope === 'bouncer') expect(res.json(), `${id} ${cell.who}`).toEqual({ message: 'access forbidden' });
      // Security headers on every answer, refusals included; HTML only under a policy without inline script.
      expect(res.headers['x-content-type-options'], `${id} ${cell.who}`).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toMatch(/default-src '(none|self)'/);
      if (String(res.headers['content-type']).startsWith('text/html')) expect(csp).toMatch(/script-src 'self' ?;/);
    }
    expect(got).toEqual(want);
  });

  it('admits a bouncer key on the bouncer routes, and only there', async () => {
    const admin = { 'x-api-key': keys.admin! };
    const created = await t.app.inject({ method: 'POST', url: '/api/bouncers', headers: admin, payload: { name: 'matrix-bouncer' } });
    expect(created.statusCode).toBe(201);
    const key = (created.json() as { key: string }).key;
    for (const url of ['/v1/decisions/stream?startup=true', '/v1/decisions']) {
      expect((await t.app.inject({ url, headers: { 'x-api-key': key } })).statusCode, url).toBe(200);
      expect((await t.app.inject({ method: 'HEAD', url, headers: { 'x-api-key': key } })).statusCode, `HEAD ${url}`).toBe(200);
      expect((await t.app.inject({ method: 'HEAD', url })).statusCode, `HEAD ${url} without a key`).toBe(403);
    }
    // A bouncer key is no API key.
    expect((await t.app.inject({ url: '/api/decisions', headers: { 'x-api-key': key } })).statusCode).toBe(401);
  });
});
