import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultCache, enrichConfigSchema, EnrichmentService } from '../../enrich/index.js';
import { LocalGeoLookup, mmdbFromBuffer, createProviders, MemoryState } from '../../enrich/testing/parts.js';
import { nestedCity } from '../../enrich/geoip/testing/fixtures.js';
import { FAKE_KEYS, startFakeIntel, type FakeIntel } from '../../enrich/testing/fake-intel.js';
import { openTestApi, type TestApi } from '../testing/fixtures.js';
import { enrichmentRoutes } from './enrichment.js';

let fake: FakeIntel;
let api: TestApi;

beforeAll(async () => {
  fake = await startFakeIntel();
  const cfg = enrichConfigSchema.parse({
    http: { deadlineMs: 1500, readTimeoutMs: 1000, retries: 0 },
    providers: {
      abuseipdb: { apiKey: FAKE_KEYS.abuseipdb, baseUrl: fake.urls.abuseipdb },
      virustotal: { apiKey: FAKE_KEYS.virustotal, baseUrl: fake.urls.virustotal, perMinute: 1000, perDay: 1000 },
      // No OTX key: skipped, never an error.
      otx: { baseUrl: fake.urls.otx },
    },
  });
  const state = new MemoryState();
  const { providers, limiter, breaker } = createProviders(cfg, state);
  const geoSource = mmdbFromBuffer(nestedCity(), 'City.mmdb', 'geo');
  const service = new EnrichmentService({ providers, cache: new ResultCache(state, 60_000), limiter, breaker, geo: new LocalGeoLookup([geoSource]) });
  api = await openTestApi({ extraRoutes: [enrichmentRoutes({ service, geoDatabases: [geoSource.info], geoOnline: false })] }, false);
});
afterAll(async () => {
  await api?.close();
  await fake?.close();
});

