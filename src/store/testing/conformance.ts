/**
 * The store conformance suite: the same assertions for every backend. `open` returns a fresh,
 * empty, not yet migrated store; the suite migrates it and closes it after each test. Tests that
 * need other StoreOptions build a second Store over the same SqlClient (options are plain config).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ThreatEvent, type HttpEvent, BadRequestError } from '../../core/index.js';
import { StoreError } from '../errors.js';
import { IocRepository } from '../ioc-repository.js';
import { MIGRATIONS } from '../migrations/index.js';
import { createStore, type StoreOptions } from '../store.js';
import { SCORE_SORTS, THREAT_SORTS, type MigrationStatus, type ScoresQuery, type Store, type ThreatQuery, type ThreatRow } from '../types.js';
import { makeDetection, makeEvent, makeThreat, makeWindow, T0 } from './fixtures.js';

export type OpenTestStore = () => Promise<Store>;

const MIN = 60_000;
const ALL_IDS = MIGRATIONS.map((m) => m.id);
const query = (over: Partial<ThreatQuery> = {}): ThreatQuery => ({
  sort: 'time',
  order: 'desc',
  limit: 100,
  offset: 0,
  ...over,
});

async function count(store: Store, table: string): Promise<number> {
  const { rows } = await store.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0]!.n;
}

/** Threat + its event in one batch, as the pipeline writes them. */
function batchOf(threats: ThreatEvent[], plain: HttpEvent[] = []) {
  return { events: [...plain, ...threats.map((t) => t.event)], threats, checkpoints: [] };
}

