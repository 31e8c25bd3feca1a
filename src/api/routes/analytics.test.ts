/**
 * The SOC analytics routes (issue #11) end to end over HTTP (inject), on PGlite and on PostgreSQL, against the
 * shared data set plus located threats on two sites: answers, filters, pagination and cursors, verdicts, the
 * cache, and a 400 naming the parameter for every kind of bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { ThreatEvent } from '../../core/index.js';
import { PipelineMetrics } from '../../pipeline/index.js';
import { openStore, type Store } from '../../store/index.js';
import { createTestSchema, probePostgres, type TestSchema } from '../../store/testing/postgres.js';
import { createApi } from '../app.js';
import { OPEN_ACCESS_FOR_TESTS } from '../auth/access-control.js';
import { dataset, DAY, event, HOUR, MIN, NOW, threat } from '../testing/fixtures.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies under test

/** Located threats on two sites, besides the shared data set (whose threats have no geo and host shop.example). */
function located(): ThreatEvent[] {
  const mk = (ago: number, ip: string, host: string, severity: 'high' | 'critical' | 'medium', country: string, asn: number, lat: number) => {
    const t = threat(event({ ago, ip, host, path: '/wp-admin/x.php', userAgent: 'python-requests/2.31' }), 'scanner', severity, 0.5 + lat / 1000);
    t.geo = { kind: 'public', country, asn, asOrg: `AS ${asn} Org`, lat, lon: 10 };
    return t;
  };
  return [
    mk(10 * MIN, '203.0.113.50', 'blog.example', 'critical', 'DE', 64500, 50),
    mk(3 * HOUR, '203.0.113.50', 'blog.example', 'high', 'DE', 64500, 50),
    mk(26 * HOUR, '203.0.113.50', 'blog.example', 'medium', 'DE', 64500, 50),
    mk(40 * MIN, '203.0.113.51', 'blog.example', 'high', 'DE', 64501, 51),
    mk(50 * MIN, '198.51.100.77', 'shop.example', 'medium', 'FR', 64502, 48),
  ];
}

async function seed(store: Store) {
  const { events, threats } = dataset();
  const more = located();
  await store.writer.write({ events: [...events, ...more.map((t) => t.event)], threats: [...threats, ...more], checkpoints: [] });
}

