/** IP windows: the ones worth a row stored, scores, per-IP profile, totals per level, prune. */
import { expect, it } from 'vitest';
import { BadRequestError } from '../../../core/index.js';
import { SCORE_SORTS, type ScoresQuery } from '../../types.js';
import { makeEvent, makeThreat, makeWindow, T0 } from '../fixtures.js';
import { batchOf, count, MIN, type ConformanceSection } from './context.js';

export const windowConformance: ConformanceSection = (t) => {
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
      await t.store.writer.write({
        events: [makeEvent('w-ev')],
        threats: [],
        checkpoints: [],
        windows: [busy, quietBrowser, quietBad, quietTool, quietBot, quietScenario],
      });
      expect(await count(t.store, 'ip_windows')).toBe(3);
      const all = await t.store.windows.scores(T0, T0 + MIN, { sort: 'ip', order: 'asc', limit: 10, offset: 0 });
      expect(all).toEqual({ items: [busy, quietBad, quietScenario], total: 3 });
      expect(await t.store.windows.totals(T0, T0 + MIN)).toEqual({
        LEGITIMATE_BROWSER: { windows: 2, stored: 1, hits: 5 },
        HIGH: { windows: 1, stored: 1, hits: 1 },
        LOW: { windows: 2, stored: 1, hits: 2 },
        KNOWN_BOT: { windows: 1, stored: 0, hits: 2 },
      });
      expect(await t.store.windows.totals(T0 + MIN, T0 + 2 * MIN)).toEqual({});

      // The same window flushed again (e.g. after a restart) replaces the row; a batch repeating it keeps the last.
      const again = { ...busy, hits: 9, threatLevel: 'MEDIUM' as const, scenarios: ['http-probing' as const] };
      await t.store.writer.write({ events: [], threats: [], checkpoints: [], windows: [busy, again] });
      expect(await count(t.store, 'ip_windows')).toBe(3);
      expect((await t.store.windows.profile('10.2.0.1', T0, T0 + MIN)).windows).toEqual([again]);

      // The threshold is a store option.
      const strict = t.withOptions({ windowMinHits: 10 });
      await strict.writer.write({ events: [], threats: [], checkpoints: [], windows: [makeWindow('10.2.0.4', T0, { hits: 9, threatLevel: 'LEGITIMATE_BROWSER' })] });
      expect(await count(t.store, 'ip_windows')).toBe(3);

      // A window with a level outside the whitelist fails its whole batch.
      const bad = makeWindow('10.2.0.5', T0, { threatLevel: 'EVIL' as never });
      await expect(t.store.writer.write({ events: [makeEvent('w-bad')], threats: [], checkpoints: [], windows: [bad] })).rejects.toBeInstanceOf(BadRequestError);
      expect(await t.store.threats.get('w-bad')).toBeNull();
      expect(await count(t.store, 'requests')).toBe(1);
    });

    it('lists scores in a period, filtered by threat level, sorted by whitelisted keys only, paged', async () => {
      const windows = [
        makeWindow('10.3.0.1', T0, { hits: 40, velocity: 0.5, threatLevel: 'HIGH' }),
        makeWindow('10.3.0.2', T0, { hits: 4, velocity: 0.25, threatLevel: 'LEGITIMATE_BROWSER' }),
        makeWindow('10.3.0.1', T0 + MIN, { hits: 20, velocity: 0.125, threatLevel: 'CRITICAL' }),
        makeWindow('2001:db8::7', T0 + 2 * MIN, { hits: 8, velocity: 1, threatLevel: 'KNOWN_BOT', knownBot: 'bingbot' }),
        makeWindow('10.3.0.3', T0 + 10 * MIN, { hits: 5, threatLevel: 'LOW' }),
      ];
      await t.store.writer.write({ events: [], threats: [], checkpoints: [], windows });
      const q: ScoresQuery = { sort: 'time', order: 'desc', limit: 100, offset: 0 };
      const keys = async (over: Partial<ScoresQuery>, since = T0, until = T0 + 5 * MIN) =>
        (await t.store.windows.scores(since, until, { ...q, ...over })).items.map((w) => `${w.ip}@${(w.start - T0) / MIN}`);

      expect(await keys({})).toEqual(['2001:db8::7@2', '10.3.0.1@1', '10.3.0.2@0', '10.3.0.1@0']);
      expect(await keys({}, T0 + MIN, T0 + 11 * MIN)).toEqual(['10.3.0.3@10', '2001:db8::7@2', '10.3.0.1@1']);
      expect(await keys({ threatLevel: ['HIGH', 'CRITICAL'] })).toEqual(['10.3.0.1@1', '10.3.0.1@0']);
      expect(await keys({ sort: 'threat_level' })).toEqual(['10.3.0.1@1', '10.3.0.1@0', '2001:db8::7@2', '10.3.0.2@0']);
      expect(await keys({ sort: 'hits', order: 'asc' })).toEqual(['10.3.0.2@0', '2001:db8::7@2', '10.3.0.1@1', '10.3.0.1@0']);
      expect(await keys({ sort: 'velocity' })).toEqual(['2001:db8::7@2', '10.3.0.1@0', '10.3.0.2@0', '10.3.0.1@1']);
      for (const sort of SCORE_SORTS) expect(await keys({ sort })).toHaveLength(4);
      const page = await t.store.windows.scores(T0, T0 + 5 * MIN, { ...q, limit: 2, offset: 1 });
      expect(page.total).toBe(4);
      expect(page.items.map((w) => w.hits)).toEqual([20, 4]);

      await expect(t.store.windows.scores(T0, T0 + MIN, { ...q, sort: 'hits; DROP TABLE ip_windows' as never })).rejects.toBeInstanceOf(BadRequestError);
      await expect(t.store.windows.scores(T0, T0 + MIN, { ...q, order: 'desc, ip' as never })).rejects.toBeInstanceOf(BadRequestError);
      await expect(t.store.windows.scores(T0, T0 + MIN, { ...q, threatLevel: ["HIGH' OR 1=1" as never] })).rejects.toBeInstanceOf(BadRequestError);
      await expect(t.store.windows.scores(T0, T0 + MIN, { ...q, limit: 10_000 })).rejects.toBeInstanceOf(BadRequestError);
      expect(await count(t.store, 'ip_windows')).toBe(5);
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
      await t.store.writer.write({ ...batchOf(threats), windows });

      const p = await t.store.windows.profile(ip, T0, T0 + 10 * MIN, 2);
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

      const narrow = await t.store.windows.profile(ip, T0 + MIN, T0 + 2 * MIN);
      expect(narrow).toMatchObject({ firstSeen: T0 + MIN, lastSeen: T0 + 2 * MIN, latestThreatLevel: 'HIGH', threats: 2 });
      const unknown = await t.store.windows.profile('192.0.2.200', T0, T0 + 10 * MIN);
      expect(unknown).toMatchObject({ firstSeen: null, lastSeen: null, latestThreatLevel: null, threats: 0, windows: [] });

      // Reputation feeds back: the latest window says LOW, providers say the address is abusive.
      expect(p).toMatchObject({ threatLevel: 'LOW', reputation: null });
      const iocs = t.store.iocs;
      await iocs.recordEnrichment(
        { ioc: ip, type: 'ipv4', sources: [], risk_score: 85, risk_level: 'critical', categories: ['bruteforce'] },
        new Date(T0),
        new Date(T0 + 86_400_000),
      );
      const reputed = await t.store.windows.profile(ip, T0, T0 + 10 * MIN, 2);
      expect(reputed).toMatchObject({ latestThreatLevel: 'LOW', threatLevel: 'HIGH', reputation: { riskScore: 85, riskLevel: 'critical' } });
    });

    // The retention (src/pipeline/retention.ts) prunes windows with the requests: both are raw behaviour.
    it('prunes IP windows with requests (same retention)', async () => {
      const windows = [makeWindow('10.4.0.1', T0 - 10 * MIN), makeWindow('10.4.0.1', T0 - MIN), makeWindow('10.4.0.2', T0)];
      await t.store.writer.write({ events: [makeEvent('old', { time: T0 - 10 * MIN })], threats: [], checkpoints: [], windows });
      const small = t.withOptions({ pruneChunk: 1 });
      expect(await small.requests.prune(T0 - MIN)).toBe(1);
      expect(await small.windows.prune(T0 - MIN)).toBe(1);
      const left = await t.store.windows.scores(T0 - 60 * MIN, T0 + MIN, { sort: 'time', order: 'asc', limit: 10, offset: 0 });
      expect(left.items.map((w) => w.start)).toEqual([T0 - MIN, T0]);
    });
};
