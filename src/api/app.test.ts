import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { NotFoundError, RampartError } from '../core/index.js';
import { createApi } from './app.js';
import { OPEN_ACCESS_FOR_TESTS } from './auth/access-control.js';
import type { ApiDeps, ApiOptions } from './types.js';
import { openTestApi, type TestApi } from './testing/fixtures.js';

/** A route group as later features will add them: it also gives the error mapping something to throw. */
function probeRoutes(app: FastifyInstance): void {
  app.post('/api/probe/echo', { config: { scope: 'read' } }, async (request) => ({ got: request.body }));
  app.get('/api/probe/crash', { config: { scope: 'read' } }, async () => {
    throw new Error('secret connection string postgres://admin:hunter2@db/rampart');
  });
  app.get('/api/probe/missing', { config: { scope: 'read' } }, async () => {
    throw new NotFoundError('no decision for 192.0.2.1');
  });
  app.get('/api/probe/limited', { config: { scope: 'read' } }, async () => {
    throw new RampartError('rate_limited', 'too many lookups; retry in 30 s');
  });
  app.get('/api/probe/forbidden', { config: { scope: 'read' } }, async () => {
    throw Object.assign(new Error('not for you'), { statusCode: 403 });
  });
  app.get('/api/probe/store-down', { config: { scope: 'read' } }, async () => {
    throw new RampartError('store_unavailable', 'connect ECONNREFUSED 10.0.0.5:5432');
  });
}

let t: TestApi;

beforeAll(async () => {
  t = await openTestApi({ extraRoutes: [probeRoutes], options: { bodyLimit: 1024 } }, false);
});
afterAll(async () => {
  await t?.close();
});

describe('errors', () => {
  it('answers unknown routes with a JSON 404', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json()).toEqual({ error: 'not_found', message: 'no route for GET /api/nope' });
  });

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    const res = await t.app.inject({ method: 'DELETE', url: '/api/threats/abc' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expect(res.json()).toEqual({
      error: 'method_not_allowed',
      message: 'method DELETE is not allowed here; allowed: GET, HEAD',
    });
  });

  it('rejects a body over the limit with 413', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/probe/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ pad: 'x'.repeat(2048) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: 'payload_too_large', message: "request body is larger than this route's limit of 1024 bytes" });
    const ok = await t.app.inject({ method: 'POST', url: '/api/probe/echo', payload: { a: 1 } });
    expect(ok.statusCode).toBe(200);
  });

  it('rejects malformed JSON and unsupported media types with 4xx JSON', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/probe/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('bad_request');
    const media = await t.app.inject({
      method: 'POST',
      url: '/api/probe/echo',
      headers: { 'content-type': 'application/x-evil' },
      payload: 'x',
    });
    expect(media.statusCode).toBe(415);
    expect(media.json().error).toBe('unsupported_media_type');
  });

  it('hides internal errors behind a 500 with the request id, and logs them', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/probe/crash',
      headers: { 'x-request-id': 'trace-42' },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'internal_error', message: 'internal error (request id trace-42)' });
    expect(res.body).not.toMatch(/hunter2|at .*\.ts/);
    const logged = t.logs.find((l) => l.reqId === 'trace-42' && l.msg === 'request failed');
    expect(logged).toBeDefined();
    expect(JSON.stringify(logged)).toContain('secret connection string');
  });

  it.each([
    ['/api/probe/missing', 404, { error: 'not_found', message: 'no decision for 192.0.2.1' }],
    ['/api/probe/limited', 429, { error: 'rate_limited', message: 'too many lookups; retry in 30 s' }],
  ])('maps RampartError codes: %s -> %i', async (url, status, body) => {
    const res = await t.app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual(body);
  });

  it('gives a 403 the code forbidden, not bad_request', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/probe/forbidden' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: 'forbidden', message: 'not for you' });
  });

  it('maps store_unavailable to 503 without the connection details', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/probe/store-down' });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toBe('store_unavailable');
    expect(res.body).not.toContain('10.0.0.5');
  });

  it('answers a malformed URL with 400 JSON', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/threats/%E0%A4%A' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('bad_request');
  });
});

describe('security basics', () => {
  it('sets defensive headers and a request id on every response', async () => {
    for (const url of ['/health', '/api/nope']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('keeps a plain caller request id and replaces a hostile one', async () => {
    const kept = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'lb-7f3a.1' },
    });
    expect(kept.headers['x-request-id']).toBe('lb-7f3a.1');
    const replaced = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'a\u001b[31mred' + 'x'.repeat(100) },
    });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs each request at info with its path but never its query string', async () => {
    await t.app.inject({
      method: 'GET',
      url: '/api/threats?limit=1&token=s3cr3t-value',
      headers: { 'x-request-id': 'log-1' },
    });
    const lines = t.logs.filter((l) => l.reqId === 'log-1');
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 30,
        msg: 'request',
        method: 'GET',
        path: '/api/threats',
        status: 400,
      }),
    );
    expect(JSON.stringify(t.logs)).not.toContain('s3cr3t-value');
  });
});

