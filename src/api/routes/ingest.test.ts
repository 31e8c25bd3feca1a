import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../config/index.js';
import type { SensorIngest } from '../../ingest/index.js';
import { StoreError } from '../../store/index.js';
import { buildDetection, detectWithVerdicts, sensorIngest } from '../../pipeline/index.js';
import { NOW, openTestApi, type TestApi } from '../testing/fixtures.js';
import { ingestApi } from './ingest.js';
import { BULK_BODY_LIMIT, SINGLE_BODY_LIMIT } from './ingest-schema.js';

let t: TestApi;

beforeAll(async () => {
  let ingest: SensorIngest | null = null;
  t = await openTestApi({ extraRoutes: [ingestApi({ submit: (events) => ingest!.submit(events) })] }, false);
  const { engine } = buildDetection(validateConfig({}), undefined, { site: false });
  ingest = sensorIngest(async (batch, verdicts) => detectWithVerdicts(batch, verdicts, { evaluator: engine, metrics: t.metrics }), {
    sink: t.store.writer,
    metrics: t.metrics,
  }, () => NOW);
});
afterAll(async () => {
  await t?.close();
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function post(url: string, body: unknown, contentType = 'application/json') {
  const res = await t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': contentType },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.statusCode, body: res.json() as Json };
}

const single = (body: unknown) => post('/api/threats/ingest', body);
const bulk = (body: unknown) => post('/api/threats/bulk-ingest', body);
/** A minute ago: /api/stats?range=1h counts whole minutes before the test clock's NOW. */
const AGO = new Date(NOW - 60_000).toISOString();

async function count(table: string, where = ''): Promise<number> {
  const { rows } = await t.store.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} ${where}`);
  return rows[0]!.n;
}

async function stats(): Promise<Json> {
  return (await t.app.inject({ method: 'GET', url: '/api/stats?range=1h' })).json() as Json;
}

describe('POST /api/threats/ingest', () => {
  it('stores a sensor event with its verdict and our rules, visible in /api/threats and /api/stats at once', async () => {
    const before = await stats();
    const { status, body } = await single({
      source_ip: '::ffff:198.51.100.7',
      destination_ip: '10.0.0.5',
      threat_type: 'SQL Injection',
      severity: 9,
      confidence: 0.95,
      description: 'WAF rule 942100',
      timestamp: new Date(NOW - 60_000).toISOString(),
      host: 'Shop.Example',
      path: "/item.php?id=1' UNION SELECT password FROM users--",
      method: 'get',
      user_agent: 'sqlmap/1.7',
      tags: ['waf', 'prod'],
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ flagged: true, severity: 'critical', category: 'sqli' });
    expect(body.id).toMatch(/^[0-9a-f]{16}$/);
    expect(body.score).toBeGreaterThan(0.9);

    const threat = (await t.app.inject({ method: 'GET', url: `/api/threats/${body.id}` })).json() as Json;
    expect(threat).toMatchObject({ ip: '198.51.100.7', host: 'shop.example', method: 'GET', path: '/item.php', severity: 'critical' });
    const rules = (threat.detections as Json[]).map((d) => d.rule_id as string);
    expect(rules[0]).toBe('api/sql_injection');
    expect(threat.detections[0]).toMatchObject({ category: 'sqli', severity: 'critical', confidence: 0.95, field: 'sensor', detail: 'WAF rule 942100' });
    // Our own rules ran on the path and the User-Agent too.
    expect(rules.length).toBeGreaterThan(1);
    expect(rules.some((r) => r.startsWith('sqli'))).toBe(true);

    const after = await stats();
    expect(after.total_requests).toBe(before.total_requests + 1);
    expect(after.threats_detected).toBe(before.threats_detected + 1);
    const { rows } = await t.store.sql.query<{ origin: string }>('SELECT origin FROM requests WHERE id = $1', [body.id]);
    expect(rows).toEqual([{ origin: 'api' }]);
    expect(await t.store.apiEvents.get(body.id as string)).toMatchObject({ destinationIp: '10.0.0.5', tags: ['waf', 'prod'], eventId: null });
    expect(t.metrics.snapshot().sources['ingest-api']).toMatchObject({ stored: 1, detected: 1, threats: 1 });
  });

  it('stores an event without a verdict as a request, flagged only when our rules flag it', async () => {
    const plain = await single({ source_ip: '192.0.2.44', path: '/index.html' });
    expect(plain.status).toBe(200);
    expect(plain.body).toEqual({ id: expect.stringMatching(/^[0-9a-f]{16}$/), flagged: false, score: 0, severity: null, category: null });
    const ours = await single({ source_ip: '192.0.2.44', path: '/../../etc/passwd' });
    expect(ours.body).toMatchObject({ flagged: true });
  });

  it('maps severities 1-10 and names onto the five levels, and threat types onto categories', async () => {
    const cases: [unknown, string, string][] = [
      [1, 'brute_force', 'info'],
      [3, 'brute_force', 'low'],
      [6, 'port-scan', 'medium'],
      [7, 'xss', 'high'],
      [10, 'xss', 'critical'],
      ['HIGH', 'something new', 'high'],
    ];
    const categories: string[] = [];
    for (const [severity, threat_type, expected] of cases) {
      const { body } = await single({ source_ip: '203.0.113.9', severity, threat_type });
      expect(body.severity, `severity ${String(severity)}`).toBe(expected);
      categories.push(body.category as string);
    }
    expect(categories).toEqual(['bruteforce', 'bruteforce', 'scanner', 'xss', 'xss', 'anomaly']);
  });

  it('stores a retried event_id once and answers the same id', async () => {
    const event = { source_ip: '203.0.113.50', threat_type: 'xss', severity: 'high', event_id: 'sensor-1:abc', timestamp: AGO };
    const first = await single(event);
    const before = await stats();
    const second = await single(event);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(await count('requests', `WHERE id = '${first.body.id as string}'`)).toBe(1);
    expect(await count('threats', `WHERE id = '${first.body.id as string}'`)).toBe(1);
    const after = await stats();
    expect(after.total_requests).toBe(before.total_requests);
    expect(after.threats_detected).toBe(before.threats_detected);
  });

  const bad: [string, Json, string][] = [
    ['a missing source_ip', { threat_type: 'xss' }, 'source_ip'],
    ['a wrong type', { source_ip: 42 }, 'source_ip'],
    ['SQL text as an address', { source_ip: "1' OR '1'='1" }, 'source_ip'],
    ['SQL text as a method', { source_ip: '192.0.2.1', method: "GET'; DROP TABLE threats;--" }, 'method'],
    ['severity out of range', { source_ip: '192.0.2.1', severity: 11 }, 'severity'],
    ['severity a fraction', { source_ip: '192.0.2.1', severity: 2.5 }, 'severity'],
    ['an unknown severity name', { source_ip: '192.0.2.1', severity: 'urgent' }, 'severity'],
    ['confidence out of range', { source_ip: '192.0.2.1', confidence: 1.5 }, 'confidence'],
    ['confidence as text', { source_ip: '192.0.2.1', confidence: 'high' }, 'confidence'],
    ['a malformed timestamp', { source_ip: '192.0.2.1', timestamp: 'yesterday' }, 'timestamp'],
    ['a timestamp in 1970', { source_ip: '192.0.2.1', timestamp: 0 }, 'timestamp'],
    ['a timestamp next week', { source_ip: '192.0.2.1', timestamp: NOW + 7 * 86_400_000 }, 'timestamp'],
    ['a NUL in the description', { source_ip: '192.0.2.1', description: 'a\u0000b' }, 'description'],
    ['an oversized user agent', { source_ip: '192.0.2.1', user_agent: 'x'.repeat(5000) }, 'user_agent'],
    ['too many tags', { source_ip: '192.0.2.1', tags: Array.from({ length: 40 }, (_, i) => `t${i}`) }, 'tags'],
    ['a tag of the wrong type', { source_ip: '192.0.2.1', tags: [1] }, 'tags'],
    ['an event_id with spaces', { source_ip: '192.0.2.1', event_id: 'a b' }, 'event_id'],
    ['a destination that is not an address', { source_ip: '192.0.2.1', destination_ip: 'localhost' }, 'destination_ip'],
    ['a threat type of punctuation', { source_ip: '192.0.2.1', threat_type: '---' }, 'threat_type'],
  ];
  it.each(bad)('answers 400 naming the field for %s', async (_what, body, field) => {
    const res = await single(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('bad_request');
    expect(res.body.message).toMatch(new RegExp(`"${field}(\\[\\d+\\])?"`));
  });

  it('refuses unknown fields, naming every one', async () => {
    const res = await single({ source_ip: '192.0.2.1', src: 'x', score: 1 });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/unknown body fields "src", "score"; valid: source_ip, /);
  });

  it('answers 413 naming the limit for a body over 64 KiB, 415 for another content type, 400 for broken JSON', async () => {
    const big = await single({ source_ip: '192.0.2.1', description: 'x'.repeat(SINGLE_BODY_LIMIT) });
    expect(big.status).toBe(413);
    expect(big.body).toEqual({ error: 'payload_too_large', message: `request body is larger than this route's limit of ${SINGLE_BODY_LIMIT} bytes` });
    const text = await post('/api/threats/ingest', '<source_ip/>', 'application/xml');
    expect(text.status).toBe(415);
    const broken = await post('/api/threats/ingest', '{"source_ip": ');
    expect(broken.status).toBe(400);
    const array = await single([{ source_ip: '192.0.2.1' }]);
    expect(array.status).toBe(400);
  });
});