describe('GET /api/lookup/:ioc', () => {
  it('looks an IP up in every configured provider, skips the one without a key, and scores it', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/lookup/1.2.3.4' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ ioc: '1.2.3.4', type: 'ipv4', risk_level: 'critical' });
    expect(body.risk_score).toBeGreaterThanOrEqual(80);
    const byName = Object.fromEntries(body.sources.map((s: { source: string }) => [s.source, s]));
    expect(byName.abuseipdb.status).toBe('ok');
    expect(byName.virustotal.status).toBe('ok');
    expect(byName.otx).toMatchObject({ status: 'skipped' });
    expect(byName.otx.error).toMatch(/OTX_API_KEY/);
    expect(body.geo).toMatchObject({ ip: '1.2.3.4', kind: 'public' });
    expect(body.sources.some((s: { raw?: unknown }) => 'raw' in s)).toBe(false);
  });

  it('adds raw payloads with ?debug=true, and a second lookup is served from cache', async () => {
    const before = fake.requests.abuseipdb;
    const cached = await api.app.inject({ method: 'GET', url: '/api/lookup/1.2.3.4' });
    expect(fake.requests.abuseipdb).toBe(before);
    expect(cached.json().sources.find((s: { source: string }) => s.source === 'abuseipdb').cached).toBe(true);
    const debug = await api.app.inject({ method: 'GET', url: '/api/lookup/evil.example?debug=true' });
    expect(debug.statusCode).toBe(200);
    expect(debug.json().sources.find((s: { source: string }) => s.source === 'virustotal').raw).toBeDefined();
  });

  it('labels private addresses and sends them nowhere', async () => {
    const before = fake.requests.abuseipdb + fake.requests.virustotal;
    const body = (await api.app.inject({ method: 'GET', url: '/api/lookup/10.1.2.3' })).json();
    expect(body.geo).toEqual({ ip: '10.1.2.3', kind: 'private' });
    expect(body.sources.every((s: { status: string }) => s.status === 'skipped')).toBe(true);
    expect(fake.requests.abuseipdb + fake.requests.virustotal).toBe(before);
  });

  it('accepts a percent-encoded URL', async () => {
    const res = await api.app.inject({ method: 'GET', url: `/api/lookup/${encodeURIComponent('https://evil.example/x?a=1')}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ type: 'url' });
  });

  it('refuses what is not an indicator with 400 unsupported_ioc saying what was seen', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/lookup/not%20an%20ioc' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'unsupported_ioc', message: expect.stringContaining('"not an ioc"') });
    const unknown = await api.app.inject({ method: 'GET', url: '/api/lookup/1.2.3.4?verbose=1' });
    expect(unknown.statusCode).toBe(400);
  });
});

describe('POST /api/lookup/bulk', () => {
  it('answers each indicator in order, with an error item for a bad one', async () => {
    const res = await api.app.inject({ method: 'POST', url: '/api/lookup/bulk', payload: { iocs: ['8.8.8.8', '???', 'evil.example'] } });
    expect(res.statusCode).toBe(200);
    const items = res.json().items;
    expect(items).toHaveLength(3);
    expect(items[0]).toMatchObject({ ioc: '8.8.8.8', type: 'ipv4' });
    expect(items[1]).toMatchObject({ ioc: '???', code: 'unsupported_ioc' });
    expect(items[2]).toMatchObject({ ioc: 'evil.example', type: 'domain' });
  });

  it('answers GET on the bulk route with 405 naming the allowed method, not as an indicator "bulk"', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/lookup/bulk' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.json()).toEqual({ error: 'method_not_allowed', message: 'method GET is not allowed on /api/lookup/bulk; allowed: POST' });
  });

  it.each([
    ['text/plain', 'x', 400, /body must be an object/],
    ['application/json', '[1,2]', 400, /body must be an object/],
    ['application/json', '{"iocs":"8.8.8.8"}', 400, /body field "iocs" must be an array/],
    ['application/json', '{"iocs":[1]}', 400, /body field "iocs\[0\]" must be a string/],
    ['application/json', '{"iocs":["8.8.8.8"],"x":1}', 400, /unknown body field "x"; valid: iocs/],
    ['application/json', '{"iocs":', 400, /JSON/],
    ['application/xml', '<iocs/>', 415, /xml/],
  ])('refuses a %s body %j with %i naming what was wrong', async (type, payload, status, message) => {
    const res = await api.app.inject({ method: 'POST', url: '/api/lookup/bulk', headers: { 'content-type': type }, payload });
    expect(res.statusCode).toBe(status);
    expect(res.json().message).toMatch(message);
  });

  it('refuses more than 100 indicators and malformed bodies with 400', async () => {
    const many = Array.from({ length: 101 }, (_, i) => `8.8.${i}.1`);
    const res = await api.app.inject({ method: 'POST', url: '/api/lookup/bulk', payload: { iocs: many } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/iocs|100/) });
    expect((await api.app.inject({ method: 'POST', url: '/api/lookup/bulk', payload: { ioc: ['1.2.3.4'] } })).statusCode).toBe(400);
    expect((await api.app.inject({ method: 'POST', url: '/api/lookup/bulk', payload: { iocs: [] } })).statusCode).toBe(400);
  });
});

describe('GET /api/enrichment/status', () => {
  it('shows each provider and the GeoIP databases with type and build date', async () => {
    const body = (await api.app.inject({ method: 'GET', url: '/api/enrichment/status' })).json();
    const otx = body.providers.find((p: { name: string }) => p.name === 'otx');
    expect(otx).toMatchObject({ configured: false, breaker: 'closed' });
    const vt = body.providers.find((p: { name: string }) => p.name === 'virustotal');
    expect(vt.configured).toBe(true);
    expect(vt.remaining_today).toBeLessThan(1000);
    expect(body.geoip.databases[0]).toMatchObject({ file: 'City.mmdb', role: 'geo', type: expect.stringMatching(/City/) });
    expect(Date.parse(body.geoip.databases[0].build_date)).not.toBeNaN();
  });

  it('is in the OpenAPI document', async () => {
    const spec = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/lookup/{ioc}', '/api/lookup/bulk', '/api/enrichment/status']));
  });
});
