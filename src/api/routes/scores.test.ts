import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWindow } from '../../store/testing/fixtures.js';
import { DAY, HOUR, MIN, NOW, openTestApi, type TestApi } from '../testing/fixtures.js';

let t: TestApi;

interface WindowJson {
  ip: string;
  threat_level: string;
  hits: number;
  scenarios: string[];
}
interface Body {
  items: WindowJson[];
  windows: WindowJson[];
  error: string;
  message: string;
  [key: string]: unknown;
}

// 203.0.113.7 has two threats in the shared data set (5 and 30 minutes ago); these are its and others' windows.
const windows = [
  makeWindow('203.0.113.7', NOW - 31 * MIN, { hits: 30, threatLevel: 'MEDIUM', scenarios: ['http-probing'] }),
  makeWindow('203.0.113.7', NOW - 6 * MIN, { hits: 12, threatLevel: 'HIGH', velocity: 0.5 }),
  makeWindow('198.51.100.23', NOW - 2 * HOUR, { hits: 4, threatLevel: 'LEGITIMATE_BROWSER' }),
  makeWindow('2001:db8::5', NOW - 3 * DAY, { hits: 50, threatLevel: 'CRITICAL', scenarios: ['bruteforce', 'recurrence'] }),
  makeWindow('192.0.2.44', NOW - 10 * MIN, { hits: 9, threatLevel: 'KNOWN_BOT', knownBot: 'Googlebot', meanHeaderCount: 7.5 }),
];

beforeAll(async () => {
  t = await openTestApi();
  await t.store.writer.write({ events: [], threats: [], checkpoints: [], windows });
});
afterAll(async () => {
  await t?.close();
});

async function get(url: string) {
  const res = await t.app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json() as Body };
}

describe('GET /api/scores', () => {
  it('lists the last 24 hours of windows, newest first, with snake_case features', async () => {
    const { status, body } = await get('/api/scores');
    expect(status).toBe(200);
    expect(body).toMatchObject({ total: 4, limit: 50, offset: 0, until: new Date(NOW).toISOString() });
    expect(body.items.map((w) => `${w.ip} ${w.threat_level}`)).toEqual([
      '203.0.113.7 HIGH',
      '192.0.2.44 KNOWN_BOT',
      '203.0.113.7 MEDIUM',
      '198.51.100.23 LEGITIMATE_BROWSER',
    ]);
    expect(body.items[1]).toEqual({
      ip: '192.0.2.44',
      window_start: new Date(NOW - 10 * MIN).toISOString(),
      window_end: new Date(NOW - 9 * MIN).toISOString(),
      hits: 9,
      velocity: 0.125,
      ratio_4xx: 0.5,
      ratio_404: 0.25,
      ratio_post: 0,
      ratio_static: 0.75,
      ratio_direct: 1,
      path_diversity: 0.5,
      distinct_paths: 5,
      temporal_entropy: 0.375,
      distinct_user_agents: 1,
      distinct_ja4s: 0,
      mean_header_count: 7.5,
      known_bot: 'Googlebot',
      scenarios: [],
      threat_level: 'KNOWN_BOT',
    });
  });

  it('filters by threat level (case-insensitive list) and period, sorts by a whitelisted key, pages', async () => {
    const levels = await get('/api/scores?threat_level=high,Critical&since=7d');
    expect(levels.body.items.map((w) => w.threat_level)).toEqual(['HIGH', 'CRITICAL']);
    const bySeverity = await get('/api/scores?since=7d&sort=threat_level&order=desc&limit=2&offset=1');
    expect(bySeverity.body).toMatchObject({ total: 5, limit: 2, offset: 1 });
    expect(bySeverity.body.items.map((w) => w.threat_level)).toEqual(['HIGH', 'MEDIUM']);
    const byHits = await get('/api/scores?sort=hits&order=asc');
    expect(byHits.body.items.map((w) => w.hits)).toEqual([4, 9, 12, 30]);
    const window = await get(`/api/scores?since=${NOW - 40 * MIN}&until=${new Date(NOW - 7 * MIN).toISOString()}`);
    expect(window.body.items.map((w) => w.hits)).toEqual([9, 30]);
  });

  it.each([
    ['?sort=hits;drop', 'sort'],
    ['?order=sideways', 'order'],
    ['?threat_level=EVIL', 'threat_level'],
    ['?threat_level=,', 'threat_level'],
    ['?limit=501', 'limit'],
    ['?offset=-1', 'offset'],
    ['?since=yesterday', 'since'],
    ['?since=1h&until=2h', 'since'],
    ['?severity=high', 'severity'],
    ['?since=999999w', 'since'],
    ['?until=999999999999999', 'until'],
    ['?limit=Infinity', 'limit'],
    ['?offset=1e309', 'offset'],
    ['?sort=time&sort=ip', 'sort'],
  ])('rejects %s with a 400 naming %s', async (query, name) => {
    const { status, body } = await get(`/api/scores${query}`);
    expect(status).toBe(400);
    expect(body.error).toBe('bad_request');
    expect(body.message).toContain(`"${name}"`);
  });
});

