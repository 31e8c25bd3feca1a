/**
 * Access control beyond the matrix: fail closed, tickets, the caller on the request, rate limits (in process
 * and shared through the real Redis), CORS, headers on refusals, keys kept out of the log, last use recorded
 * without a write per request.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, serviceAvailable } from '../../enrich/testing/services.js';
import type { ApiKeyRecord } from '../../store/index.js';
import { createApi } from '../app.js';
import { openTestApi, type TestApi } from '../testing/fixtures.js';
import type { ApiDeps } from '../types.js';
import type { AccessOptions, RateLimits } from './access-control.js';
import { hashApiKey, issueApiKey } from './api-key.js';
import type { KeyLookup } from './key-verifier.js';
import { TICKET_TTL_MS } from './tickets.js';

/** A stream-like route and one that shows the caller, as later route groups add them. */
function probeRoutes(app: FastifyInstance): void {
  app.get('/api/test/stream', { config: { scope: 'read' } }, async (request) => ({ caller: request.apiKey }));
  app.get('/api/test/admin', { config: { scope: 'admin' } }, async (request) => ({ caller: request.apiKey }));
  app.get('/api/test/metrics', { config: { scope: 'metrics' } }, async () => ({ ok: true }));
}

const NO_LIMITS: RateLimits = { perKey: 1e6, perIp: 1e6, failedAuth: 1e6, windowMs: 60_000 };

describe('fail closed', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await openTestApi({}, false);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });
  const appWith = (extra: Partial<ApiDeps>) =>
    createApi({ store: t.store, pipeline: t.metrics, readiness: async () => ({ checks: {} }), logger: pino({ level: 'silent' }), version: 'x', ...extra });

  it('refuses to start when a route declares no scope, naming it', async () => {
    const app = appWith({ access: { mode: 'keys', keys: t.store.apiKeys }, extraRoutes: [(a) => void a.get('/api/forgot', async () => ({ leaked: true }))] });
    await expect(app.ready()).rejects.toThrow(/routes without a valid scope .*GET \/api\/forgot, HEAD \/api\/forgot/);
  });

  it('refuses a scope that is not one of the five', async () => {
    // @ts-expect-error: the type allows only the five scopes; a JavaScript plugin could still write anything.
    const app = appWith({ access: { mode: 'keys', keys: t.store.apiKeys }, extraRoutes: [(a) => void a.get('/api/typo', { config: { scope: 'reed' } }, async () => ({}))] });
    await expect(app.ready()).rejects.toThrow(/GET \/api\/typo/);
  });

  it('without access options, only public routes answer', async () => {
    const app = appWith({});
    expect((await app.inject('/health')).statusCode).toBe(200);
    expect((await app.inject('/api/threats')).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/threats', headers: { 'x-api-key': 'rk_anything-at-all' } })).statusCode).toBe(401);
    await app.close();
  });
});

