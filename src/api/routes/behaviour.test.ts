import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { compileRequestSchema } from '../request-schema.js';
import { SHARED_SCHEMAS } from '../schemas.js';
import pino from 'pino';
import { PipelineMetrics } from '../../pipeline/index.js';
import { openStore } from '../../store/index.js';
import { createTestSchema, probePostgres } from '../../store/testing/postgres.js';
import { createApi } from '../app.js';
import { OPEN_ACCESS_FOR_TESTS } from '../auth/access-control.js';
import { behaviourDataset, dataset, NOW, openTestApi, type TestApi } from '../testing/fixtures.js';
import { behaviourRoutes } from './behaviour.js';

let t: TestApi;

beforeAll(async () => {
  t = await openTestApi();
  for (const batch of behaviourDataset()) await t.store.writer.write(batch);
});
afterAll(async () => {
  await t?.close();
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function get(url: string): Promise<{ status: number; body: Json }> {
  const res = await t.app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json() as Json };
}

describe('GET /api/browsers', () => {
  it('lists user-agent families with versions, requests and distinct IPs, bots apart', async () => {
    const { status, body } = await get('/api/browsers');
    expect(status).toBe(200);
    const chrome = body.items.find((i: Json) => i.family === 'Chrome');
    // Four browsing requests and three brute-force logins from two IPs.
    expect(chrome).toEqual({ kind: 'browser', family: 'Chrome', requests: 7, ips: 2, versions: [{ version: '120', requests: 7, ips: 2 }] });
    expect(body.by_kind.bot).toEqual({ requests: 1, ips: 1 });
    expect(body).toMatchObject({ limit: 50, offset: 0, page: 1, per_page: 50, since: new Date(NOW - 7 * 86_400_000).toISOString() });
    const bots = await get('/api/browsers?kind=bot');
    expect(bots.body.items.map((i: Json) => i.family)).toEqual(['Googlebot']);
    const blog = await get('/api/browsers?host=BLOG.example');
    expect(blog.body.items.map((i: Json) => [i.kind, i.family])).toEqual([['tool', 'curl']]);
    const paged = await get('/api/browsers?sort=family&order=asc&per_page=1&page=2');
    expect(paged.body).toMatchObject({ page: 2, per_page: 1, offset: 1, total: body.total });
    expect(paged.body.items).toHaveLength(1);
  });

  it('refuses bad parameters with a 400 naming them', async () => {
    for (const [url, name] of [
      ['/api/browsers?sort=ip', 'sort'],
      ['/api/browsers?sort=requests%3B%20DROP%20TABLE%20requests', 'sort'],
      ['/api/browsers?kind=robot', 'kind'],
      ['/api/browsers?limit=0', 'limit'],
      ['/api/browsers?limit=10&per_page=10', 'per_page'],
      ['/api/browsers?cursor=abc', 'cursor'],
      ['/api/browsers?versions=99', 'versions'],
      ['/api/browsers?range=7d&since=1h', 'range'],
      ['/api/browsers?host=%27%20OR%201%3D1', 'host'],
      ['/api/browsers?nope=1', 'nope'],
    ] as const) {
      const { status, body } = await get(url);
      expect(status, url).toBe(400);
      expect(body.message, url).toContain(`"${name}"`);
    }
  });
});

describe('GET /api/fingerprints', () => {
  it('lists JA4 families with their decoded JA4_a and fingerprints', async () => {
    const { status, body } = await get('/api/fingerprints');
    expect(status).toBe(200);
    expect(body.items).toEqual([
      {
        ja4_a: 't13d1516h2',
        protocol: 'tcp',
        tls_version: '13',
        sni: true,
        ciphers: 15,
        extensions: 16,
        alpn: 'h2',
        requests: 4,
        ips: 1,
        fingerprints: [{ ja4: 't13d1516h2_8daaf6152771_b186095e22b6', requests: 4, ips: 1 }],
      },
    ]);
    expect((await get('/api/fingerprints?family=t12')).body.items).toEqual([]);
    expect((await get('/api/fingerprints?fingerprints=-1')).status).toBe(400);
  });
});

describe('GET /api/features and /api/behavior', () => {
  it('gives feature statistics over stored windows, per threat level', async () => {
    const { status, body } = await get('/api/features');
    expect(status).toBe(200);
    const hits = body.features.find((f: Json) => f.feature === 'hits');
    expect(hits.all).toMatchObject({ count: 3, mean: 46 / 3, min: 4, max: 30 });
    expect(Object.keys(hits.by_threat_level).sort()).toEqual(['CRITICAL', 'HIGH', 'LEGITIMATE_BROWSER']);
    expect((await get('/api/features?range=1h')).body.features[0].all).toMatchObject({ count: 2, mean: 8 });
    const crit = await get('/api/features?threat_level=critical');
    expect(crit.body.features.find((f: Json) => f.feature === 'hits').all).toMatchObject({ count: 1, p50: 12 });
    expect((await get('/api/features?threat_level=EVIL')).status).toBe(400);
    expect((await get('/api/features?host=shop.example')).status).toBe(400);
  });

  it('gives a bounded, deterministic scatter and histograms', async () => {
    const { status, body } = await get('/api/behavior?x=hits&y=distinct_user_agents&points=10');
    expect(status).toBe(200);
    expect(body.points.map((p: Json) => [p.ip, p.x, p.y]).sort()).toEqual([
      ['192.0.2.20', 4, 1],
      ['198.51.100.66', 12, 8],
      ['198.51.100.66', 30, 3],
    ]);
    expect(body.histograms.map((h: Json) => h.feature)).toEqual(['hits', 'distinct_user_agents']);
    const bins = body.histograms[0].bins as Json[];
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(3);
    expect(bins[bins.length - 1]!.upper).toBeNull();
    const one = await get('/api/behavior?points=1');
    expect(one.body.points).toHaveLength(1);
    expect((await get('/api/behavior?points=1')).body.points).toEqual(one.body.points);
    for (const url of ['/api/behavior?points=5001', '/api/behavior?x=ip', '/api/behavior?y=hits%20--', '/api/behavior?histograms=hits,nope']) {
      expect((await get(url)).status, url).toBe(400);
    }
  });
});

describe('scenario IP lists', () => {
  it('GET /api/brute-force lists the IPs with targets, counts and first/last seen', async () => {
    const { status, body } = await get('/api/brute-force');
    expect(status).toBe(200);
    expect(body.scenario).toBe('bruteforce');
    expect(body.total).toBe(1);
    expect(body.items[0]).toMatchObject({
      ip: '198.51.100.66',
      windows: 2,
      events: 3,
      hits: 42,
      targets: ['/wp-login.php'],
      hosts: ['shop.example'],
      scenarios: { bruteforce: { windows: 2, events: 3 }, recurrence: { windows: 1, events: 0 }, 'ua-rotation': { windows: 1, events: 0 } },
    });
    expect(Date.parse(body.items[0].first_seen)).toBeLessThan(Date.parse(body.items[0].last_seen));
    expect((await get('/api/brute-force?host=blog.example')).body.items).toEqual([]);
    expect((await get('/api/brute-force?ip=198.51.100.66')).body.total).toBe(1);
    expect((await get('/api/brute-force?range=1h')).body.items[0]).toMatchObject({ windows: 1, events: 1 });
  });

  it('GET /api/ua-rotation, /api/ja4-rotation and /api/recurrence', async () => {
    expect((await get('/api/ua-rotation')).body.items[0]).toMatchObject({ ip: '198.51.100.66', max_user_agents: 8 });
    expect((await get('/api/ja4-rotation')).body).toMatchObject({ items: [], total: 0, pages: 0 });
    expect((await get('/api/recurrence')).body.items[0]).toMatchObject({ ip: '198.51.100.66', windows: 1 });
    for (const url of ['/api/recurrence?sort=last_seen;--', '/api/recurrence?ip=1.2.3', '/api/recurrence?order=up', '/api/recurrence?page=0']) {
      const r = await get(url);
      expect(r.status, url).toBe(400);
    }
  });
});

describe('GET /api/cascade/:ip and /api/ip/:ip/radar', () => {
  it('lists page views with the sub-resources that followed', async () => {
    const { status, body } = await get('/api/cascade/192.0.2.20');
    expect(status).toBe(200);
    expect(body.summary).toEqual({ pages: 2, with_subresources: 1, subresources: 2 });
    expect(body.pages.map((p: Json) => [p.path, p.subresources, p.subresource_paths])).toEqual([
      ['/cart', 0, []],
      ['/', 2, ['/app.css', '/app.js']],
    ]);
    expect((await get('/api/cascade/192.0.2.20?limit=1')).body.pages).toHaveLength(1);
    expect((await get('/api/cascade/192.0.2.20?limit=51')).status).toBe(400);
    expect((await get('/api/cascade/not-an-ip')).status).toBe(404);
  });

  it("normalises an IP's features against the baselines", async () => {
    const { status, body } = await get('/api/ip/198.51.100.66/radar');
    expect(status).toBe(200);
    expect(body.windows).toBe(2);
    const hits = body.axes.find((a: Json) => a.feature === 'hits');
    expect(hits.value).toBe(21);
    expect(hits.baselines.benign_browser).toMatchObject({ windows: 1, mean: 4, stddev: 0, z: 3, score: 1 });
    expect(hits.baselines.datacenter).toMatchObject({ windows: 0, z: null });
    expect(Object.keys(body.baselines)).toEqual(['benign_browser', 'datacenter']);
    expect((await get('/api/ip/198.51.100.66/radar?range=forever')).status).toBe(400);
  });

  it('declares the read scope on every behaviour route and documents each in OpenAPI', async () => {
    const doc = (await get('/openapi.json')).body;
    const paths = ['/api/browsers', '/api/fingerprints', '/api/features', '/api/behavior', '/api/brute-force', '/api/ua-rotation', '/api/ja4-rotation', '/api/recurrence', '/api/cascade/{ip}', '/api/ip/{ip}/radar'];
    for (const path of paths) expect(doc.paths[path]?.get?.responses?.['200']?.content, path).toBeDefined();
    // The scope each route declares, as access control reads it (routeOptions.config).
    const app = Fastify();
    app.setValidatorCompiler(compileRequestSchema);
    for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
    const scopes = new Map<string, unknown>();
    app.addHook('onRoute', (r) => {
      if (r.method === 'GET') scopes.set(r.url, r.config?.scope);
    });
    await app.register(async (scope) => behaviourRoutes(scope, { behaviour: t.store.behaviour, clock: () => NOW }));
    await app.ready();
    expect(Object.fromEntries(scopes)).toEqual(Object.fromEntries(paths.map((p) => [p.replace('{ip}', ':ip'), 'read'])));
    await app.close();
  });
});

describe('every parameter of every behaviour route', () => {
  it('answers hostile values with a 4xx JSON error or a valid answer, never a 5xx', async () => {
    const doc = (await get('/openapi.json')).body;
    const hostile = ["'; DROP TABLE requests; --", '-1', '1e309', 'NaN', '%00', 'x'.repeat(2000), '[]', 'desc,asc'];
    for (const path of ['/api/browsers', '/api/fingerprints', '/api/features', '/api/behavior', '/api/brute-force', '/api/ua-rotation', '/api/ja4-rotation', '/api/recurrence', '/api/cascade/{ip}', '/api/ip/{ip}/radar']) {
      const base = path.replace('{ip}', '198.51.100.66');
      const names = (doc.paths[path].get.parameters as Json[]).filter((p) => p.in === 'query').map((p) => p.name as string);
      expect(names.length, path).toBeGreaterThan(0);
      for (const name of names) {
        for (const value of hostile) {
          const url = `${base}?${name}=${encodeURIComponent(value)}`;
          const res = await t.app.inject({ method: 'GET', url });
          expect(res.statusCode, url).toBeLessThan(500);
          if (res.statusCode !== 200) {
            expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
            expect((res.json() as Json).error, url).toBeTypeOf('string');
          }
        }
      }
      const unknown = await get(`${base}?order_by=1`);
      expect(unknown.status, path).toBe(400);
      expect(unknown.body.message).toContain('"order_by"');
    }
    expect(t.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
  }, 60_000);
});

describe('on PostgreSQL', async () => {
  const url = await probePostgres('behaviour routes');
  it.skipIf(!url)('every behaviour endpoint answers as on PGlite, from the same data', async () => {
    const schema = await createTestSchema(url!, 'rampart_behaviour_api');
    const store = await openStore({ databaseUrl: schema.url, schema: schema.schema });
    const app = createApi({
      access: OPEN_ACCESS_FOR_TESTS,
      store,
      pipeline: new PipelineMetrics(() => NOW),
      readiness: async () => ({ checks: {} }),
      logger: pino({ level: 'silent' }),
      version: 'test',
      clock: () => NOW,
    });
    try {
      const { events, threats } = dataset();
      await store.writer.write({ events, threats, checkpoints: [] });
      for (const batch of behaviourDataset()) await store.writer.write(batch);
      await app.ready();
      for (const path of [
        '/api/browsers?versions=3',
        '/api/browsers?kind=bot,tool&sort=family&order=asc',
        '/api/fingerprints',
        '/api/features?range=30d',
        '/api/behavior?x=velocity&y=ratio_static&points=5&histograms=hits,temporal_entropy',
        '/api/brute-force?sort=hits',
        '/api/ua-rotation',
        '/api/ja4-rotation',
        '/api/recurrence?host=shop.example',
        '/api/cascade/192.0.2.20',
        '/api/ip/198.51.100.66/radar',
      ]) {
        const [pgRes, pgliteRes] = await Promise.all([app.inject({ method: 'GET', url: path }), t.app.inject({ method: 'GET', url: path })]);
        expect(pgRes.statusCode, path).toBe(200);
        // Event ids differ (the fixtures number each event they build); everything else is the same.
        const withoutIds = (body: Json) => JSON.parse(JSON.stringify(body, (k, v: unknown) => (k === 'id' ? undefined : v))) as Json;
        expect(withoutIds(pgRes.json()), path).toEqual(withoutIds(pgliteRes.json()));
      }
    } finally {
      await app.close();
      await store.close();
      await schema.drop();
    }
  }, 60_000);
});