describe('POST /api/threats/bulk-ingest', () => {
  it('stores the good items and names index, field and problem of each bad one', async () => {
    const before = await stats();
    const { status, body } = await bulk([
      { source_ip: '198.51.100.1', threat_type: 'scan', severity: 4, timestamp: AGO },
      { source_ip: 'not-an-ip' },
      { source_ip: '198.51.100.2', severity: 99 },
      { source_ip: '198.51.100.3', extra: true },
      'a string',
      { source_ip: '198.51.100.4', path: '/ok', timestamp: AGO },
    ]);
    expect(status).toBe(200);
    expect(body.accepted).toBe(2);
    expect(body.rejected).toBe(4);
    expect(body.results.map((r: Json) => r.index)).toEqual([0, 5]);
    expect(body.errors).toEqual([
      { index: 1, field: 'source_ip', problem: 'is not an IPv4 or IPv6 address' },
      { index: 2, field: 'severity', problem: 'must be an integer from 1 to 10 or one of: info, low, medium, high, critical' },
      { index: 3, field: 'extra', problem: expect.stringMatching(/^is an unknown field; valid: source_ip, /) },
      { index: 4, field: '(item)', problem: 'must be an object' },
    ]);
    expect((await stats()).total_requests).toBe(before.total_requests + 2);
  });

  it('stores an event_id given twice in one bulk, and again in a later bulk, once', async () => {
    const item = { source_ip: '198.51.100.60', threat_type: 'rce', severity: 8, event_id: 'dup-1', timestamp: AGO };
    const first = await bulk([item, { ...item, severity: 2 }, { source_ip: '198.51.100.61', event_id: 'dup-2' }]);
    expect(first.body.accepted).toBe(3);
    const [a, b, c] = first.body.results as Json[];
    expect(b!.id).toBe(a!.id);
    expect(c!.id).not.toBe(a!.id);
    const before = await stats();
    const again = await bulk([item]);
    expect(again.body.results[0].id).toBe(a!.id);
    expect(await count('requests', `WHERE id = '${a!.id as string}'`)).toBe(1);
    expect((await stats()).total_requests).toBe(before.total_requests);
  });

  it('reads NDJSON, refusing a line that is not JSON', async () => {
    const ndjson = [
      JSON.stringify({ source_ip: '192.0.2.71', threat_type: 'xss' }),
      '{"source_ip": ',
      '',
      JSON.stringify({ source_ip: '192.0.2.72' }),
    ].join('\n');
    const { status, body } = await post('/api/threats/bulk-ingest', ndjson, 'application/x-ndjson');
    expect(status).toBe(200);
    expect(body.accepted).toBe(2);
    expect(body.errors).toEqual([{ index: 1, field: '(item)', problem: expect.stringMatching(/^is not JSON/) }]);
  });

  it('answers 400 with every error when no item is good, and for an empty or oversized bulk', async () => {
    const none = await bulk([{ source_ip: 'x' }, { nope: 1 }]);
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ error: 'bad_request', accepted: 0, rejected: 2 });
    expect(none.body.message).toBe('no event accepted: item 0: field "source_ip" is not an IPv4 or IPv6 address');
    expect((await bulk([])).status).toBe(400);
    const tooMany = await bulk(Array.from({ length: 10_001 }, () => ({ source_ip: '192.0.2.1' })));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toContain('at most 10000 items');
    const notArray = await bulk({ source_ip: '192.0.2.1' });
    expect(notArray.status).toBe(400);
  });

  it('answers 413 naming the 16 MiB limit', async () => {
    const res = await post('/api/threats/bulk-ingest', `[${' '.repeat(BULK_BODY_LIMIT)}]`);
    expect(res.status).toBe(413);
    expect(res.body.message).toContain(String(BULK_BODY_LIMIT));
  });

  it('stores 10,000 events in one request', async () => {
    const before = await stats();
    const items = Array.from({ length: 10_000 }, (_, i) => ({
      source_ip: `10.${(i >> 8) & 255}.${i & 255}.1`,
      threat_type: i % 2 === 0 ? 'scan' : 'bruteforce',
      severity: 1 + (i % 10),
      path: `/p/${i}`,
      event_id: `big-${i}`,
      timestamp: AGO,
    }));
    const { status, body } = await bulk(items);
    expect(status).toBe(200);
    expect(body.accepted).toBe(10_000);
    expect(body.rejected).toBe(0);
    const after = await stats();
    expect(after.total_requests).toBe(before.total_requests + 10_000);
    expect(after.threats_detected).toBe(before.threats_detected + 10_000);
  }, 60_000);
});

