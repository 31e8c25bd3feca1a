/** Behaviour aggregates kept by ingest (migration 0010): client families, features, scenario IPs, cascades, radar, prune. */
import { expect, it } from 'vitest';
import { BadRequestError } from '../../../core/index.js';
import type { AgentQuery, ScenarioIpQuery } from '../../behaviour-repository.js';
import { makeDetection, makeEvent, makeThreat, makeWindow, T0 } from '../fixtures.js';
import { count, MIN, type ConformanceSection } from './context.js';

const HOUR = 60 * MIN;
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
const CHROME_119 = CHROME.replace('120.0', '119.0');
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0';
const JA4_A = 't13d1516h2_8daaf6152771_b186095e22b6';
const JA4_B = 't13d1516h2_8daaf6152771_02713d6af862';

const agentQuery = (over: Partial<AgentQuery> = {}): AgentQuery => ({
  since: T0,
  until: T0 + 2 * HOUR,
  kinds: ['browser', 'bot', 'tool', 'other', 'none'],
  sort: 'requests',
  order: 'desc',
  limit: 50,
  offset: 0,
  versions: 10,
  ...over,
});

const scenarioQuery = (over: Partial<ScenarioIpQuery> = {}): ScenarioIpQuery => ({
  since: T0,
  until: T0 + 3 * HOUR,
  sort: 'last_seen',
  order: 'desc',
  limit: 50,
  offset: 0,
  ...over,
});