function backend(name: string, open: () => Promise<Store>) {
  describe(`analytics routes on ${name}`, () => {
    let store: Store;
    let app: ReturnType<typeof createApi>;
    const get = async (url: string) => {
      const res = await app.inject(url);
      return { status: res.statusCode, body: res.json() as Json };
    };

    beforeAll(async () => {
      store = await open();
      await seed(store);
      app = createApi({
        // Access control has its own tests (src/api/auth); these are about the routes.
        access: OPEN_ACCESS_FOR_TESTS,
        store,
        pipeline: new PipelineMetrics(() => NOW),
        readiness: async () => ({ checks: {} }),
        logger: pino({ level: 'silent' }),
        version: 'test',
        clock: () => NOW,
        ruleIds: () => ['sqli-union-select', 'scanner-test'],
      });
      await app.ready();
    }, 120_000);
    afterAll(async () => {
      await app?.close();
      await store?.close();
    });

    it('GET /api/overview: KPIs, levels, top IPs with geo, hourly timeline; per site', async () => {
      const { status, body } = await get('/api/overview?range=24h');
      expect(status).toBe(200);
      // In 24 h: 8 of the data set's 9 requests and its 5 recent threats (the brute force is 3 days old and
      // simulation-only), and 4 of the 5 located ones.
      expect(body.kpis).toEqual({ requests: 12, threats: 9, unique_attacking_ips: 6, critical: 2, high: 3 });
      expect(body.threat_levels).toEqual({ info: 1, low: 0, medium: 3, high: 3, critical: 2 });
      // Three IPs with two threats each: the worse score first.
      expect(body.top_ips.map((t: Json) => t.ip).slice(0, 3)).toEqual(['203.0.113.7', '198.51.100.23', '203.0.113.50']);
      expect(body.top_ips[0]).toMatchObject({ max_score: expect.closeTo(0.97, 5), worst_severity: 'critical', country: null });
      expect(body.top_ips[2]).toMatchObject({ ip: '203.0.113.50', threats: 2, critical: 1, worst_severity: 'critical', country: 'DE', asn: 64500, as_org: 'AS 64500 Org' });
      expect(body.timeline.reduce((n: number, h: Json) => n + h.threats, 0)).toBe(9);
      expect(body.until).toBe(new Date(NOW).toISOString());
      const blog = await get('/api/overview?range=7d&host=blog.example');
      expect(blog.body.kpis).toEqual({ requests: 4, threats: 4, unique_attacking_ips: 2, critical: 1, high: 2 });
      expect(blog.body.host).toBe('blog.example');
    });

    it('GET /api/timeline-detail and /api/heatmap: every hour, every cell', async () => {
      const tl = await get('/api/timeline-detail?since=6h');
      expect(tl.status).toBe(200);
      expect(tl.body.points).toHaveLength(6);
      expect(tl.body.points.at(-1)).toMatchObject({ hour: new Date(NOW - HOUR).toISOString(), critical: 2 });
      const hm = await get('/api/heatmap?range=7d');
      expect(hm.body.cells).toHaveLength(168);
      // NOW is Monday 2025-03-10 12:00 UTC: the last hour's threats fall on Monday 11h.
      expect(hm.body.cells.find((c: Json) => c.dow === 1 && c.hour === 11).threats).toBe(7);
      expect(hm.body.max_threats).toBe(7);
    });

    it('GET /api/detections: filters, total and pages, and a cursor walk equal to the offset pages', async () => {
      const all = await get('/api/detections?range=7d&per_page=100');
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ total: 12, total_exact: true, page: 1, per_page: 100, pages: 1, next_cursor: null });
      const sqli = await get('/api/detections?range=7d&rule=sqli-union-select');
      expect(sqli.body.items).toEqual([expect.objectContaining({ rule_id: 'sqli-union-select', kind: 'rule', ip: '203.0.113.7', severity: 'high' })]);
      expect((await get('/api/detections?range=7d&kind=behaviour')).body.items.map((d: Json) => d.rule_id)).toEqual(['bruteforce-login']);
      expect((await get('/api/detections?range=7d&country=DE&severity=critical')).body.total).toBe(1);
      expect((await get('/api/detections?range=7d&ip=203.0.113.0/24')).body.total).toBe(7);
      expect((await get('/api/detections?range=7d&q=python-requests&host=blog.example')).body.total).toBe(4);
      expect((await get('/api/detections?range=7d&path=a_b')).body.total).toBe(1);
      const walked: string[] = [];
      let url = '/api/detections?range=7d&limit=5';
      for (let i = 0; i < 10; i++) {
        const { body } = await get(url);
        walked.push(...body.items.map((d: Json) => d.id));
        if (!body.next_cursor) break;
        url = `/api/detections?range=7d&limit=5&cursor=${body.next_cursor}`;
      }
      expect(walked).toEqual(all.body.items.map((d: Json) => d.id));
      const p2 = await get('/api/detections?range=7d&per_page=5&page=2');
      expect(p2.body.items.map((d: Json) => d.id)).toEqual(walked.slice(5, 10));
      expect(p2.body).toMatchObject({ page: 2, pages: 3, offset: 5 });
    });

    it('GET /api/traffic: raw requests with filters, newest first, cursor pages', async () => {
      const all = await get('/api/traffic?range=7d&limit=500');
      expect(all.body.total).toBe(14);
      expect(all.body.items[0]).toMatchObject({ path: '/', ip: '192.0.2.10', status: 200 });
      expect((await get('/api/traffic?range=7d&status=4xx')).body.total).toBe(4);
      expect((await get('/api/traffic?range=7d&method=post')).body.items.map((r: Json) => r.path)).toEqual(['/wp-login.php']);
      expect((await get('/api/traffic?range=7d&path=a_b')).body.total).toBe(1);
      expect((await get('/api/traffic?range=7d&user_agent=PYTHON')).body.total).toBe(5);
      expect((await get('/api/traffic?range=7d&host=blog.example&ip=203.0.113.50')).body.total).toBe(3);
      const first = await get('/api/traffic?range=7d&limit=4&order=asc');
      const next = await get(`/api/traffic?range=7d&limit=4&order=asc&cursor=${first.body.next_cursor}`);
      expect([...first.body.items, ...next.body.items].map((r: Json) => r.id)).toEqual([...all.body.items].reverse().slice(0, 8).map((r: Json) => r.id));
      const wrongOrder = await get(`/api/traffic?range=7d&limit=4&cursor=${first.body.next_cursor}`);
      expect(wrongOrder).toMatchObject({ status: 400, body: { error: 'bad_request', message: expect.stringContaining('"cursor" was issued for order=asc') } });
    });

    it('GET /api/ip/:ip and its alias /api/ips/:ip: detections, requests, network, recurrence, verdicts', async () => {
      const post = await app.inject({ method: 'POST', url: '/api/classify', payload: { ip: '203.0.113.50', verdict: 'malicious', comment: 'wp scanner' } });
      expect(post.statusCode).toBe(201);
      expect(post.json()).toMatchObject({ classification: { ip: '203.0.113.50', verdict: 'malicious', analyst: 'anonymous (auth.mode off)', comment: 'wp scanner' }, allowlist: null });
      const { status, body } = await get('/api/ip/203.0.113.50');
      expect(status).toBe(200);
      expect(body.network).toMatchObject({ country: 'DE', asn: 64500, worst_severity: 'critical' });
      expect(body.detections).toHaveLength(3);
      expect(body.recent_requests).toHaveLength(3);
      expect(body.recurrence).toMatchObject({ threat_hours: 3, threat_days: 2 });
      expect(body.verdict).toMatchObject({ verdict: 'malicious', comment: 'wp scanner' });
      const alias = await get('/api/ips/203.0.113.50');
      expect(alias.body).toEqual(body);
    });

    it('POST /api/classify: legitimate says how to allowlist; GET /api/classifications pages and filters', async () => {
      const ok = await app.inject({ method: 'POST', url: '/api/classify', payload: { ip: '2001:DB8::9', verdict: 'legitimate', comment: 'our uptime monitor' } });
      expect(ok.statusCode).toBe(201);
      expect(ok.json().allowlist.config).toBe("detect:\n  allowlist:\n    ips: ['2001:db8::9']\n");
      await app.inject({ method: 'POST', url: '/api/classify', payload: { ip: '198.51.100.77', verdict: 'bot' } });
      const list = await get('/api/classifications?verdict=legitimate,bot&per_page=1');
      expect(list.body).toMatchObject({ total: 2, pages: 2, page: 1 });
      expect(list.body.items[0]).toMatchObject({ ip: '198.51.100.77', verdict: 'bot', comment: '' });
      expect((await get('/api/classifications?ip=2001:db8:0::9')).body.items[0].verdict).toBe('legitimate');
      for (const payload of [{ ip: '1.2.3.4', verdict: 'evil' }, { ip: 'x', verdict: 'bot' }, { ip: '1.2.3.4', verdict: 'bot', extra: 1 }, { ip: '1.2.3.4', verdict: 'bot', comment: 'x'.repeat(2001) }]) {
        const bad = await app.inject({ method: 'POST', url: '/api/classify', payload });
        expect(bad.statusCode).toBe(400);
        expect(bad.json().error).toBe('bad_request');
      }
    });

    it('GET /api/geo, /api/country, /api/threats/global, /api/threats/statistics', async () => {
      const geo = await get('/api/geo?range=7d');
      // The data set's threats have no geo: one row without a country, most threats first.
      expect(geo.body.countries[0]).toMatchObject({ country: null, threats: 5, attacking_ips: 3 });
      expect(geo.body.countries[1]).toMatchObject({ country: 'DE', threats: 4, attacking_ips: 2, worst_severity: 'critical', critical: 1, requests: null });
      expect(geo.body.asns[1]).toMatchObject({ asn: 64500, as_org: 'AS 64500 Org', threats: 3 });
      const de = await get('/api/country?range=7d&country=de');
      expect(de.body.countries).toHaveLength(1);
      expect(de.body.asns.map((a: Json) => a.asn)).toEqual([64500, 64501]);
      expect(de.body.top_ips[0]).toMatchObject({ ip: '203.0.113.50', threats: 3 });
      const map = await get('/api/threats/global?hours=24&min_severity=high');
      expect(map.body.points).toEqual([
        { lat: 50, lon: 10, count: 2, attacking_ips: 1, worst_severity: 'critical' },
        { lat: 51, lon: 10, count: 1, attacking_ips: 1, worst_severity: 'high' },
      ]);
      const stats = await get('/api/threats/statistics?range=24h');
      expect(stats.body).toMatchObject({ total_threats: 9, unique_attacking_ips: 6, by_category: { scanner: 4, sqli: 1 } });
      expect(stats.body.top_rules[0]).toEqual({ rule_id: 'scanner-test', detections: 4 });
      const site = await get('/api/threats/statistics?range=7d&host=blog.example');
      expect(site.body.by_category).toEqual({ scanner: 4 });
    });

    it('GET /api/alerts: latest high and critical first', async () => {
      const { body } = await get('/api/alerts?range=7d');
      expect(body.items.map((t: Json) => t.severity)).toEqual(['high', 'critical', 'critical', 'high', 'high']);
      expect((await get('/api/alerts?range=7d&min_severity=critical')).body.items).toHaveLength(2);
      const blog = await get('/api/alerts?range=7d&host=blog.example');
      expect(blog.body.items.map((t: Json) => [t.host, t.severity])).toEqual([
        ['blog.example', 'critical'],
        ['blog.example', 'high'],
        ['blog.example', 'high'],
      ]);
    });

    it('GET /api/models and /api/models/status: packs with versions, scenarios, activity', async () => {
      const { body } = await get('/api/models');
      expect(body.mode).toBe('rules and behaviour only');
      expect(body.learned_models).toEqual([]);
      const sqli = body.detectors.find((d: Json) => d.kind === 'rule_pack' && d.name === 'sqli');
      expect(sqli).toMatchObject({ loaded: true, scored_last_hour: 1, scored_last_day: 1 });
      expect(sqli.version).toMatch(/^[0-9a-f]{12}$/);
      expect(body.detectors.filter((d: Json) => d.kind === 'behaviour').length).toBeGreaterThan(3);
      const status = await get('/api/models/status');
      expect(status.body).toMatchObject({ learned_models: 0, scored_last_day: 10, behaviour_scenarios: expect.any(Number) });
    });

    it('answers aggregates from the cache until new threats land', async () => {
      const before = app.analyticsCache.stats();
      const a = await get('/api/overview?range=24h');
      const b = await get('/api/overview?range=24h');
      expect(b.body).toEqual(a.body);
      const mid = app.analyticsCache.stats();
      expect(mid.hits).toBeGreaterThan(before.hits);
      const t = threat(event({ ago: 2 * MIN, ip: '192.0.2.200' }), 'xss', 'critical', 0.99);
      await store.writer.write({ events: [t.event], threats: [t], checkpoints: [] });
      // The generation is re-read at most once a second.
      await new Promise((r) => setTimeout(r, 1100));
      const c = await get('/api/overview?range=24h');
      expect(c.body.kpis.critical).toBe(a.body.kpis.critical + 1);
    });

    it('shows requests without threats in the next answer once the generation has rested a second', async () => {
      const a = await get('/api/stats?range=24h');
      expect((await get('/api/stats?range=24h')).body).toEqual(a.body);
      // The last move is pushed back instead of waiting a second: the request batch then moves the generation.
      await store.sql.query(`UPDATE analytics_generation SET moved_at = moved_at - interval '5 seconds'`);
      await store.writer.write({ events: [event({ ago: 3 * MIN, ip: '192.0.2.201' })], threats: [], checkpoints: [] });
      // The generation is re-read at most once a second.
      await new Promise((r) => setTimeout(r, 1100));
      const b = await get('/api/stats?range=24h');
      expect(b.body.total_requests).toBe(a.body.total_requests + 1);
      expect(b.body.threats_detected).toBe(a.body.threats_detected);
    });

    it.each([
      ['/api/overview?range=forever', 'query parameter "range"'],
      ['/api/overview?range=7d&since=1h', 'query parameter "range" and since/until are exclusive'],
      ['/api/overview?top=0', 'query parameter "top" must be an integer from 1 to 100'],
      ['/api/overview?q=x', 'unknown query parameter "q"'],
      ['/api/overview?host=a%20b', 'query parameter "host" is not a host name'],
      ['/api/detections?sort=ip;drop%20table%20threats', 'query parameter "sort" must be one of: time, score'],
      ['/api/detections?sort=score&cursor=djF8ZGVzY3wxfGE', 'query parameter "cursor" pages only sort=time lists'],
      ['/api/detections?cursor=%27%20or%201=1', 'query parameter "cursor" is not a cursor from this API'],
      ['/api/detections?limit=5&per_page=5', 'query parameter "per_page" and "limit" are the same'],
      ['/api/detections?page=1&offset=0', 'query parameter "offset" and "page" are exclusive'],
      ['/api/detections?ja4=t13d1516h2_8daaf6152771_02713d6af862', 'query parameter "ja4" is not supported here'],
      ['/api/detections?rule=a%27--', 'query parameter "rule" must be one to 50 rule ids'],
      ['/api/detections?severity=urgent', 'query parameter "severity" has unknown value "urgent"'],
      ['/api/detections?ip=10.0.0.0/99', 'query parameter "ip" is not an IP address or CIDR network'],
      ['/api/traffic?country=DE', 'unknown query parameter "country"'],
      ['/api/traffic?sort=status', 'query parameter "sort" must be one of: time'],
      ['/api/traffic?status=700', 'query parameter "status" has "700"'],
      ['/api/traffic?limit=1e3', 'query parameter "limit" must be an integer from 1 to 500'],
      ['/api/traffic?since=2020-01-01', 'query parameter "since" makes a window longer than 400 days'],
      ['/api/geo?asn=ASX', 'query parameter "asn" has "ASX"'],
      ['/api/threats/global?min_severity=urgent', 'query parameter "min_severity" must be one of'],
      ['/api/threats/global?hours=0', 'query parameter "hours" must be an integer from 1 to 2160'],
      ['/api/alerts?min_severity=low', 'query parameter "min_severity" must be one of: high, critical'],
      ['/api/classifications?verdict=evil', 'query parameter "verdict" has unknown value "evil"'],
      ['/api/classifications?cursor=abc', 'query parameter "cursor"'],
    ])('%s is a 400 naming the parameter', async (url, message) => {
      const { status, body } = await get(url);
      expect(status).toBe(400);
      expect(body.error).toBe('bad_request');
      expect(body.message).toContain(message);
    });

    it('unknown IPs have an empty profile, bad ones no route', async () => {
      expect((await get('/api/ip/192.0.2.251')).body).toMatchObject({ threats: 0, detections: [], recent_requests: [], verdict: null, network: null });
      expect((await get('/api/ip/not-an-ip')).status).toBe(404);
    });
  });
}

backend('PGlite', () => openStore({ databaseUrl: 'memory://' }));

const pgUrl = await probePostgres('analytics routes');
const schemas: TestSchema[] = [];
afterAll(async () => {
  for (const s of schemas) await s.drop();
});
if (pgUrl) {
  backend('PostgreSQL', async () => {
    const schema = await createTestSchema(pgUrl, 'rampart_soc');
    schemas.push(schema);
    return openStore({ databaseUrl: schema.url, schema: schema.schema });
  });
}
void DAY;
