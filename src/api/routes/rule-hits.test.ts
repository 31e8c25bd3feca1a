import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Allowlist } from '../../detect/index.js';
import { makeEvent } from '../../store/testing/fixtures.js';
import { DAY, HOUR, NOW, openTestApi, type TestApi } from '../testing/fixtures.js';

// The shared data set's hits: sqli-union-select and sqli-comment (5 min ago), path_traversal-test (30 min),
// xss-test (2 h), sensitive_file-test twice (10 and 20 min), bruteforce-login simulated (3 days ago).
const LOADED = ['sqli-union-select', 'sqli-comment', 'xss-test', 'bruteforce-login', 'never-fires', 'behaviour/headless', 'behaviour/ja4-rotation'];
// What the log format cannot feed: ja4-rotation never fired; sqli-comment did (events from a richer source), so it is
// listed as neither silent nor not applicable.
const NOT_APPLICABLE = [
  { id: 'behaviour/ja4-rotation', reason: 'log format combined carries no JA4 TLS fingerprint' },
  { id: 'sqli-comment', reason: 'test: fired all the same' },
];

interface RuleJson {
  rule_id: string;
  total: number;
  simulated: number;
  counts: number[];
}
interface Body {
  rules: RuleJson[];
  buckets: string[];
  silent: string[];
  not_applicable: { rule_id: string; reason: string }[];
  error: string;
  message: string;
  [key: string]: unknown;
}

let t: TestApi;
let withoutIds: TestApi;

// Two in-memory PGlite databases, opened and migrated one after the other: past the default hook
// timeout when the machine is saturated (seen at load average 40 on 2 cores).
beforeAll(async () => {
  t = await openTestApi({ ruleIds: () => LOADED, notApplicable: () => NOT_APPLICABLE });
  withoutIds = await openTestApi({}, false);
}, 180_000);
afterAll(async () => {
  await t?.close();
  await withoutIds?.close();
});

async function get(api: TestApi, url: string) {
  const res = await api.app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json() as Body };
}

describe('GET /api/rules/hits', () => {
  it('gives a dense hourly series per rule over the last 24 hours, noisiest first', async () => {
    const { status, body } = await get(t, '/api/rules/hits');
    expect(status).toBe(200);
    expect(body).toMatchObject({ range: '24h', bucket: 'hour', until: new Date(NOW).toISOString() });
    // NOW is on the hour, so the range covers 24 whole buckets.
    expect(body.buckets).toHaveLength(24);
    expect(body.buckets[23]).toBe(new Date(NOW - HOUR).toISOString());
    expect(body.rules[0]).toMatchObject({ rule_id: 'sensitive_file-test', total: 2, simulated: 0 });
    expect(body.rules.map((r) => r.rule_id)).toEqual([
      'sensitive_file-test',
      'path_traversal-test',
      'sqli-comment',
      'sqli-union-select',
      'xss-test',
    ]);
    for (const r of body.rules) {
      expect(r.counts).toHaveLength(24);
      expect(r.counts.reduce((a, b) => a + b, 0)).toBe(r.total);
    }
    expect(body.rules[0]!.counts[23]).toBe(2);
    expect(body.rules.find((r) => r.rule_id === 'xss-test')?.counts[22]).toBe(1);
  });

  it('counts simulated hits, and buckets by day over 7 days, with limit', async () => {
    const { body } = await get(t, '/api/rules/hits?range=7d&bucket=day&limit=100');
    // NOW is midday: the first and last days are partial, so 7 days span 8 day buckets.
    expect(body.buckets).toHaveLength(8);
    expect(body.buckets[0]).toBe('2025-03-03T00:00:00.000Z');
    expect(body.rules.find((r) => r.rule_id === 'bruteforce-login')).toMatchObject({ total: 1, simulated: 1 });
    const top = await get(t, '/api/rules/hits?range=30d&bucket=day&limit=1');
    expect(top.body.rules.map((r) => r.rule_id)).toEqual(['sensitive_file-test']);
    expect(top.body.buckets).toHaveLength(31);
  });

  it.each([
    ['?range=1y', 'range'],
    ['?bucket=minute', 'bucket'],
    ['?limit=0', 'limit'],
    ['?limit=101', 'limit'],
    ['?rule=x', 'rule'],
  ])('rejects %s with a 400 naming %s', async (query, name) => {
    const { status, body } = await get(t, `/api/rules/hits${query}`);
    expect(status).toBe(400);
    expect(body.message).toContain(`"${name}"`);
  });
});