describe('OpenAPI', () => {
  it('documents both routes with request and response schemas and the ingest scope', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Json;
    const one = doc.paths['/api/threats/ingest'].post;
    expect(one.requestBody.content['application/json'].schema.properties.source_ip).toBeDefined();
    expect(one.requestBody.content['application/json'].schema.required).toEqual(['source_ip']);
    expect(one.responses['200'].content['application/json'].schema.properties.id).toBeDefined();
    const many = doc.paths['/api/threats/bulk-ingest'].post;
    expect(many.requestBody.content['application/json'].schema.items.properties.event_id).toBeDefined();
    expect(many.responses['200'].content['application/json'].schema.properties.errors).toBeDefined();
    const routes = t.app.printRoutes({ includeHooks: false });
    expect(routes).toContain('ingest');
  });
});

describe('a store that fails', () => {
  it('answers 503 store_unavailable with a request id and no internals', async () => {
    const down = await openTestApi(
      { extraRoutes: [ingestApi({ submit: async () => Promise.reject(new StoreError('write', new Error('connect ECONNREFUSED 10.1.2.3:5432'))) })] },
      false,
    );
    try {
      const res = await down.app.inject({ method: 'POST', url: '/api/threats/ingest', payload: { source_ip: '192.0.2.1' } });
      expect(res.statusCode).toBe(503);
      const body = res.json() as Json;
      expect(body.error).toBe('store_unavailable');
      expect(body.message).toMatch(/^the store is unavailable \(request id /);
      expect(body.message).not.toContain('10.1.2.3');
    } finally {
      await down.close();
    }
  });
});
