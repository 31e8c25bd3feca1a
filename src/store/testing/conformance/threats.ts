/** Threats: written with their detections, listed with filters and whitelisted sorts, one by id, rule counts. */
import { expect, it } from 'vitest';
import { BadRequestError } from '../../../core/index.js';
import type { StoredThreat } from '../../threat-record.js';
import { THREAT_SORTS, type ThreatQuery } from '../../types.js';
import { makeDetection, makeEvent, makeThreat, T0 } from '../fixtures.js';
import { batchOf, count, MIN, query, type ConformanceSection } from './context.js';

export const threatConformance: ConformanceSection = (t) => {
    it('stores a threat\'s geo and attaches its source\'s reputation at or above the threshold', async () => {
      const geo = { kind: 'public', country: 'GB', countryName: 'United Kingdom', city: 'Bracknell', lat: 51.4036, lon: -0.7618, asn: 20712, asOrg: 'Andrews & Arnold Ltd' };
      await t.store.writer.write(batchOf([makeThreat(makeEvent('g1', { ip: '81.2.69.160' }), { geo }), makeThreat(makeEvent('g2', { ip: '10.0.0.1' }), { geo: { kind: 'private' } })]));
      expect((await t.store.threats.get('g1'))?.geo).toEqual(geo);
      expect((await t.store.threats.get('g2'))?.geo).toEqual({ kind: 'private' });
      expect((await t.store.threats.get('g1'))?.reputation).toBeNull();
      const iocs = t.store.iocs;
      const result = { ioc: '81.2.69.160', type: 'ipv4' as const, sources: [], risk_score: 80, risk_level: 'critical' as const, categories: ['bruteforce'] };
      await iocs.recordEnrichment(result, new Date(T0), new Date(T0 + 86_400_000));
      expect((await t.store.threats.get('g1'))?.reputation).toEqual({ riskScore: 80, riskLevel: 'critical', categories: ['bruteforce'], updatedAt: T0 });
      const listed = await t.store.threats.list(query());
      expect(listed.items.find((t) => t.id === 'g1')?.reputation?.riskScore).toBe(80);
      // Below the threshold (default 25): no reputation.
      await iocs.recordEnrichment({ ...result, risk_score: 10, risk_level: 'low' }, new Date(T0), new Date(T0 + 86_400_000));
      expect((await t.store.threats.get('g1'))?.reputation).toBeNull();
    });

    it('writes threats with their detections and reads them back', async () => {
      const detections = [
        makeDetection({ transforms: ['urlDecode', 'htmlEntityDecode'], detail: 'decoded twice' }),
        makeDetection({ ruleId: 'xss-script-tag', category: 'xss', severity: 'medium', field: 'arg:q', simulated: true, confidence: 0.5 }),
      ];
      const ev = makeEvent('t1', { query: "id=1' union select", status: 403, bytes: 2 ** 40, referer: 'https://r.example/' });
      await t.store.writer.write(batchOf([makeThreat(ev, { detections, score: 0.75 })], [makeEvent('plain')]));

      const expected: StoredThreat = {
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
      expect(await t.store.threats.get('t1')).toEqual(expected);
      expect(await t.store.threats.get('plain')).toBeNull();
      expect(await t.store.threats.list(query())).toEqual({ items: [expected], total: 1 });
      expect(await count(t.store, 'requests')).toBe(2);
      expect(await t.store.threats.topRules(T0, T0 + MIN)).toEqual([
        { key: 'sqli-union-select', count: 1 },
        { key: 'xss-script-tag', count: 1 },
      ]);
      expect(await t.store.threats.topRules(T0 + MIN, T0 + 2 * MIN)).toEqual([]);
    });

    it('filters, sorts by whitelisted columns only, and pages with a total', async () => {
      const threats = [
        makeThreat(makeEvent('a', { time: T0, ip: '10.0.0.1', path: '/login', status: 401 }), { severity: 'low', category: 'bruteforce', score: 0.2 }),
        makeThreat(makeEvent('b', { time: T0 + 1000, ip: '10.0.0.2', path: '/admin/login', status: 404 }), { severity: 'critical', category: 'sqli', score: 0.9 }),
        makeThreat(makeEvent('c', { time: T0 + 2000, ip: '10.0.0.1', path: '/search', status: 200 }), { severity: 'medium', category: 'xss', score: 0.5 }),
        makeThreat(makeEvent('d', { time: T0 + 3000, ip: '10.0.0.3', path: '/wp-login.php', status: 500 }), { severity: 'high', category: 'sqli', score: 0.7 }),
      ];
      await t.store.writer.write(batchOf(threats));
      const ids = async (q: Partial<ThreatQuery>) => (await t.store.threats.list(query(q))).items.map((t) => t.id);

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

      const page = await t.store.threats.list(query({ sort: 'time', order: 'asc', limit: 2, offset: 1 }));
      expect(page.items.map((t) => t.id)).toEqual(['b', 'c']);
      expect(page.total).toBe(4);

      const hostile = query({ sort: 'time; DROP TABLE threats; --' as never });
      await expect(t.store.threats.list(hostile)).rejects.toBeInstanceOf(BadRequestError);
      await expect(t.store.threats.list(query({ order: 'desc, id' as never }))).rejects.toBeInstanceOf(BadRequestError);
      await expect(t.store.threats.list(query({ limit: 10_000 }))).rejects.toBeInstanceOf(BadRequestError);
      expect(await count(t.store, 'threats')).toBe(4);
    });

    it('matches a path substring literally: % _ and \\ are not patterns', async () => {
      const paths = { pct: '/a%b', und: '/a_b', plain: '/axb', bs: '/a\\b', both: '/x%_y' };
      await t.store.writer.write(
        batchOf(Object.entries(paths).map(([id, path]) => makeThreat(makeEvent(id, { path })))),
      );
      const ids = async (path: string) =>
        (await t.store.threats.list(query({ path, sort: 'ip', order: 'asc' }))).items.map((t) => t.id).sort();
      expect(await ids('%')).toEqual(['both', 'pct']);
      expect(await ids('a_b')).toEqual(['und']);
      expect(await ids('_')).toEqual(['both', 'und']);
      expect(await ids('a\\b')).toEqual(['bs']);
      expect(await ids('%_')).toEqual(['both']);
      expect(await ids('a')).toEqual(['bs', 'pct', 'plain', 'und']);
    });

    it('round-trips IPv6 addresses', async () => {
      const ips = ['2001:db8::1', '::1', 'fe80::1%eth0', '2001:0db8:0000:0000:0000:ff00:0042:8329', '::ffff:192.0.2.1'];
      await t.store.writer.write(batchOf(ips.map((ip, i) => makeThreat(makeEvent(`v6-${i}`, { ip })))));
      for (const [i, ip] of ips.entries()) {
        expect((await t.store.threats.get(`v6-${i}`))?.ip).toBe(ip);
        expect((await t.store.threats.list(query({ ip }))).items.map((t) => t.id)).toEqual([`v6-${i}`]);
      }
      const s = await t.store.rollups.stats(T0, T0 + MIN);
      expect(s.topIps.map((e) => e.key).sort()).toEqual([...ips].sort());
    });
};