describe('GET /api/ips/:ip', () => {
  it('profiles an IP: windows latest first, threats by category and severity, first and last seen', async () => {
    const { status, body } = await get('/api/ips/203.0.113.7');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      ip: '203.0.113.7',
      since: new Date(NOW - 7 * DAY).toISOString(),
      until: new Date(NOW).toISOString(),
      first_seen: new Date(NOW - 31 * MIN).toISOString(),
      last_seen: new Date(NOW - 5 * MIN).toISOString(),
      latest_threat_level: 'HIGH',
      threats: 2,
      threats_by_category: { sqli: 1, path_traversal: 1 },
      threats_by_severity: { info: 0, low: 0, medium: 0, high: 1, critical: 1 },
      windows_by_threat_level: { MEDIUM: 1, HIGH: 1 },
    });
    expect(body.windows.map((w) => w.hits)).toEqual([12, 30]);
    expect(body.windows[1]!.scenarios).toEqual(['http-probing']);
  });

  it('folds the address as stored, honours since/until and limit, and answers an unknown IP with an empty profile', async () => {
    const v6 = await get('/api/ips/2001:DB8:0:0::5?since=4d&limit=1');
    expect(v6.body).toMatchObject({ ip: '2001:db8::5', latest_threat_level: 'CRITICAL', threats: 1 });
    expect(v6.body.windows).toHaveLength(1);
    const mapped = await get('/api/ips/::ffff:203.0.113.7?since=20m&limit=0');
    expect(mapped.body).toMatchObject({ ip: '203.0.113.7', threats: 1, windows: [], windows_by_threat_level: { HIGH: 1 } });
    const none = await get('/api/ips/192.0.2.250');
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ first_seen: null, last_seen: null, latest_threat_level: null, threats: 0, windows: [] });
  });

  it.each([
    ['/api/ips/10.0.0.256', 'no route for GET /api/ips/10.0.0.256: path parameter "ip" is not an IPv4 or IPv6 address'],
    ['/api/ips/localhost', 'no route for GET /api/ips/localhost: path parameter "ip" is not an IPv4 or IPv6 address'],
    [`/api/ips/${'1'.repeat(65)}`, `no route for GET /api/ips/${'1'.repeat(65)}: path parameter "ip" must be at most 64 characters`],
    ["/api/ips/1.2.3.4'%20or%201=1", `no route for GET /api/ips/1.2.3.4' or 1=1: path parameter "ip" is not an IPv4 or IPv6 address`],
  ])('answers %s, a route that does not exist, with a 404 naming it', async (url, message) => {
    const { status, body } = await get(url);
    expect(status).toBe(404);
    expect(body).toEqual({ error: 'not_found', message });
  });

  it.each([
    ['/api/ips/10.0.0.1?limit=501', '"limit"'],
    ['/api/ips/10.0.0.1?since=999999w', '"since" is out of range'],
    ['/api/ips/10.0.0.1?until=999999w', '"until" is out of range'],
    ['/api/ips/10.0.0.1?since=soon', '"since"'],
    ['/api/ips/10.0.0.1?window=1', '"window"'],
  ])('rejects %s with a 400 naming %s', async (url, named) => {
    const { status, body } = await get(url);
    expect(status).toBe(400);
    expect(body.error).toBe('bad_request');
    expect(body.message).toContain(named);
  });
});