describe('GET /api/rules/silent', () => {
  it('lists the loaded rules with no hit in the period', async () => {
    const week = await get(t, '/api/rules/silent');
    expect(week.status).toBe(200);
    expect(week.body).toEqual({
      days: 7,
      since: new Date(NOW - 7 * DAY).toISOString(),
      loaded: 7,
      silent: ['behaviour/headless', 'never-fires'],
      not_applicable: [{ rule_id: 'behaviour/ja4-rotation', reason: 'log format combined carries no JA4 TLS fingerprint' }],
    });
    const day = await get(t, '/api/rules/silent?days=1');
    expect(day.body.silent).toEqual(['behaviour/headless', 'bruteforce-login', 'never-fires']);
    expect(day.body.not_applicable.map((n) => n.rule_id)).toEqual(['behaviour/ja4-rotation']);
  });

  it.each(['0', '91', 'Infinity', '-Infinity', '1e309', 'NaN', '7.5', ''])('refuses days=%s with 400 naming the bounds', async (days) => {
    const res = await get(t, `/api/rules/silent?days=${days}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'bad_request',
      message: `query parameter "days" must be an integer from 1 to 90 (got ${JSON.stringify(days)})`,
    });
  });

  it('bounds days, and is not served without the loaded rule ids', async () => {
    expect((await get(t, '/api/rules/silent?days=0')).status).toBe(400);
    const long = await get(t, '/api/rules/silent?days=91');
    expect(long.status).toBe(400);
    expect(long.body.message).toContain('"days"');
    const missing = await get(withoutIds, '/api/rules/silent');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('not_found');
  });
});

describe('GET /api/rules/allowlist', () => {
  it('lists every entry with what it withheld and suppressed, per rule', async () => {
    const allowlist = new Allowlist([
      { id: 'detect.allowlist.ips[0]', ips: ['10.0.0.0/8'] },
      { id: 'nextcloud: webdav files', why: 'synced files are named like secrets', paths: ['/remote.php/dav/'], categories: ['sensitive_file'] },
    ]);
    allowlist.withhold(makeEvent('a1', { ip: '10.1.2.3' }));
    allowlist.withhold(makeEvent('a2', { ip: '10.9.9.9' }));
    allowlist.withhold(makeEvent('a3', { ip: '203.0.113.5' }));
    const allowance = allowlist.forEvent(makeEvent('a4', { path: '/remote.php/dav/files/u/.env' }));
    expect(allowance.suppress('sensitive-env-file', 'sensitive_file')).toBe(true);
    expect(allowance.suppress('sqli-union-select', 'sqli')).toBe(false);
    const api = await openTestApi({ allowlist: () => allowlist.stats() }, false);
    try {
      const res = await api.app.inject({ method: 'GET', url: '/api/rules/allowlist' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        entries: [
          { id: 'detect.allowlist.ips[0]', withheld: 2, suppressed: 0, by_rule: {} },
          { id: 'nextcloud: webdav files', why: 'synced files are named like secrets', withheld: 0, suppressed: 1, by_rule: { 'sensitive-env-file': 1 } },
        ],
      });
    } finally {
      await api.close();
    }
  });

  it('is not served without an allowlist source', async () => {
    const res = await withoutIds.app.inject({ method: 'GET', url: '/api/rules/allowlist' });
    expect(res.statusCode).toBe(404);
  });
});