export const behaviourConformance: ConformanceSection = (t) => {
  it('keeps user-agent families and JA4 fingerprints per hour and host, with distinct IPs; a replay adds nothing', async () => {
    let n = 0;
    const ev = (ip: string, userAgent: string | null, over: Parameters<typeof makeEvent>[1] = {}) =>
      makeEvent(`ag-${++n}`, { ip, userAgent, time: T0 + n * 1000, ...over });
    const first = [
      ev('10.9.0.1', CHROME, { ja4: JA4_A }),
      ev('10.9.0.1', CHROME, { ja4: JA4_A }),
      ev('10.9.0.2', CHROME_119, { ja4: JA4_B }),
      ev('10.9.0.3', FIREFOX, { host: 'Blog.Example' }),
      ev('10.9.0.4', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'),
      ev('10.9.0.5', 'curl/8.4.0'),
      ev('10.9.0.6', null),
    ];
    const second = [ev('10.9.0.7', CHROME, { time: T0 + HOUR + 5, ja4: JA4_A }), ev('10.9.0.1', CHROME, { time: T0 + HOUR + 6 })];
    await t.store.writer.write({ events: first, threats: [], checkpoints: [] });
    await t.store.writer.write({ events: second, threats: [], checkpoints: [] });
    await t.store.writer.write({ events: first, threats: [], checkpoints: [] });

    const all = await t.store.behaviour.agents(agentQuery());
    expect(all.total).toBe(5);
    expect(all.items[0]).toEqual({
      kind: 'browser',
      family: 'Chrome',
      requests: 5,
      ips: 3,
      versions: [
        { version: '120', requests: 4, ips: 2 },
        { version: '119', requests: 1, ips: 1 },
      ],
    });
    expect(all.byKind).toEqual({
      browser: { requests: 6, ips: 4 },
      bot: { requests: 1, ips: 1 },
      tool: { requests: 1, ips: 1 },
      none: { requests: 1, ips: 1 },
    });
    // Bots apart, a host (case-folded), a family substring, a period.
    expect((await t.store.behaviour.agents(agentQuery({ kinds: ['bot'] }))).items.map((i) => i.family)).toEqual(['Googlebot']);
    expect((await t.store.behaviour.agents(agentQuery({ host: 'blog.example' }))).items.map((i) => i.family)).toEqual(['Firefox']);
    expect((await t.store.behaviour.agents(agentQuery({ family: 'fire' }))).items.map((i) => i.family)).toEqual(['Firefox']);
    expect((await t.store.behaviour.agents(agentQuery({ since: T0 + HOUR }))).items).toEqual([
      { kind: 'browser', family: 'Chrome', requests: 2, ips: 2, versions: [{ version: '120', requests: 2, ips: 2 }] },
    ]);
    // Sorts are whitelisted; pages are stable.
    const byFamily = await t.store.behaviour.agents(agentQuery({ sort: 'family', order: 'asc', limit: 2, offset: 1 }));
    expect(byFamily.items.map((i) => i.family)).toEqual(['Chrome', 'Firefox']);
    expect(byFamily.total).toBe(5);
    expect((await t.store.behaviour.agents(agentQuery({ sort: 'ips' }))).items[0]!.family).toBe('Chrome');
    await expect(t.store.behaviour.agents(agentQuery({ sort: 'requests; DROP TABLE requests' as never }))).rejects.toBeInstanceOf(BadRequestError);

    const ja4 = await t.store.behaviour.agents(agentQuery({ kinds: ['ja4'] }));
    expect(ja4.items).toEqual([
      {
        kind: 'ja4',
        family: 't13d1516h2',
        requests: 4,
        ips: 3,
        versions: [
          { version: JA4_A, requests: 3, ips: 2 },
          { version: JA4_B, requests: 1, ips: 1 },
        ],
      },
    ]);
  });

  it('estimates distinct IPs from the sketch within a few per cent', async () => {
    const events = Array.from({ length: 3000 }, (_, i) => makeEvent(`ips-${i}`, { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, userAgent: CHROME, time: T0 + i }));
    await t.store.writer.write({ events, threats: [], checkpoints: [] });
    const [chrome] = (await t.store.behaviour.agents(agentQuery())).items;
    expect(chrome!.requests).toBe(3000);
    expect(Math.abs(chrome!.ips - 3000) / 3000).toBeLessThan(0.05);
  });

  it('keeps feature statistics and histograms of the stored windows per threat level, and samples them deterministically', async () => {
    const windows = [
      makeWindow('10.8.0.1', T0, { hits: 4, ratio4xx: 0, threatLevel: 'LEGITIMATE_BROWSER' }),
      makeWindow('10.8.0.2', T0, { hits: 8, ratio4xx: 0.25, threatLevel: 'LEGITIMATE_BROWSER' }),
      makeWindow('10.8.0.3', T0 + MIN, { hits: 64, ratio4xx: 1, threatLevel: 'HIGH', meanHeaderCount: 6 }),
      // Not stored (one hit, nothing fired): not in the statistics of stored windows either.
      makeWindow('10.8.0.4', T0, { hits: 1, threatLevel: 'LEGITIMATE_BROWSER' }),
    ];
    await t.store.writer.write({ events: [], threats: [], checkpoints: [], windows: windows.slice(0, 2) });
    await t.store.writer.write({ events: [], threats: [], checkpoints: [], windows: windows.slice(2) });
    const stats = await t.store.behaviour.features(T0, T0 + HOUR);
    const hits = stats.find((s) => s.feature === 'hits')!;
    expect(hits.all).toMatchObject({ count: 3, mean: 76 / 3, min: 4, max: 64 });
    expect(hits.all.bins.reduce((a, b) => a + b, 0)).toBe(3);
    expect(hits.all.p50).toBeGreaterThanOrEqual(8);
    expect(hits.all.p50).toBeLessThan(16);
    expect(hits.all.p99).toBeLessThanOrEqual(64);
    expect(Object.keys(hits.byThreatLevel).sort()).toEqual(['HIGH', 'LEGITIMATE_BROWSER']);
    expect(hits.byThreatLevel.LEGITIMATE_BROWSER).toMatchObject({ count: 2, mean: 6, min: 4, max: 8 });
    expect(stats.find((s) => s.feature === 'mean_header_count')!.all).toMatchObject({ count: 1, mean: 6 });
    const ratio = stats.find((s) => s.feature === 'ratio_4xx')!.all;
    expect(ratio.bins).toHaveLength(20);
    expect(ratio.p50).toBeCloseTo(0.25, 1);
    const high = await t.store.behaviour.features(T0, T0 + HOUR, ['HIGH']);
    expect(high.find((s) => s.feature === 'hits')!.all).toMatchObject({ count: 1, min: 64, max: 64, p50: 64 });
    expect((await t.store.behaviour.features(T0 + HOUR, T0 + 2 * HOUR))[0]!.all.count).toBe(0);

    const points = await t.store.behaviour.sample(T0, T0 + HOUR, 'hits', 'ratio_4xx', 2);
    expect(points).toHaveLength(2);
    expect(await t.store.behaviour.sample(T0, T0 + HOUR, 'hits', 'ratio_4xx', 2)).toEqual(points);
    const every = await t.store.behaviour.sample(T0, T0 + HOUR, 'hits', 'ratio_4xx', 10);
    expect(every.map((p) => `${p.ip} ${p.x} ${p.y} ${p.threatLevel}`).sort()).toEqual([
      '10.8.0.1 4 0 LEGITIMATE_BROWSER',
      '10.8.0.2 8 0.25 LEGITIMATE_BROWSER',
      '10.8.0.3 64 1 HIGH',
    ]);
    await expect(t.store.behaviour.sample(T0, T0 + HOUR, 'hits; --' as never, 'ratio_4xx', 2)).rejects.toBeInstanceOf(BadRequestError);
  });

  it('keeps the IPs behind each scenario with their evidence, from windows and flagged events', async () => {
    const brute = (id: string, ip: string, time: number, path: string, host = 'shop.example') =>
      makeThreat(makeEvent(id, { ip, time, path, method: 'POST', status: 401, host }), {
        category: 'bruteforce',
        detections: [makeDetection({ ruleId: 'behaviour/bruteforce', category: 'bruteforce', field: 'behaviour' })],
      });
    const threats = [
      brute('sc-1', '10.7.0.1', T0 + 1000, '/wp-login.php'),
      brute('sc-2', '10.7.0.1', T0 + 2000, '/wp-login.php'),
      brute('sc-3', '10.7.0.1', T0 + HOUR + 1000, '/admin/login', 'admin.example'),
      brute('sc-4', '10.7.0.2', T0 + 3000, '/login', 'blog.example'),
      // Simulation only: stored as evidence, not counted.
      makeThreat(makeEvent('sc-5', { ip: '10.7.0.3', time: T0 }), {
        detections: [makeDetection({ ruleId: 'behaviour/bruteforce', simulated: true })],
      }),
    ];
    const windows = [
      makeWindow('10.7.0.1', T0, { hits: 30, scenarios: ['bruteforce'], distinctUserAgents: 2, threatLevel: 'HIGH' }),
      makeWindow('10.7.0.1', T0 + HOUR, { hits: 12, scenarios: ['bruteforce', 'recurrence', 'ua-rotation'], distinctUserAgents: 9, threatLevel: 'CRITICAL' }),
      makeWindow('10.7.0.1', T0 + 2 * HOUR, { hits: 5, scenarios: ['recurrence'], threatLevel: 'CRITICAL' }),
      makeWindow('10.7.0.2', T0, { hits: 7, scenarios: ['bruteforce'], threatLevel: 'HIGH' }),
    ];
    await t.store.writer.write({ events: threats.map((x) => x.event), threats: threats.slice(0, 3), checkpoints: [], windows: windows.slice(0, 2) });
    await t.store.writer.write({ events: [], threats: threats.slice(3), checkpoints: [], windows: windows.slice(2) });

    const page = await t.store.behaviour.scenarioIps('bruteforce', scenarioQuery());
    expect(page.total).toBe(2);
    expect(page.items[0]).toEqual({
      ip: '10.7.0.1',
      windows: 2,
      events: 3,
      hits: 42,
      hours: 2,
      firstSeen: T0,
      lastSeen: T0 + HOUR + MIN,
      maxUserAgents: 9,
      maxJa4s: 0,
      targets: ['/admin/login', '/wp-login.php'],
      hosts: ['admin.example', 'shop.example'],
      scenarios: { bruteforce: { windows: 2, events: 3 }, recurrence: { windows: 2, events: 0 }, 'ua-rotation': { windows: 1, events: 0 } },
    });
    expect(page.items[1]).toMatchObject({ ip: '10.7.0.2', windows: 1, events: 1, targets: ['/login'], hosts: ['blog.example'] });
    expect((await t.store.behaviour.scenarioIps('bruteforce', scenarioQuery({ host: 'BLOG.example' }))).items.map((i) => i.ip)).toEqual(['10.7.0.2']);
    expect((await t.store.behaviour.scenarioIps('bruteforce', scenarioQuery({ ip: '10.7.0.2' }))).total).toBe(1);
    expect((await t.store.behaviour.scenarioIps('bruteforce', scenarioQuery({ sort: 'hits', order: 'asc' }))).items.map((i) => i.ip)).toEqual(['10.7.0.2', '10.7.0.1']);
    expect((await t.store.behaviour.scenarioIps('bruteforce', scenarioQuery({ until: T0 + HOUR, ip: '10.7.0.1' }))).items[0]).toMatchObject({ ip: '10.7.0.1', windows: 1, events: 2 });
    const recurrence = await t.store.behaviour.scenarioIps('recurrence', scenarioQuery());
    expect(recurrence.items).toEqual([expect.objectContaining({ ip: '10.7.0.1', windows: 2, hours: 2, events: 0 })]);
    expect((await t.store.behaviour.scenarioIps('ua-rotation', scenarioQuery())).items[0]).toMatchObject({ ip: '10.7.0.1', maxUserAgents: 9 });
    expect((await t.store.behaviour.scenarioIps('ja4-rotation', scenarioQuery())).items).toEqual([]);
    await expect(t.store.behaviour.scenarioIps('bruteforce', scenarioQuery({ sort: 'nope' as never }))).rejects.toBeInstanceOf(BadRequestError);
  });

  it('keeps each page view with the sub-resources that followed, across batches, bounded per IP', async () => {
    let n = 0;
    const ev = (ip: string, at: number, path: string, over: Parameters<typeof makeEvent>[1] = {}) =>
      makeEvent(`cs-${++n}`, { ip, time: T0 + at, path, ...over });
    const browser = [
      ev('10.6.0.1', 0, '/'),
      ev('10.6.0.1', 200, '/app.css'),
      ev('10.6.0.1', 300, '/app.js'),
      ev('10.6.0.1', 350, '/app.js'),
      ev('10.6.0.1', 5_000, '/about'),
      ev('10.6.0.1', 5_100, '/logo.png'),
      // Too late for /about (more than 10 s after its last request): not its sub-resource.
      ev('10.6.0.1', 30_000, '/late.png'),
    ];
    const headless = [ev('10.6.0.2', 0, '/a'), ev('10.6.0.2', 1000, '/b'), ev('10.6.0.2', 2000, '/c', { status: 404 }), ev('10.6.0.2', 3000, '/d', { method: 'POST' })];
    await t.store.writer.write({ events: [...browser, ...headless], threats: [], checkpoints: [] });
    // The next batch starts with /late.png's neighbour: it joins the latest stored page view only when close enough.
    await t.store.writer.write({ events: [ev('10.6.0.1', 5_200, '/font.woff2'), ev('10.6.0.1', 40_000, '/next'), ev('10.6.0.1', 40_100, '/n.css', { status: 304 })], threats: [], checkpoints: [] });

    const c = await t.store.behaviour.cascade('10.6.0.1', T0, T0 + HOUR, 10);
    expect(c.pages.map((p) => [p.path, p.subresources, p.subresourcePaths, p.spanMs])).toEqual([
      ['/next', 1, ['/n.css'], 100],
      ['/about', 2, ['/logo.png', '/font.woff2'], 200],
      ['/', 3, ['/app.css', '/app.js'], 350],
    ]);
    expect(c.summary).toEqual({ pages: 3, withSubresources: 3, subresources: 6 });
    const h = await t.store.behaviour.cascade('10.6.0.2', T0, T0 + HOUR, 10);
    expect(h.pages.map((p) => [p.path, p.subresources])).toEqual([['/b', 0], ['/a', 0]]);
    expect(h.summary).toEqual({ pages: 2, withSubresources: 0, subresources: 0 });
    expect((await t.store.behaviour.cascade('10.6.0.1', T0, T0 + HOUR, 1)).pages.map((p) => p.path)).toEqual(['/next']);
    expect((await t.store.behaviour.cascade('10.6.0.1', T0, T0 + HOUR, 10, 'other.example')).pages).toEqual([]);

    // A crawler reading 15 pages in an hour: the first 10 are kept.
    const burst = Array.from({ length: 15 }, (_, i) => ev('10.6.0.4', i * 100, `/q/${i}`));
    await t.store.writer.write({ events: burst.slice(0, 8), threats: [], checkpoints: [] });
    await t.store.writer.write({ events: burst.slice(8), threats: [], checkpoints: [] });
    expect((await t.store.behaviour.cascade('10.6.0.4', T0, T0 + HOUR, 50)).pages.map((p) => p.path).reverse()).toEqual(burst.slice(0, 10).map((e) => e.path));

    // A crawler reading 200 pages, 6 an hour, 20 a batch: trimmed to its latest 50 whenever it has written 50 since
    // its last trim (batches 3, 6 and 9), so it holds 50 + 20 after the tenth; lists show the latest 50.
    const crawl = Array.from({ length: 200 }, (_, i) => ev('10.6.0.3', i * 10 * MIN, `/p/${i}`));
    for (let i = 0; i < 200; i += 20) await t.store.writer.write({ events: crawl.slice(i, i + 20), threats: [], checkpoints: [] });
    const kept = await t.store.behaviour.cascade('10.6.0.3', T0, T0 + 40 * HOUR, 100);
    expect(kept.pages).toHaveLength(50);
    expect(kept.pages[0]!.path).toBe('/p/199');
    const { rows } = await t.store.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ip_cascade WHERE ip = '10.6.0.3'`);
    expect(rows[0]!.n).toBe(70);
  });

  it('normalises an IP against the benign-browser and datacenter baselines kept from windows', async () => {
    const benign = [3, 5, 7].map((hits, i) => makeWindow(`10.5.0.${i + 1}`, T0, { hits, threatLevel: 'LEGITIMATE_BROWSER' }));
    const dc = makeWindow('198.51.100.9', T0, { hits: 40, threatLevel: 'MEDIUM', scenarios: ['http-probing'] });
    const dcThreat = makeThreat(makeEvent('rd-1', { ip: '198.51.100.9', time: T0 }), { geo: { kind: 'public', asn: 24940, asOrg: 'Hetzner Online GmbH' } });
    await t.store.writer.write({ events: [dcThreat.event], threats: [dcThreat], checkpoints: [], windows: [...benign, dc] });
    await t.store.writer.write({ events: [], threats: [], checkpoints: [], windows: [makeWindow('198.51.100.9', T0 + MIN, { hits: 20, threatLevel: 'HIGH', scenarios: ['bruteforce'] })] });

    const r = await t.store.behaviour.radar('198.51.100.9', T0, T0 + HOUR);
    expect(r.windows).toBe(2);
    const hits = r.axes.find((a) => a.feature === 'hits')!;
    expect(hits.value).toBe(30);
    expect(hits.baselines.benign_browser).toMatchObject({ windows: 3, mean: 5, min: 3, max: 7 });
    expect(hits.baselines.benign_browser.z).toBeCloseTo((30 - 5) / Math.sqrt(8 / 3), 5);
    expect(hits.baselines.benign_browser.score).toBe(1);
    // Only the window of the batch that carried the IP's network counts as datacenter.
    expect(hits.baselines.datacenter).toMatchObject({ windows: 1, mean: 40, stddev: 0, z: -3, score: 0 });
    const none = await t.store.behaviour.radar('10.99.0.1', T0, T0 + HOUR);
    expect(none.windows).toBe(0);
    expect(none.axes.every((a) => a.value === null && a.baselines.benign_browser.z === null)).toBe(true);
  });

  it('prunes every aggregate older than the cut-off', async () => {
    const old = makeEvent('pr-1', { time: T0, userAgent: CHROME, ja4: JA4_A });
    const threat = makeThreat(old, { detections: [makeDetection({ ruleId: 'behaviour/bruteforce' })] });
    await t.store.writer.write({
      events: [old],
      threats: [threat],
      checkpoints: [],
      windows: [makeWindow('203.0.113.7', T0, { scenarios: ['bruteforce'], threatLevel: 'LEGITIMATE_BROWSER' })],
    });
    for (const table of ['rollup_hour_agent', 'rollup_hour_feature', 'behaviour_baseline_day', 'ip_scenario_hour', 'ip_cascade']) {
      expect(await count(t.store, table)).toBeGreaterThan(0);
    }
    await t.store.behaviour.prune(T0 + 2 * 86_400_000);
    for (const table of ['rollup_hour_agent', 'rollup_hour_feature', 'behaviour_baseline_day', 'ip_scenario_hour', 'ip_cascade']) {
      expect(await count(t.store, table)).toBe(0);
    }
  });
};