export function describeStoreConformance(name: string, open: OpenTestStore): void {
  describe(`store conformance: ${name}`, () => {
    let store: Store;
    let before: MigrationStatus;
    let first: MigrationStatus;

    beforeEach(async () => {
      store = await open();
      before = await store.migrationStatus();
      first = await store.migrate();
    });
    afterEach(async () => {
      await store.close();
    });

    const withOptions = (opts: StoreOptions): Store => createStore(store.sql, opts);

    it('stores a big batch once, replayed ids and all; on PGlite without holding the event loop', async () => {
      await store.write(batchOf([], [makeEvent('big-3'), makeEvent('big-700')]));
      const events = Array.from({ length: 1234 }, (_, i) => makeEvent(`big-${i}`, { time: T0 + i }));
      let ticked = false;
      setImmediate(() => (ticked = true));
      await store.write(batchOf([makeThreat(events[1000]!)], events.filter((_, i) => i !== 1000)));
      expect(await count(store, 'requests')).toBe(1234);
      expect(await count(store, 'threats')).toBe(1);
      // PGlite runs in its worker thread: the loop that answers /health turns while the big insert runs.
      if (store.sql.dialect === 'pglite') expect(ticked).toBe(true);
    });

    it('migrates a fresh database, and migrating again changes nothing', async () => {
      expect(before).toEqual({ applied: [], pending: ALL_IDS });
      expect(first).toEqual({ applied: ALL_IDS, pending: [] });
      await store.write(batchOf([makeThreat(makeEvent('keep'))]));
      expect(await store.migrate()).toEqual({ applied: ALL_IDS, pending: [] });
      expect(await store.migrationStatus()).toEqual({ applied: ALL_IDS, pending: [] });
      expect(await count(store, 'schema_migrations')).toBe(ALL_IDS.length);
      expect(await count(store, 'threats')).toBe(1);
      await store.ping();
    });

    it('stores a threat\'s geo and attaches its source\'s reputation at or above the threshold', async () => {
      const geo = { kind: 'public', country: 'GB', countryName: 'United Kingdom', city: 'Bracknell', lat: 51.4036, lon: -0.7618, asn: 20712, asOrg: 'Andrews & Arnold Ltd' };
      await store.write(batchOf([makeThreat(makeEvent('g1', { ip: '81.2.69.160' }), { geo }), makeThreat(makeEvent('g2', { ip: '10.0.0.1' }), { geo: { kind: 'private' } })]));
      expect((await store.getThreat('g1'))?.geo).toEqual(geo);
      expect((await store.getThreat('g2'))?.geo).toEqual({ kind: 'private' });
      expect((await store.getThreat('g1'))?.reputation).toBeNull();
      const iocs = new IocRepository(store.sql);
      const result = { ioc: '81.2.69.160', type: 'ipv4' as const, sources: [], risk_score: 80, risk_level: 'critical' as const, categories: ['bruteforce'] };
      await iocs.recordEnrichment(result, new Date(T0), new Date(T0 + 86_400_000));
      expect((await store.getThreat('g1'))?.reputation).toEqual({ riskScore: 80, riskLevel: 'critical', categories: ['bruteforce'], updatedAt: T0 });
      const listed = await store.listThreats(query());
      expect(listed.items.find((t) => t.id === 'g1')?.reputation?.riskScore).toBe(80);
      // Below the threshold (default 25): no reputation.
      await iocs.recordEnrichment({ ...result, risk_score: 10, risk_level: 'low' }, new Date(T0), new Date(T0 + 86_400_000));
      expect((await store.getThreat('g1'))?.reputation).toBeNull();
    });

    it('writes threats with their detections and reads them back', async () => {
      const detections = [
        makeDetection({ transforms: ['urlDecode', 'htmlEntityDecode'], detail: 'decoded twice' }),
        makeDetection({ ruleId: 'xss-script-tag', category: 'xss', severity: 'medium', field: 'arg:q', simulated: true, confidence: 0.5 }),
      ];
      const ev = makeEvent('t1', { query: "id=1' union select", status: 403, bytes: 2 ** 40, referer: 'https://r.example/' });
      await store.write(batchOf([makeThreat(ev, { detections, score: 0.75 })], [makeEvent('plain')]));

      const expected: ThreatRow = {
        id: 't1',
        time: T0,
        ip: ev.ip,
        method: 'GET',
        host: 'example.com',
        path: '/index.html',
        query: "id=1' union select",
        status: 403,
        bytes: 2 ** 40,
        userAgent: 'Mozilla/5.0',
        referer: 'https://r.example/',
        score: 0.75,
        severity: 'high',
        category: 'sqli',
        origin: 'file',
        detections: [
          { ...detections[0]!, simulated: false },
          { ...detections[1]!, transforms: [] },
        ],
        geo: null,
        reputation: null,
      };
      expect(await store.getThreat('t1')).toEqual(expected);
      expect(await store.getThreat('plain')).toBeNull();
      expect(await store.listThreats(query())).toEqual({ items: [expected], total: 1 });
      expect(await count(store, 'requests')).toBe(2);
      expect(await store.topRules(T0, T0 + MIN)).toEqual([
        { key: 'sqli-union-select', count: 1 },
        { key: 'xss-script-tag', count: 1 },
      ]);
      expect(await store.topRules(T0 + MIN, T0 + 2 * MIN)).toEqual([]);
    });

    it('filters, sorts by whitelisted columns only, and pages with a total', async () => {
      const threats = [
        makeThreat(makeEvent('a', { time: T0, ip: '10.0.0.1', path: '/login', status: 401 }), { severity: 'low', category: 'bruteforce', score: 0.2 }),
        makeThreat(makeEvent('b', { time: T0 + 1000, ip: '10.0.0.2', path: '/admin/login', status: 404 }), { severity: 'critical', category: 'sqli', score: 0.9 }),
        makeThreat(makeEvent('c', { time: T0 + 2000, ip: '10.0.0.1', path: '/search', status: 200 }), { severity: 'medium', category: 'xss', score: 0.5 }),
        makeThreat(makeEvent('d', { time: T0 + 3000, ip: '10.0.0.3', path: '/wp-login.php', status: 500 }), { severity: 'high', category: 'sqli', score: 0.7 }),
      ];
      await store.write(batchOf(threats));
      const ids = async (q: Partial<ThreatQuery>) => (await store.listThreats(query(q))).items.map((t) => t.id);

      expect(await ids({})).toEqual(['d', 'c', 'b', 'a']);
      expect(await ids({ since: T0 + 1000, until: T0 + 3000 })).toEqual(['c', 'b']);
      expect(await ids({ severity: ['low', 'critical'] })).toEqual(['b', 'a']);
      expect(await ids({ category: ['sqli'] })).toEqual(['d', 'b']);
      expect(await ids({ ip: '10.0.0.1' })).toEqual(['c', 'a']);
      expect(await ids({ ip: '10.0.0' })).toEqual([]);
      expect(await ids({ path: 'login' })).toEqual(['d', 'b', 'a']);
      expect(await ids({ path: 'login', category: ['sqli'], since: T0 + 2000 })).toEqual(['d']);

      expect(await ids({ sort: 'score', order: 'asc' })).toEqual(['a', 'c', 'd', 'b']);
      expect(await ids({ sort: 'severity', order: 'desc' })).toEqual(['b', 'd', 'c', 'a']);
      expect(await ids({ sort: 'ip', order: 'asc' })).toEqual(['a', 'c', 'b', 'd']);
      expect(await ids({ sort: 'status', order: 'desc' })).toEqual(['d', 'b', 'a', 'c']);
      expect(THREAT_SORTS).toHaveLength(5);

      const page = await store.listThreats(query({ sort: 'time', order: 'asc', limit: 2, offset: 1 }));
      expect(page.items.map((t) => t.id)).toEqual(['b', 'c']);
      expect(page.total).toBe(4);

      const hostile = query({ sort: 'time; DROP TABLE threats; --' as never });
      await expect(store.listThreats(hostile)).rejects.toBeInstanceOf(BadRequestError);
      await expect(store.listThreats(query({ order: 'desc, id' as never }))).rejects.toBeInstanceOf(BadRequestError);
      await expect(store.listThreats(query({ limit: 10_000 }))).rejects.toBeInstanceOf(BadRequestError);
      expect(await count(store, 'threats')).toBe(4);
    });

    it('matches a path substring literally: % _ and \\ are not patterns', async () => {
      const paths = { pct: '/a%b', und: '/a_b', plain: '/axb', bs: '/a\\b', both: '/x%_y' };
      await store.write(
        batchOf(Object.entries(paths).map(([id, path]) => makeThreat(makeEvent(id, { path })))),
      );
      const ids = async (path: string) =>
        (await store.listThreats(query({ path, sort: 'ip', order: 'asc' }))).items.map((t) => t.id).sort();
      expect(await ids('%')).toEqual(['both', 'pct']);
      expect(await ids('a_b')).toEqual(['und']);
      expect(await ids('_')).toEqual(['both', 'und']);
      expect(await ids('a\\b')).toEqual(['bs']);
      expect(await ids('%_')).toEqual(['both']);
      expect(await ids('a')).toEqual(['bs', 'pct', 'plain', 'und']);
    });

    it('writes a replayed batch once: rows, detections and rollups do not double', async () => {
      const threats = [
        makeThreat(makeEvent('r1', { ip: '198.51.100.1' })),
        makeThreat(makeEvent('r2', { ip: '198.51.100.2', time: T0 + MIN }), {
          detections: [makeDetection(), makeDetection({ ruleId: 'other' })],
        }),
      ];
      const batch = batchOf(threats, [makeEvent('p1'), makeEvent('p2', { time: T0 + MIN })]);
      await store.write(batch);
      const once = await store.stats(T0, T0 + 5 * MIN);
      await store.write(batch);
      // A batch repeating an id within itself counts it once too.
      await store.write({ events: [makeEvent('p3'), makeEvent('p3')], threats: [], checkpoints: [] });

      expect(await count(store, 'requests')).toBe(5);
      expect(await count(store, 'threats')).toBe(2);
      expect(await count(store, 'threat_hits')).toBe(3);
      const twice = await store.stats(T0, T0 + 5 * MIN);
      expect(once.totalRequests).toBe(4);
      expect(twice).toEqual({
        ...once,
        totalRequests: 5,
        topIps: once.topIps.map((e) => (e.key === '203.0.113.7' ? { ...e, requests: e.requests! + 1 } : e)),
        topPaths: once.topPaths.map((e) => ({ ...e, requests: e.requests! + 1 })),
      });
    });

    it('rolls the whole batch back when any part fails', async () => {
      const bad = makeThreat(makeEvent('bad'), { severity: 'bogus' as never });
      const batch = {
        events: [makeEvent('ok'), bad.event],
        threats: [bad],
        checkpoints: [{ source: '/var/log/a.log', fileId: '1:2', offset: 10, line: 1, headHash: 'h' }],
      };
      const err = await store.write(batch).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as Error).message).toMatch(/^store write: /);
      expect(await count(store, 'requests')).toBe(0);
      expect(await count(store, 'rollup_minute')).toBe(0);
      expect(await store.loadCheckpoints()).toEqual([]);
      await expect(store.write({ events: [makeEvent('nan', { time: NaN })], threats: [], checkpoints: [] })).rejects.toThrow(
        /event nan: time/,
      );
    });

    it('upserts checkpoints with the batch', async () => {
      const a = { source: '/var/log/a.log', fileId: '1:2', offset: 100, line: 3, headHash: 'ha' };
      const b = { source: '/var/log/b.log', fileId: '1:3', offset: 5, line: 1, headHash: 'hb' };
      await store.write({ events: [makeEvent('e1')], threats: [], checkpoints: [a, b] });
      const a2 = { ...a, fileId: '1:9', offset: 2 ** 40 + 7, line: 2 ** 33, headHash: 'ha2' };
      await store.write({ events: [], threats: [], checkpoints: [{ ...a, offset: 200 }, a2] });
      expect(await store.loadCheckpoints()).toEqual([a2, b]);
    });

    it('answers stats from the rollups, matching the written data', async () => {
      const sev = ['info', 'low', 'medium', 'high', 'critical'] as const;
      const cat = ['sqli', 'xss', 'scanner'] as const;
      const events: HttpEvent[] = [];
      const threats: ThreatEvent[] = [];
      for (let i = 0; i < 300; i++) {
        const e = makeEvent(`s${i}`, { time: T0 + i * 1000, ip: `10.1.0.${i % 13}`, path: `/p${i % 7}` });
        events.push(e);
        if (i % 4 === 0) threats.push(makeThreat(e, { severity: sev[i % 5]!, category: cat[i % 3]! }));
      }
      // Two batches, so rollup rows are also added to (not only inserted).
      await store.write({ events: events.slice(0, 150), threats: threats.filter((t) => t.event.time < T0 + 150_000), checkpoints: [] });
      await store.write({ events: events.slice(150), threats: threats.filter((t) => t.event.time >= T0 + 150_000), checkpoints: [] });
      // Sanity: stats never reads raw rows, so deleting them must not change it.
      await store.sql.query('DELETE FROM requests');

      for (const [since, until] of [
        [T0, T0 + 5 * MIN],
        [T0 + MIN, T0 + 3 * MIN],
        [T0 + 90_000, T0 + 3 * MIN], // since rounds down to its minute
      ] as const) {
        const inRange = (t: number) => t >= Math.floor(since / MIN) * MIN && t < until;
        const ev = events.filter((e) => inRange(e.time));
        const th = threats.filter((t) => inRange(t.event.time));
        const s = await store.stats(since, until);
        expect(s.since).toBe(since);
        expect(s.totalRequests).toBe(ev.length);
        expect(s.threats).toBe(th.length);
        for (const v of sev) expect(s.bySeverity[v]).toBe(th.filter((t) => t.severity === v).length);
        for (const c of cat) expect(s.byCategory[c]).toBe(th.filter((t) => t.category === c).length);
        expect(s.topIps).toEqual(expectedTop(ev, th, (e) => e.ip).slice(0, 10));
        expect(s.topPaths).toEqual(expectedTop(ev, th, (e) => e.path).slice(0, 10));
      }
      const empty = await store.stats(T0 - 10 * MIN, T0);
      expect(empty.totalRequests).toBe(0);
      expect(empty.topIps).toEqual([]);
    });

    it('bounds rollup cardinality, folding the long tail into (other)', async () => {
      const small = withOptions({ rollupLimits: { maxIps: 3, maxPaths: 2 } });
      const events = Array.from({ length: 10 }, (_, i) => makeEvent(`k${i}`, { ip: `10.9.0.${i}`, path: `/u/${i}` }));
      await small.write({ events, threats: [makeThreat(events[9]!)], checkpoints: [] });
      expect(await count(small, 'rollup_minute_ip')).toBe(3);
      expect(await count(small, 'rollup_minute_path')).toBe(2);
      const s = await small.stats(T0, T0 + MIN);
      expect(s.totalRequests).toBe(10);
      expect(s.topIps[0]).toEqual({ key: '10.9.0.9', count: 1, threats: 1, requests: 1 });
      expect(s.topIps.map((e) => e.key)).not.toContain('(other)');
      expect(s.topPaths.map((e) => e.key)).toEqual(['/u/9']);
    });

    it('prunes only requests older than the cut-off, in chunks', async () => {
      const small = withOptions({ pruneChunk: 3 });
      const old = Array.from({ length: 10 }, (_, i) => makeEvent(`old${i}`, { time: T0 - 10 * MIN + i }));
      const recent = Array.from({ length: 4 }, (_, i) => makeEvent(`new${i}`, { time: T0 + i }));
      await small.write({ events: [...old, ...recent], threats: [makeThreat(old[0]!)], checkpoints: [] });
      expect(await small.pruneRequests(T0)).toBe(10);
      expect(await small.pruneRequests(T0)).toBe(0);
      const { rows } = await small.sql.query<{ id: string }>('SELECT id FROM requests ORDER BY id');
      expect(rows.map((r) => r.id)).toEqual(['new0', 'new1', 'new2', 'new3']);
      expect(await small.getThreat('old0')).not.toBeNull();
      expect((await small.stats(T0 - 10 * MIN, T0 + MIN)).totalRequests).toBe(14);
    });

    it('round-trips IPv6 addresses', async () => {
      const ips = ['2001:db8::1', '::1', 'fe80::1%eth0', '2001:0db8:0000:0000:0000:ff00:0042:8329', '::ffff:192.0.2.1'];
      await store.write(batchOf(ips.map((ip, i) => makeThreat(makeEvent(`v6-${i}`, { ip })))));
      for (const [i, ip] of ips.entries()) {
        expect((await store.getThreat(`v6-${i}`))?.ip).toBe(ip);
        expect((await store.listThreats(query({ ip }))).items.map((t) => t.id)).toEqual([`v6-${i}`]);
      }
      const s = await store.stats(T0, T0 + MIN);
      expect(s.topIps.map((e) => e.key).sort()).toEqual([...ips].sort());
    });

    it('keeps hostile strings intact, except NUL which becomes U+FFFD', async () => {
      const big = 'A'.repeat(8190) + '\'"';
      const quote = `'; DROP TABLE threats; -- "\\x00 $1 %s`;
      const ev = makeEvent(`id'"\u0000`, {
        ip: '10.0.0.1\u0000',
        path: `/p\u0000ath/${'é'.repeat(300)}`,
        query: big,
        userAgent: quote,
        referer: '🧨\u0000',
        host: 'h\u0000',
      });
      const d = makeDetection({ fragment: 'frag\u0000', transforms: ['a"b', 'c\u0000'], detail: quote, field: 'arg:\u0000' });
      await store.write({
        events: [ev],
        threats: [makeThreat(ev, { detections: [d] })],
        checkpoints: [{ source: 's\u0000', fileId: 'f', offset: 1, line: 1, headHash: '\u0000' }],
      });
      const got = await store.getThreat(`id'"\u0000`);
      expect(got).toMatchObject({
        id: `id'"\uFFFD`,
        ip: '10.0.0.1\uFFFD',
        path: `/p\uFFFDath/${'é'.repeat(300)}`,
        query: big,
        userAgent: quote,
        referer: '🧨\uFFFD',
        host: 'h\uFFFD',
      });
      expect(got?.query).toHaveLength(8192);
      expect(got?.detections).toEqual([
        { ...d, fragment: 'frag\uFFFD', transforms: ['a"b', 'c\uFFFD'], field: 'arg:\uFFFD', simulated: false },
      ]);
      expect(await store.loadCheckpoints()).toEqual([{ source: 's\uFFFD', fileId: 'f', offset: 1, line: 1, headHash: '\uFFFD' }]);
      expect((await store.listThreats(query({ path: 'p\u0000ath' }))).total).toBe(1);
      expect((await store.listThreats(query({ ip: '10.0.0.1\u0000' }))).total).toBe(1);
      // The rollup keeps a bounded path key.
      expect((await store.stats(T0, T0 + MIN)).topPaths[0]?.key).toHaveLength(256);
      expect(await count(store, 'threats')).toBe(1);
    });

    it('stores the windows worth keeping with their batch, and a re-flush replaces a window', async () => {
      const busy = makeWindow('10.2.0.1', T0, { hits: 3, threatLevel: 'LEGITIMATE_BROWSER', knownBot: null });
      const quietBrowser = makeWindow('10.2.0.2', T0, { hits: 2, threatLevel: 'LEGITIMATE_BROWSER' });
      const quietBad = makeWindow('10.2.0.3', T0, {
        hits: 1,
        threatLevel: 'HIGH',
        scenarios: ['bruteforce', 'request-flood'],
        meanHeaderCount: 12.5,
        knownBot: 'Googlebot',
      });
      // One request from a tool or a known crawler: no row (they made ip_windows grow one row per request), only counted.
      const quietTool = makeWindow('10.2.0.6', T0, { hits: 1, threatLevel: 'LOW', knownBot: null });
      const quietBot = makeWindow('10.2.0.7', T0, { hits: 2, threatLevel: 'KNOWN_BOT', knownBot: 'bingbot' });
      const quietScenario = makeWindow('10.2.0.8', T0, { hits: 1, threatLevel: 'LOW', scenarios: ['aggressive-crawl'] });
      await store.write({
        events: [makeEvent('w-ev')],
        threats: [],
        checkpoints: [],
        windows: [busy, quietBrowser, quietBad, quietTool, quietBot, quietScenario],
      });
      expect(await count(store, 'ip_windows')).toBe(3);
      const all = await store.scores(T0, T0 + MIN, { sort: 'ip', order: 'asc', limit: 10, offset: 0 });
      expect(all).toEqual({ items: [busy, quietBad, quietScenario], total: 3 });
      expect(await store.windowTotals(T0, T0 + MIN)).toEqual({
        LEGITIMATE_BROWSER: { windows: 2, stored: 1, hits: 5 },
        HIGH: { windows: 1, stored: 1, hits: 1 },
        LOW: { windows: 2, stored: 1, hits: 2 },
        KNOWN_BOT: { windows: 1, stored: 0, hits: 2 },
      });
      expect(await store.windowTotals(T0 + MIN, T0 + 2 * MIN)).toEqual({});

      // The same window flushed again (e.g. after a restart) replaces the row; a batch repeating it keeps the last.
      const again = { ...busy, hits: 9, threatLevel: 'MEDIUM' as const, scenarios: ['http-probing' as const] };
      await store.write({ events: [], threats: [], checkpoints: [], windows: [busy, again] });
      expect(await count(store, 'ip_windows')).toBe(3);
      expect((await store.ipProfile('10.2.0.1', T0, T0 + MIN)).windows).toEqual([again]);

      // The threshold is a store option.
      const strict = withOptions({ windowMinHits: 10 });
      await strict.write({ events: [], threats: [], checkpoints: [], windows: [makeWindow('10.2.0.4', T0, { hits: 9, threatLevel: 'LEGITIMATE_BROWSER' })] });
      expect(await count(store, 'ip_windows')).toBe(3);

      // A window with a level outside the whitelist fails its whole batch.
      const bad = makeWindow('10.2.0.5', T0, { threatLevel: 'EVIL' as never });
      await expect(store.write({ events: [makeEvent('w-bad')], threats: [], checkpoints: [], windows: [bad] })).rejects.toBeInstanceOf(BadRequestError);
      expect(await store.getThreat('w-bad')).toBeNull();
      expect(await count(store, 'requests')).toBe(1);
    });

    it('lists scores in a period, filtered by threat level, sorted by whitelisted keys only, paged', async () => {
      const windows = [
        makeWindow('10.3.0.1', T0, { hits: 40, velocity: 0.5, threatLevel: 'HIGH' }),
        makeWindow('10.3.0.2', T0, { hits: 4, velocity: 0.25, threatLevel: 'LEGITIMATE_BROWSER' }),
        makeWindow('10.3.0.1', T0 + MIN, { hits: 20, velocity: 0.125, threatLevel: 'CRITICAL' }),
        makeWindow('2001:db8::7', T0 + 2 * MIN, { hits: 8, velocity: 1, threatLevel: 'KNOWN_BOT', knownBot: 'bingbot' }),
        makeWindow('10.3.0.3', T0 + 10 * MIN, { hits: 5, threatLevel: 'LOW' }),
      ];
      await store.write({ events: [], threats: [], checkpoints: [], windows });
      const q: ScoresQuery = { sort: 'time', order: 'desc', limit: 100, offset: 0 };
      const keys = async (over: Partial<ScoresQuery>, since = T0, until = T0 + 5 * MIN) =>
        (await store.scores(since, until, { ...q, ...over })).items.map((w) => `${w.ip}@${(w.start - T0) / MIN}`);

      expect(await keys({})).toEqual(['2001:db8::7@2', '10.3.0.1@1', '10.3.0.2@0', '10.3.0.1@0']);
      expect(await keys({}, T0 + MIN, T0 + 11 * MIN)).toEqual(['10.3.0.3@10', '2001:db8::7@2', '10.3.0.1@1']);
      expect(await keys({ threatLevel: ['HIGH', 'CRITICAL'] })).toEqual(['10.3.0.1@1', '10.3.0.1@0']);
      expect(await keys({ sort: 'threat_level' })).toEqual(['10.3.0.1@1', '10.3.0.1@0', '2001:db8::7@2', '10.3.0.2@0']);
      expect(await keys({ sort: 'hits', order: 'asc' })).toEqual(['10.3.0.2@0', '2001:db8::7@2', '10.3.0.1@1', '10.3.0.1@0']);
      expect(await keys({ sort: 'velocity' })).toEqual(['2001:db8::7@2', '10.3.0.1@0', '10.3.0.2@0', '10.3.0.1@1']);
      for (const sort of SCORE_SORTS) expect(await keys({ sort })).toHaveLength(4);
      const page = await store.scores(T0, T0 + 5 * MIN, { ...q, limit: 2, offset: 1 });
      expect(page.total).toBe(4);
      expect(page.items.map((w) => w.hits)).toEqual([20, 4]);

      await expect(store.scores(T0, T0 + MIN, { ...q, sort: 'hits; DROP TABLE ip_windows' as never })).rejects.toBeInstanceOf(BadRequestError);
      await expect(store.scores(T0, T0 + MIN, { ...q, order: 'desc, ip' as never })).rejects.toBeInstanceOf(BadRequestError);
      await expect(store.scores(T0, T0 + MIN, { ...q, threatLevel: ["HIGH' OR 1=1" as never] })).rejects.toBeInstanceOf(BadRequestError);
      await expect(store.scores(T0, T0 + MIN, { ...q, limit: 10_000 })).rejects.toBeInstanceOf(BadRequestError);
      expect(await count(store, 'ip_windows')).toBe(5);
    });

    it('profiles one IP: windows latest first, threats by category and severity, first and last seen', async () => {
      const ip = '198.51.100.9';
      const threats = [
        makeThreat(makeEvent('p1', { ip, time: T0 + 30_000 }), { category: 'sqli', severity: 'high' }),
        makeThreat(makeEvent('p2', { ip, time: T0 + 90_000 }), { category: 'xss', severity: 'medium' }),
        makeThreat(makeEvent('p3', { ip, time: T0 + 100_000 }), { category: 'sqli', severity: 'high' }),
        makeThreat(makeEvent('other', { time: T0 + 100_000 })),
      ];
      const windows = [
        makeWindow(ip, T0, { threatLevel: 'MEDIUM' }),
        makeWindow(ip, T0 + MIN, { threatLevel: 'HIGH', scenarios: ['http-probing'] }),
        makeWindow(ip, T0 + 2 * MIN, { threatLevel: 'LOW' }),
        makeWindow('198.51.100.10', T0 + 3 * MIN, { threatLevel: 'CRITICAL' }),
      ];
      await store.write({ ...batchOf(threats), windows });

      const p = await store.ipProfile(ip, T0, T0 + 10 * MIN, 2);
      expect(p).toMatchObject({
        ip,
        since: T0,
        until: T0 + 10 * MIN,
        firstSeen: T0,
        lastSeen: T0 + 3 * MIN,
        latestThreatLevel: 'LOW',
        windowsByThreatLevel: { MEDIUM: 1, HIGH: 1, LOW: 1 },
        threats: 3,
        threatsByCategory: { sqli: 2, xss: 1 },
        threatsBySeverity: { info: 0, low: 0, medium: 1, high: 2, critical: 0 },
      });
      expect(p.windows.map((w) => w.start)).toEqual([T0 + 2 * MIN, T0 + MIN]);
      expect(p.windows[1]).toEqual(windows[1]);

      const narrow = await store.ipProfile(ip, T0 + MIN, T0 + 2 * MIN);
      expect(narrow).toMatchObject({ firstSeen: T0 + MIN, lastSeen: T0 + 2 * MIN, latestThreatLevel: 'HIGH', threats: 2 });
      const unknown = await store.ipProfile('192.0.2.200', T0, T0 + 10 * MIN);
      expect(unknown).toMatchObject({ firstSeen: null, lastSeen: null, latestThreatLevel: null, threats: 0, windows: [] });

      // Reputation feeds back: the latest window says LOW, providers say the address is abusive.
      expect(p).toMatchObject({ threatLevel: 'LOW', reputation: null });
      const iocs = new IocRepository(store.sql);
      await iocs.recordEnrichment(
        { ioc: ip, type: 'ipv4', sources: [], risk_score: 85, risk_level: 'critical', categories: ['bruteforce'] },
        new Date(T0),
        new Date(T0 + 86_400_000),
      );
      const reputed = await store.ipProfile(ip, T0, T0 + 10 * MIN, 2);
      expect(reputed).toMatchObject({ latestThreatLevel: 'LOW', threatLevel: 'HIGH', reputation: { riskScore: 85, riskLevel: 'critical' } });
    });

    it('counts hits per rule per time bucket, and lists loaded rules that hit nothing', async () => {
      const H = 60 * MIN;
      const hit = (id: string, time: number, ruleId: string, simulated = false) =>
        makeThreat(makeEvent(id, { time }), { detections: [makeDetection({ ruleId, simulated })] });
      await store.write(
        batchOf([
          hit('h1', T0, 'noisy'),
          hit('h2', T0 + 5 * MIN, 'noisy'),
          hit('h3', T0 + H, 'noisy', true),
          hit('h4', T0 + 2 * H + 1, 'rare'),
          hit('h5', T0 - 3 * 24 * H, 'old'),
        ]),
      );
      const hourly = await store.ruleHits(T0, T0 + 3 * H, { bucket: 'hour' });
      expect(hourly).toEqual([
        { ruleId: 'noisy', total: 3, simulated: 1, points: [{ start: T0, count: 2 }, { start: T0 + H, count: 1 }] },
        { ruleId: 'rare', total: 1, simulated: 0, points: [{ start: T0 + 2 * H, count: 1 }] },
      ]);
      const dayStart = Math.floor(T0 / (24 * H)) * 24 * H;
      expect(await store.ruleHits(T0 - 4 * 24 * H, T0 + 3 * H, { bucket: 'day', limit: 1 })).toEqual([
        { ruleId: 'noisy', total: 3, simulated: 1, points: [{ start: dayStart, count: 3 }] },
      ]);
      expect(await store.ruleHits(T0 + 10 * H, T0 + 11 * H, { bucket: 'hour' })).toEqual([]);
      await expect(store.ruleHits(T0, T0 + H, { bucket: 'week' as never })).rejects.toBeInstanceOf(BadRequestError);

      const loaded = ['rare', 'silent-b', 'old', 'noisy', "x'); DROP TABLE threats; --", 'silent-a', 'silent-a'];
      expect(await store.silentRules(T0 - 24 * H, loaded)).toEqual(['old', 'silent-a', 'silent-b', "x'); DROP TABLE threats; --"]);
      expect(await store.silentRules(T0 - 4 * 24 * H, loaded)).not.toContain('old');
      expect(await store.silentRules(T0, [])).toEqual([]);
      expect(await count(store, 'threats')).toBe(5);
    });

    it('prunes IP windows with requests (same retention)', async () => {
      const windows = [makeWindow('10.4.0.1', T0 - 10 * MIN), makeWindow('10.4.0.1', T0 - MIN), makeWindow('10.4.0.2', T0)];
      await store.write({ events: [makeEvent('old', { time: T0 - 10 * MIN })], threats: [], checkpoints: [], windows });
      expect(await withOptions({ pruneChunk: 1 }).pruneRequests(T0 - MIN)).toBe(1);
      const left = await store.scores(T0 - 60 * MIN, T0 + MIN, { sort: 'time', order: 'asc', limit: 10, offset: 0 });
      expect(left.items.map((w) => w.start)).toEqual([T0 - MIN, T0]);
    });

    it('serialises concurrent writes without losing rollup counts, and rolls back a failed transaction', async () => {
      const batches = Array.from({ length: 6 }, (_, b) => ({
        events: Array.from({ length: 50 }, (_, i) => makeEvent(`c${b}-${i}`, { time: T0 + i * 1000 })),
        threats: [],
        checkpoints: [],
      }));
      await Promise.all(batches.map((batch) => store.write(batch)));
      expect((await store.stats(T0, T0 + MIN)).totalRequests).toBe(300);

      await expect(
        store.sql.transaction(async (tx) => {
          await tx.query(`INSERT INTO checkpoints (source, file_id, byte_offset, line, head_hash) VALUES ('x', 'f', 1, 1, 'h')`);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.loadCheckpoints()).toEqual([]);
    });
  });
}

function expectedTop(events: HttpEvent[], threats: ThreatEvent[], key: (e: HttpEvent) => string) {
  const m = new Map<string, { requests: number; threats: number }>();
  for (const e of events) {
    const c = m.get(key(e)) ?? { requests: 0, threats: 0 };
    c.requests++;
    m.set(key(e), c);
  }
  for (const t of threats) m.get(key(t.event))!.threats++;
  return [...m]
    .sort(([ka, a], [kb, b]) => b.threats - a.threats || b.requests - a.requests || (ka < kb ? -1 : 1))
    .map(([k, c]) => ({ key: k, count: c.threats, threats: c.threats, requests: c.requests }));
}
