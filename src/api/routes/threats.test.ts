import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR, MIN, NOW, openTestApi, type TestApi } from '../testing/fixtures.js';

let t: TestApi;

beforeAll(async () => {
  t = await openTestApi();
});
afterAll(async () => {
  await t?.close();
});

async function list(query: string) {
  const res = await t.app.inject({ method: 'GET', url: `/api/threats${query}` });
  return {
    status: res.statusCode,
    body: res.json() as Record<string, unknown> & { items: Item[]; total: number },
  };
}

interface Item {
  id: string;
  time: string;
  ip: string;
  path: string;
  severity: string;
  category: string;
  score: number;
  detections: Record<string, unknown>[];
}

describe('GET /api/threats', () => {
  it('lists every threat newest first with snake_case items', async () => {
    const { status, body } = await list('');
    expect(status).toBe(200);
    expect(body.total).toBe(6);
    expect(body.limit).toBe(50);
    expect(body.offset).toBe(0);
    const times = body.items.map((i) => Date.parse(i.time));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const sqli = body.items[0]!;
    expect(sqli).toMatchObject({
      time: new Date(NOW - 5 * MIN).toISOString(),
      ip: '203.0.113.7',
      method: 'GET',
      path: '/products.php',
      query: "id=1'+UNION+SELECT+password+FROM+users--",
      status: 200,
      user_agent: 'Mozilla/5.0',
      referer: null,
      severity: 'high',
      severity_score: 8,
      category: 'sqli',
      score: 0.92,
    });
    expect(sqli.detections).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule_id: 'sqli-union-select',
          field: 'query',
          fragment: 'UNION SELECT',
          transforms: ['urlDecode'],
          simulated: false,
        }),
        expect.objectContaining({ rule_id: 'sqli-comment', severity: 'medium', detail: 'trailing comment' }),
      ]),
    );
    expect(Object.keys(sqli)).not.toContain('userAgent');
  });

  it('paginates with limit and offset, or limit and page, keeping the total', async () => {
    const all = (await list('?sort=time&order=desc')).body.items.map((i) => i.id);
    const first = await list('?limit=2');
    expect(first.body).toMatchObject({ total: 6, limit: 2, offset: 0 });
    expect(first.body.items.map((i) => i.id)).toEqual(all.slice(0, 2));
    const byOffset = await list('?limit=2&offset=2');
    expect(byOffset.body.items.map((i) => i.id)).toEqual(all.slice(2, 4));
    const byPage = await list('?limit=2&page=3');
    expect(byPage.body).toMatchObject({ total: 6, limit: 2, offset: 4 });
    expect(byPage.body.items.map((i) => i.id)).toEqual(all.slice(4, 6));
    const past = await list('?limit=2&offset=50');
    expect(past.body).toMatchObject({ total: 6, items: [] });
  });

  it('filters by one severity or a comma list', async () => {
    const high = await list('?severity=high');
    expect(high.body.total).toBe(1);
    expect(high.body.items[0]!.category).toBe('sqli');
    const several = await list('?severity=critical,HIGH');
    expect(several.body.total).toBe(2);
    expect(new Set(several.body.items.map((i) => i.severity))).toEqual(new Set(['critical', 'high']));
    const repeated = await list('?severity=critical&severity=HIGH');
    expect(repeated.status).toBe(200);
    expect(repeated.body.items.map((i) => i.id)).toEqual(several.body.items.map((i) => i.id));
  });

  it('filters by category and by ip (normalised)', async () => {
    const files = await list('?category=sensitive_file');
    expect(files.body.total).toBe(2);
    const byIp = await list('?ip=203.0.113.7');
    expect(byIp.body.items.map((i) => i.category).sort()).toEqual(['path_traversal', 'sqli']);
    const v6 = await list('?ip=2001:DB8:0:0:0:0:0:5');
    expect(v6.body.items.map((i) => i.category)).toEqual(['bruteforce']);
    const mapped = await list(`?ip=${encodeURIComponent('::ffff:203.0.113.7')}`);
    expect(mapped.body.total).toBe(2);
  });

  it('matches path substrings literally: % and _ are not wildcards', async () => {
    const percent = await list('?path=%25');
    expect(percent.body.items.map((i) => i.path).sort()).toEqual([
      '/search%3Cscript%3E',
      '/static/..%2F..%2Fetc/passwd',
    ]);
    const encoded = await list(`?path=${encodeURIComponent('%3Cscript')}`);
    expect(encoded.body.items.map((i) => i.category)).toEqual(['xss']);
    const underscore = await list('?path=a_b');
    expect(underscore.body.items.map((i) => i.path)).toEqual(['/a_b/.env']);
  });

  it('filters by relative, ISO and epoch-ms since/until', async () => {
    expect((await list('?since=15m')).body.total).toBe(2); // 5 and 10 minutes ago
    expect((await list('?since=1h&until=15m')).body.total).toBe(2); // 20 and 30 minutes ago
    expect((await list('?since=24h')).body.total).toBe(5);
    const iso = new Date(NOW - 3 * HOUR).toISOString();
    expect((await list(`?since=${iso}`)).body.total).toBe(5);
    expect((await list(`?until=${encodeURIComponent(iso)}`)).body.total).toBe(1);
    expect((await list(`?since=${NOW - 25 * MIN}`)).body.total).toBe(3);
    expect((await list('?since=2025-03-10')).body.total).toBe(5);
  });

  it('sorts by a whitelisted column in either order', async () => {
    const asc = await list('?sort=score&order=asc');
    const scores = asc.body.items.map((i) => i.score);
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
    const desc = await list('?sort=score&order=desc');
    expect(desc.body.items[0]!.score).toBe(0.97);
  });

  it.each([
    ['sort=time;drop table threats', 'sort', /must be one of: time, score, severity, ip, status/],
    ['sort=path', 'sort', /must be one of: time, score, severity, ip, status/],
    ['order=sideways', 'order', /must be one of: asc, desc/],
    ['severity=urgent', 'severity', /unknown value "urgent"; valid: info, low, medium, high, critical/],
    ['severity=high,nope', 'severity', /valid: info, low, medium, high, critical/],
    ['category=sqlinjection', 'category', /valid: sqli, xss, path_traversal/],
    ['ip=999.1.1.1', 'ip', /is not an IPv4 or IPv6 address/],
    ["ip=1.2.3.4'--", 'ip', /is not an IPv4 or IPv6 address/],
    ['limit=0', 'limit', /must be an integer from 1 to 500 \(got "0"\)/],
    ['limit=501', 'limit', /must be an integer from 1 to 500/],
    ['limit=ten', 'limit', /must be an integer from 1 to 500/],
    ['limit=Infinity', 'limit', /must be an integer from 1 to 500/],
    ['limit=1e309', 'limit', /must be an integer from 1 to 500/],
    ['offset=-1', 'offset', /must be an integer from 0 to 100000/],
    ['offset=Infinity', 'offset', /must be an integer from 0 to 100000/],
    ['page=0', 'page', /must be an integer from 1 to 100000/],
    ['page=2002&limit=50', 'page', /reaches past offset 100000/],
    ['limit=1&limit=2', 'limit', /is given more than once/],
    ['since=999999w', 'since', /out of range: times are from 1970-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z/],
    ['until=999999w', 'until', /out of range/],
    ['until=99999-01-01', 'until', /is not a time/],
    ['path=a%00b', 'path', /must not contain NUL/],
    ['offset=2&page=2', 'offset', /exclusive/],
    ['since=yesterday', 'since', /is not a time/],
    ['since=1h&until=2h', 'since', /after "until"/],
    [`path=${'a'.repeat(513)}`, 'path', /must be at most 512 characters/],
    ['severty=high', 'severty', /unknown query parameter "severty"; valid: limit, offset, page, since, until/],
    ['__proto__=1', '__proto__', /unknown query parameter "__proto__"/],
    ['constructor=x', 'constructor', /unknown query parameter "constructor"/],
  ])('rejects %s with 400 naming %s', async (query, param, message) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/threats?${query.replace(/ /g, '%20')}` });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['error', 'message']);
    expect(body.error).toBe('bad_request');
    expect(body.message).toContain(`"${param}"`);
    expect(body.message).toMatch(message);
  });
});

describe('GET /api/threats/:id', () => {
  it('returns one threat with its detections', async () => {
    const first = (await list('?category=bruteforce')).body.items[0]!;
    const res = await t.app.inject({ method: 'GET', url: `/api/threats/${encodeURIComponent(first.id)}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: first.id,
      ip: '2001:db8::5',
      method: 'POST',
      category: 'bruteforce',
      detections: [
        expect.objectContaining({ rule_id: 'bruteforce-login', field: 'behaviour', simulated: true }),
      ],
    });
  });

  it('gives a JSON 404 for an unknown id', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/threats/0123456789abcdef' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json()).toEqual({ error: 'not_found', message: 'no threat with id "0123456789abcdef"' });
  });

  it.each([
    ['latest', 'latest'],
    ['x'.repeat(129), 'x'.repeat(80) + '…'],
    ['a%20b', 'a b'],
    ["1'%20or%20'1'='1", "1' or '1'='1"],
    ['%3Cscript%3E', '<script>'],
    ['0123456789ABCDEF', '0123456789ABCDEF'],
  ])('answers the route that does not exist, /api/threats/%s, with 404 naming it', async (id, shown) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/threats/${id}` });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: 'not_found',
      message: `no route for GET /api/threats/${shown}: path parameter "id" is not a threat id (16 hex characters)`,
    });
  });
});