/** A second app on the shared store, built with settings the shared one was not. */
function appWith(options: ApiOptions, extraRoutes?: ApiDeps['extraRoutes']) {
  return createApi({
    store: t.store,
    pipeline: t.metrics,
    readiness: async () => ({ checks: {} }),
    logger: pino({ level: 'silent' }),
    version: 'x',
    options,
    extraRoutes,
    access: OPEN_ACCESS_FOR_TESTS,
  });
}

describe('Host check (DNS rebinding)', () => {
  async function statusFor(options: ApiOptions, host: string): Promise<number> {
    const app = appWith(options);
    try {
      const res = await app.inject({ method: 'GET', url: '/health', headers: { host } });
      if (res.statusCode === 403) {
        expect(res.json()).toEqual({ error: 'forbidden', message: expect.stringContaining('server.allowedHosts') });
      }
      return res.statusCode;
    } finally {
      await app.close();
    }
  }

  it('on a loopback bind answers loopback names and addresses, refuses other names', async () => {
    expect(await statusFor({}, 'localhost:8000')).toBe(200);
    expect(await statusFor({ bindHost: '127.0.0.1' }, '127.0.0.1:8000')).toBe(200);
    expect(await statusFor({}, 'evil.example')).toBe(403);
    expect(await statusFor({ allowedHosts: ['rampart.lan'] }, 'rampart.lan:8000')).toBe(200);
    expect(await statusFor({ allowedHosts: ['rampart.lan'] }, 'evil.example')).toBe(403);
  });

  it('on a non-loopback bind accepts any name unless names are configured', async () => {
    expect(await statusFor({ bindHost: '0.0.0.0' }, 'evil.example')).toBe(200);
    expect(await statusFor({ bindHost: '0.0.0.0', allowedHosts: ['rampart.lan'] }, 'evil.example')).toBe(403);
  });

  it('refuses before routing: an unknown path with a bad Host is 403, not 404', async () => {
    expect(await statusFor({}, 'evil.example:8000')).toBe(403);
  });
});

describe('trustProxy', () => {
  async function clientIp(trustProxy: ApiOptions['trustProxy'], xff: string): Promise<string> {
    const app = appWith({ trustProxy }, [
      (scope) => void scope.get('/whoami', { config: { scope: 'public' } }, async (request) => ({ ip: request.ip })),
    ]);
    try {
      const res = await app.inject({ method: 'GET', url: '/whoami', headers: { 'x-forwarded-for': xff } });
      return res.json().ip;
    } finally {
      await app.close();
    }
  }

  it('ignores X-Forwarded-For by default and believes it when configured', async () => {
    expect(await clientIp(undefined, '203.0.113.9')).toBe('127.0.0.1');
    expect(await clientIp(true, '203.0.113.9')).toBe('203.0.113.9');
    expect(await clientIp(1, '198.51.100.1, 203.0.113.9')).toBe('203.0.113.9');
    expect(await clientIp(['10.0.0.0/8'], '203.0.113.9')).toBe('127.0.0.1');
    expect(await clientIp(['127.0.0.1'], '203.0.113.9')).toBe('203.0.113.9');
  });
});

describe('OpenAPI', () => {
  it('serves a valid OpenAPI 3 document listing every route with its parameters', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info).toMatchObject({ title: 'Rampart API', version: '9.9.9-test' });
    for (const path of [
      '/health',
      '/ready',
      '/api/threats',
      '/api/threats/{id}',
      '/api/stats',
      '/api/metrics/pipeline',
    ]) {
      expect(doc.paths[path]?.get, path).toBeDefined();
      expect(Object.keys(doc.paths[path].get.responses), path).toContain('200');
    }
    const listParams = doc.paths['/api/threats'].get.parameters as {
      name: string;
      in: string;
      schema: unknown;
    }[];
    expect(listParams.map((p) => p.name).sort()).toEqual(
      [
        'category',
        'ip',
        'limit',
        'offset',
        'order',
        'page',
        'path',
        'severity',
        'since',
        'sort',
        'until',
      ].sort(),
    );
    for (const p of listParams) {
      expect(p.in).toBe('query');
      expect(p.schema).toBeTypeOf('object');
    }
    // Bounds come from the route's own zod schema.
    expect(listParams.find((p) => p.name === 'limit')).toMatchObject({
      description: 'Page size.',
      schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    });
    const sort = listParams.find((p) => p.name === 'sort')!.schema as { enum: string[] };
    expect(sort.enum).toEqual(['time', 'score', 'severity', 'ip', 'status']);
    const idParam = doc.paths['/api/threats/{id}'].get.parameters[0];
    expect(idParam).toMatchObject({ name: 'id', in: 'path', required: true });
    expect(doc.paths['/api/stats'].get.parameters[0]).toMatchObject({ name: 'range', in: 'query' });
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['ApiError', 'Threat', 'Detection']),
    );
    // Every $ref resolves inside the document.
    for (const ref of JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? []) {
      const target = ref.slice(8, -1);
      expect(target).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[target.split('/').pop()!], target).toBeDefined();
    }
    // Internal documentation routes stay out of the document.
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/docs') || p === '/openapi.json')).toBe(false);
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('swagger-ui');
  });
});
