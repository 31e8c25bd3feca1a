import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, NOW, openTestApi, type TestApi } from '../testing/fixtures.js';

let t: TestApi;

beforeAll(async () => {
  t = await openTestApi();
});
afterAll(async () => {
  await t?.close();
});

async function stats(query: string) {
  const res = await t.app.inject({ method: 'GET', url: `/api/stats${query}` });
  return { status: res.statusCode, body: res.json() };
}

describe('GET /api/stats', () => {
  it('summarises the last hour from the rollups', async () => {
    const { status, body } = await stats('?range=1h');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      range: '1h',
      since: new Date(NOW - 3_600_000).toISOString(),
      until: new Date(NOW).toISOString(),
      // 4 threats (5, 10, 20, 30 minutes ago) and 3 clean requests (1, 2, 50 minutes ago).
      total_requests: 7,
      threats_detected: 4,
      severity_breakdown: { info: 1, low: 0, medium: 1, high: 1, critical: 1 },
      category_breakdown: { sqli: 1, path_traversal: 1, sensitive_file: 2 },
    });
    expect(body.top_source_ips[0]).toEqual({ ip: '203.0.113.7', count: 2 });
    expect(body.top_source_ips).toEqual(
      expect.arrayContaining([
        { ip: '198.51.100.23', count: 1 },
        { ip: '198.51.100.99', count: 1 },
      ]),
    );
    expect(body.top_paths).toEqual(expect.arrayContaining([{ path: '/products.php', count: 1 }]));
  });

  it('defaults to 24h and widens to 7d', async () => {
    const day = await stats('');
    expect(day.body).toMatchObject({ range: '24h', threats_detected: 5, total_requests: 8 });
    expect(day.body.since).toBe(new Date(NOW - DAY).toISOString());
    const week = await stats('?range=7d');
    // The week adds a bruteforce request whose only detection is simulated: a request, not a threat.
    expect(week.body).toMatchObject({ range: '7d', threats_detected: 5, total_requests: 9 });
    expect(week.body.severity_breakdown.low).toBe(0);
    expect(week.body.category_breakdown.bruteforce).toBeUndefined();
  });

  it.each(['2h', '1y', '24h;select', ''])(
    'rejects range=%j with 400 listing the valid ranges',
    async (range) => {
      const { status, body } = await stats(`?range=${encodeURIComponent(range)}`);
      expect(status).toBe(400);
      expect(body).toEqual({
        error: 'bad_request',
        message: `query parameter "range" must be one of: 1h, 6h, 24h, 7d, 30d (got ${JSON.stringify(range)})`,
      });
    },
  );
});