describe('keys, tickets and the caller', () => {
  let t: TestApi;
  let now = Date.parse('2026-06-01T00:00:00Z');
  const keys: Record<string, string> = {};
  const records: Record<string, ApiKeyRecord> = {};

  beforeAll(async () => {
    t = await openTestApi({
      extraRoutes: [probeRoutes],
      accessFor: (store) => ({ mode: 'keys', keys: store.apiKeys, limits: NO_LIMITS, clock: () => now, bootstrapKey: 'env-given-bootstrap-key-0123456789' }),
    }, false);
    for (const [name, scopes] of [['reader', ['read']], ['scraper', ['metrics']], ['boss', ['admin']]] as const) {
      const made = await issueApiKey(t.store.apiKeys, { name, scopes: [...scopes], expiresAt: null }, now);
      keys[name] = made.key;
      records[name] = made.record;
    }
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('tells handlers who called: id, name and scopes, never the key', async () => {
    const res = await t.app.inject({ url: '/api/test/stream', headers: { authorization: `bearer ${keys.reader}` } });
    expect(res.json()).toEqual({ caller: { id: records.reader!.id, name: 'reader', scopes: ['read'] } });
    const env = await t.app.inject({ url: '/api/test/admin', headers: { 'x-api-key': 'env-given-bootstrap-key-0123456789' } });
    expect(env.json()).toEqual({ caller: { id: 'env', name: 'RAMPART_API_KEY', scopes: ['admin'] } });
  });

  it('metrics routes take a metrics or an admin key, not a read key', async () => {
    const get = (k: string) => t.app.inject({ url: '/api/test/metrics', headers: { 'x-api-key': k } }).then((r) => r.statusCode);
    expect([await get(keys.scraper!), await get(keys.boss!), await get(keys.reader!)]).toEqual([200, 200, 403]);
    const denied = await t.app.inject({ url: '/api/test/metrics', headers: { 'x-api-key': keys.reader! } });
    expect(denied.json()).toEqual({ error: 'forbidden', message: 'key "reader" has scopes read; this route needs metrics or admin' });
  });

  it('a ticket opens one WebSocket or event stream, once, with the scopes of the key that asked', async () => {
    const issued = await t.app.inject({ method: 'POST', url: '/api/ws-ticket', headers: { 'x-api-key': keys.reader! } });
    expect(issued.statusCode).toBe(200);
    const { ticket, expiresInS } = issued.json() as { ticket: string; expiresInS: number };
    expect(expiresInS).toBe(30);
    const ws = { upgrade: 'websocket', connection: 'upgrade' };
    // Not on an ordinary request: a ticket in a URL is for clients that cannot send headers.
    expect((await t.app.inject({ url: `/api/test/stream?ticket=${ticket}` })).statusCode).toBe(401);
    const first = await t.app.inject({ url: `/api/test/stream?ticket=${ticket}`, headers: ws });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ caller: { id: records.reader!.id, name: 'reader', scopes: ['read'] } });
    const again = await t.app.inject({ url: `/api/test/stream?ticket=${ticket}`, headers: ws });
    expect(again.statusCode).toBe(401);
    expect(again.json().message).toMatch(/ticket is unknown, already used or expired/);

    const sse = { accept: 'text/event-stream' };
    const second = (await t.app.inject({ method: 'POST', url: '/api/ws-ticket', headers: { 'x-api-key': keys.reader! } })).json().ticket as string;
    expect((await t.app.inject({ url: `/api/test/admin?ticket=${second}`, headers: sse })).statusCode).toBe(403);
    const late = (await t.app.inject({ method: 'POST', url: '/api/ws-ticket', headers: { 'x-api-key': keys.reader! } })).json().ticket as string;
    now += TICKET_TTL_MS + 1;
    expect((await t.app.inject({ url: `/api/test/stream?ticket=${late}`, headers: sse })).statusCode).toBe(401);
  });

  it('a revoked key stops working once the verified-key cache lets it go (10 s)', async () => {
    const made = await issueApiKey(t.store.apiKeys, { name: 'short-lived', scopes: ['read'], expiresAt: null }, now);
    const get = () => t.app.inject({ url: '/api/test/stream', headers: { 'x-api-key': made.key } }).then((r) => r.statusCode);
    expect(await get()).toBe(200);
    await t.store.apiKeys.revoke('short-lived', now);
    now += 10_001;
    expect(await get()).toBe(401);
  });

  it('refusals carry the security headers; a key never reaches the log', async () => {
    const res = await t.app.inject({ url: '/api/test/admin', headers: { 'x-api-key': 'rk_wrong-secret-value-123' } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    // Under /docs Swagger UI sets its own policy; what it does not answer gets the strict one.
    const missing = await t.app.inject('/docs/no-such-page');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    const made = await t.app.inject({ method: 'POST', url: '/api/keys', headers: { authorization: `Bearer ${keys.boss}` }, payload: { name: 'logged', scopes: ['read'] } });
    expect(made.statusCode).toBe(201);
    const ticket = (await t.app.inject({ method: 'POST', url: '/api/ws-ticket', headers: { 'x-api-key': keys.boss! } })).json().ticket as string;
    await t.app.inject({ url: `/api/test/stream?ticket=${ticket}`, headers: { upgrade: 'websocket' } });
    const logged = JSON.stringify(t.logs);
    expect(logged).toContain('API key created');
    for (const secret of [keys.reader, keys.boss, keys.scraper, made.json().key, 'rk_wrong-secret-value-123', 'env-given-bootstrap-key-0123456789', ticket]) {
      expect(logged).not.toContain(secret);
    }
    expect(logged).not.toContain(hashApiKey(keys.boss!));
  });
});

describe('last use', () => {
  it('is written at most once a minute per key, not once per request', async () => {
    let now = 1_000_000;
    const touches: [string[], number][] = [];
    const record: ApiKeyRecord & { hash: string } = {
      id: 'key_1', name: 'k', scopes: ['read'], createdAt: 0, lastUsedAt: null, expiresAt: null, revokedAt: null, hash: hashApiKey('rk_the-key-0123456789'),
    };
    const keys: KeyLookup = { findByHash: async (h) => (h === record.hash ? record : null), touch: async (ids, at) => void touches.push([[...ids], at]) };
    const t = await openTestApi({ extraRoutes: [probeRoutes], accessFor: () => ({ mode: 'keys', keys, limits: NO_LIMITS, clock: () => now }) }, false);
    try {
      for (let i = 0; i < 5; i++) expect((await t.app.inject({ url: '/api/test/stream', headers: { 'x-api-key': 'rk_the-key-0123456789' } })).statusCode).toBe(200);
      now += 61_000;
      await t.app.inject({ url: '/api/test/stream', headers: { 'x-api-key': 'rk_the-key-0123456789' } });
      expect(touches).toEqual([[['key_1'], 1_000_000], [['key_1'], 1_061_000]]);
    } finally {
      await t.close();
    }
  }, 90_000);
});

async function limitedApi(limits: RateLimits | false, extra: Partial<AccessOptions> = {}, deps: Partial<ApiDeps> = {}): Promise<{ t: TestApi; key: string }> {
  let key = '';
  const t = await openTestApi({ extraRoutes: [probeRoutes], accessFor: (store) => ({ mode: 'keys', keys: store.apiKeys, limits, ...extra }), ...deps }, false);
  key = (await issueApiKey(t.store.apiKeys, { name: 'limited', scopes: ['read'], expiresAt: null }, Date.now())).key;
  return { t, key };
}

describe('rate limits', () => {
  it('answers 429 with Retry-After past the per-key limit, and again 200 once the window has passed', async () => {
    // Windows of 3 s: four requests must fit in one even on a loaded machine.
    const { t, key } = await limitedApi({ perKey: 3, perIp: 100, failedAuth: 100, windowMs: 3000 });
    try {
      const get = () => t.app.inject({ url: '/api/test/stream', headers: { 'x-api-key': key } });
      for (let i = 0; i < 3; i++) expect((await get()).statusCode).toBe(200);
      const limited = await get();
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(3);
      expect(limited.json()).toEqual({ error: 'rate_limited', message: expect.stringMatching(/^rate limit of 3 requests per 3 s exceeded for this key; retry after [123] s$/) });
      expect(limited.headers['x-content-type-options']).toBe('nosniff');
      await new Promise((r) => setTimeout(r, 3100));
      expect((await get()).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  }, 90_000);

  it('limits failed authentication per address more strictly, and then refuses even a good key from it', async () => {
    const { t, key } = await limitedApi({ perKey: 100, perIp: 100, failedAuth: 2, windowMs: 3000 });
    try {
      const get = (k: string, ip = '198.51.100.1') => t.app.inject({ url: '/api/test/stream', headers: { 'x-api-key': k }, remoteAddress: ip }).then((r) => r.statusCode);
      expect([await get('rk_guess-1'), await get('rk_guess-2'), await get('rk_guess-3'), await get(key)]).toEqual([401, 401, 429, 429]);
      // Another address is not affected; a missing key is not a guess and does not count.
      expect(await get(key, '198.51.100.2')).toBe(200);
      await new Promise((r) => setTimeout(r, 3100));
      expect(await get(key)).toBe(200);
    } finally {
      await t.close();
    }
  }, 90_000);

  it('limits calls without a key per address (public routes)', async () => {
    const { t } = await limitedApi({ perKey: 100, perIp: 2, failedAuth: 100, windowMs: 60_000 });
    try {
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await t.app.inject({ url: '/health', remoteAddress: '192.0.2.9' })).statusCode);
      expect(codes).toEqual([200, 200, 429]);
    } finally {
      await t.close();
    }
  }, 90_000);

  describe('shared through Redis', () => {
    let redis: Redis[] = [];
    afterAll(() => {
      for (const r of redis) r.disconnect();
    });

    it('two API instances count one limit together', async (ctx) => {
      if (!(await serviceAvailable('redis'))) return ctx.skip();
      redis = [new Redis(REDIS_URL), new Redis(REDIS_URL)];
      const limits = { perKey: 100, perIp: 3, failedAuth: 100, windowMs: 3000 };
      const a = await limitedApi(limits, { redis: redis[0]! });
      const b = await limitedApi(limits, { redis: redis[1]! });
      try {
        // A fresh address per run, so an earlier run's counts in Redis do not matter.
        const ip = `10.${[1, 2, 3].map(() => Math.floor(Math.random() * 250)).join('.')}`;
        const get = (api: TestApi) => api.app.inject({ url: '/health', remoteAddress: ip }).then((r) => r.statusCode);
        expect([await get(a.t), await get(b.t), await get(a.t), await get(b.t)]).toEqual([200, 200, 200, 429]);
        // A ticket issued by one instance is taken by the other, once.
        const seed = await issueApiKey(a.t.store.apiKeys, { name: `shared-${randomUUID().slice(0, 8)}`, scopes: ['read'], expiresAt: null }, Date.now());
        const ticket = (await a.t.app.inject({ method: 'POST', url: '/api/ws-ticket', headers: { 'x-api-key': seed.key }, remoteAddress: '10.0.0.1' })).json().ticket as string;
        const use = () => b.t.app.inject({ url: `/api/test/stream?ticket=${ticket}`, headers: { upgrade: 'websocket' }, remoteAddress: '10.0.0.1' }).then((r) => r.statusCode);
        expect([await use(), await use()]).toEqual([200, 401]);
        await new Promise((r) => setTimeout(r, 3100));
        expect(await get(b.t)).toBe(200);
      } finally {
        await a.t.close();
        await b.t.close();
      }
    }, 60_000);
  });
});

describe('tickets while Redis is away', () => {
  it('answer 503 saying so, not 500, and a key in a header still works', async () => {
    // Nothing listens on port 1; without an offline queue every command fails at once.
    const down = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    down.on('error', () => undefined);
    const { t, key } = await limitedApi(false, { redis: down });
    try {
      const issued = await t.app.inject({ method: 'POST', url: '/api/ws-ticket', headers: { 'x-api-key': key } });
      expect(issued.statusCode).toBe(503);
      expect(issued.json()).toEqual({ error: 'store_unavailable', message: expect.stringContaining('tickets are unavailable just now') });
      const used = await t.app.inject({ url: `/api/test/stream?ticket=wt_${'a'.repeat(43)}`, headers: { upgrade: 'websocket' } });
      expect(used.statusCode).toBe(503);
      expect((await t.app.inject({ url: '/api/test/stream', headers: { 'x-api-key': key } })).statusCode).toBe(200);
    } finally {
      await t.close();
      down.disconnect();
    }
  }, 90_000);
});

describe('CORS', () => {
  let t: TestApi;
  let key: string;
  beforeAll(async () => {
    ({ t, key } = await limitedApi(NO_LIMITS, { corsOrigins: ['https://dash.example'] }));
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const preflight = (origin: string) =>
    t.app.inject({ method: 'OPTIONS', url: '/api/threats', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });

  it('answers a preflight from an allowed origin', async () => {
    const res = await preflight('https://dash.example');
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://dash.example');
    expect(String(res.headers['access-control-allow-headers'])).toContain('authorization');
  });

  it('refuses a preflight from any other origin: no CORS header, so the browser stops', async () => {
    const res = await preflight('https://evil.example');
    expect(res.statusCode).toBe(405);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('labels the answers to an allowed origin, refusals included', async () => {
    const ok = await t.app.inject({ url: '/api/test/stream', headers: { origin: 'https://dash.example', 'x-api-key': key } });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('https://dash.example');
    const denied = await t.app.inject({ url: '/api/test/stream', headers: { origin: 'https://dash.example' } });
    expect(denied.statusCode).toBe(401);
    expect(denied.headers['access-control-allow-origin']).toBe('https://dash.example');
    const other = await t.app.inject({ url: '/api/test/stream', headers: { origin: 'https://evil.example', 'x-api-key': key } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
