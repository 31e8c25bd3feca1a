/**
 * SOC analytics (issue #11): the hourly site and attacking-IP rollups against the rows written, keyset paging
 * of detections and traffic, literal and CIDR filters, verdicts, recurrence, and the generation counter.
 */
import { expect, it } from 'vitest';
import { BadRequestError, type HttpEvent, type Severity, type ThreatEvent } from '../../../core/index.js';
import type { KeysetCursor } from '../../keyset.js';
import { makeDetection, makeEvent, makeThreat, T0 } from '../fixtures.js';
import { MIN, type ConformanceSection } from './context.js';

const HOUR = 60 * MIN;
const SEV: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** 3 hosts × 6 hours; every 5th request a threat from 4 IPs with geo, one host-less; one simulation-only threat. */
function seed() {
  const events: HttpEvent[] = [];
  const threats: ThreatEvent[] = [];
  for (let i = 0; i < 360; i++) {
    const host = i % 10 === 9 ? null : ['a.example', 'B.example', 'c.example'][i % 3]!;
    const e = makeEvent(`a${String(i).padStart(4, '0')}`, {
      time: T0 + i * MIN,
      ip: i % 5 === 0 ? `198.51.100.${(i / 5) % 4}` : `10.0.${i % 7}.1`,
      host,
      path: i % 2 ? '/a_b%x' : '/axbyx',
      userAgent: i % 3 ? 'Mozilla/5.0 Firefox/126.0' : 'Googlebot/2.1',
      status: i % 4 ? 200 : 404,
    });
    events.push(e);
    if (i % 5 === 0) {
      const k = (i / 5) % 4;
      threats.push(
        makeThreat(e, {
          severity: SEV[(i / 5) % 5]!,
          score: 0.1 + ((i / 5) % 9) / 10,
          detections: [makeDetection({ ruleId: 'r-one' }), makeDetection({ ruleId: k === 3 ? 'bf' : 'r-two', field: k === 3 ? 'behaviour' : 'path' })],
          geo: { kind: 'public', country: ['DE', 'FR', 'US', 'DE'][k]!, asn: 64500 + k, asOrg: `Org ${k}`, lat: 50 + k, lon: 8 + k },
        }),
      );
    }
  }
  // Simulation-only: stored as evidence, never counted.
  const sim = makeEvent('sim0000000000001', { time: T0 + 10 * MIN, ip: '192.0.2.99', host: 'a.example' });
  threats.push(makeThreat(sim, { severity: 'critical', detections: [makeDetection({ simulated: true })] }));
  events.push(sim);
  return { events, threats };
}

export const analyticsConformance: ConformanceSection = (t) => {
  const write = async () => {
    const data = seed();
    // Two batches, so the rollups are added to, not only inserted.
    await t.store.writer.write({ events: data.events.slice(0, 200), threats: data.threats.filter((x) => data.events.slice(0, 200).includes(x.event)), checkpoints: [] });
    await t.store.writer.write({ events: data.events.slice(200), threats: data.threats.filter((x) => data.events.slice(200).includes(x.event)), checkpoints: [] });
    return data;
  };
  const real = (d: ReturnType<typeof seed>) => d.threats.filter((x) => !x.detections.every((h) => h.simulated));
  const all = { since: T0, until: T0 + 6 * HOUR };

  it('answers totals, timelines, heatmap and top attackers from the hourly rollups, per site too', async () => {
    const g0 = await t.store.analytics.generation();
    const d = await write();
    expect(await t.store.analytics.generation()).toBe(g0 + 2);
    const th = real(d);
    // The rollups alone answer: deleting raw rows changes nothing.
    await t.store.sql.query('DELETE FROM threat_hits');
    await t.store.sql.query('DELETE FROM threats');
    await t.store.sql.query('DELETE FROM requests');

    const totals = await t.store.analytics.totals(all, {});
    expect(totals.requests).toBe(d.events.length);
    expect(totals.threats).toBe(th.length);
    expect(totals.uniqueIps).toBe(4);
    for (const s of SEV) expect(totals.bySeverity[s]).toBe(th.filter((x) => x.severity === s).length);

    const onB = await t.store.analytics.totals(all, { host: 'b.example' });
    expect(onB.requests).toBe(d.events.filter((e) => e.host === 'B.example').length);
    expect(onB.threats).toBe(th.filter((x) => x.event.host === 'B.example').length);
    const noHost = await t.store.analytics.hourly(all, { host: '' } as never);
    expect(noHost.reduce((n, h) => n + h.requests, 0)).toBe(d.events.filter((e) => e.host === null).length);

    const hours = await t.store.analytics.hourly(all, {});
    expect(hours).toHaveLength(6);
    expect(hours[0]).toMatchObject({ hour: T0, requests: 61, threats: th.filter((x) => x.event.time < T0 + HOUR).length });
    expect(hours.reduce((n, h) => n + h.bySeverity.critical, 0)).toBe(th.filter((x) => x.severity === 'critical').length);

    const heat = await t.store.analytics.heatmap(all, {});
    // 2025-01-15 is a Wednesday (3); T0 is 12:00 UTC.
    expect(heat.map((c) => [c.dow, c.hour])).toEqual([12, 13, 14, 15, 16, 17].map((h) => [3, h]));
    expect(heat.reduce((n, c) => n + c.threats, 0)).toBe(th.length);

    const top = await t.store.analytics.topAttackers(all, {}, 2);
    expect(top).toHaveLength(2);
    const ip0 = th.filter((x) => x.event.ip === top[0]!.ip);
    expect(top[0]).toMatchObject({ threats: ip0.length, country: ip0[0]!.geo!.country, asn: ip0[0]!.geo!.asn });
    expect(top[0]!.maxScore).toBeCloseTo(Math.max(...ip0.map((x) => x.score)), 5);

    const countries = await t.store.analytics.geo(all, {}, 'country', 10);
    expect(countries[0]).toMatchObject({ key: 'DE', ips: 2, threats: th.filter((x) => x.geo?.country === 'DE').length, worstSeverity: 'critical' });
    const asns = await t.store.analytics.geo(all, { country: ['FR'] }, 'asn', 10);
    expect(asns).toEqual([expect.objectContaining({ key: '64501', name: 'Org 1', ips: 1 })]);
    expect(await t.store.analytics.geo(all, { ip: { cidr: '198.51.100.0/31', single: false } }, 'country', 10)).toHaveLength(2);

    const points = await t.store.analytics.mapPoints(all, {}, 'critical', 100);
    expect(points.reduce((n, p) => n + p.count, 0)).toBe(th.filter((x) => x.severity === 'critical').length);
    expect(points.every((p) => p.worstSeverity === 'critical')).toBe(true);

    const rec = await t.store.analytics.recurrence('198.51.100.0');
    expect(rec).toMatchObject({ threatHours: 6, threatDays: 1, firstThreat: T0, lastThreat: T0 + 5 * HOUR });

    expect(() => t.store.analytics.totals(all, { q: 'x' })).toThrow(BadRequestError);
  });

  it('lists detections and traffic with filters, totals and keyset pages that match offset pages', async () => {
    const d = await write();
    const th = real(d);
    const base = { ...all, order: 'desc' as const, offset: 0 };

    const det = await t.store.detections.list({ ...base, sort: 'time', limit: 1000 });
    expect(det.total).toBe(d.threats.reduce((n, x) => n + x.detections.length, 0));
    expect(det.exact).toBe(true);
    // Newest threat first, its hits in reverse number order.
    expect(det.items.slice(0, 2).map((x) => x.id)).toEqual([`${th.at(-1)!.event.id}-1`, `${th.at(-1)!.event.id}-0`]);
    const behaviour = await t.store.detections.list({ ...base, sort: 'time', limit: 1000, kind: ['behaviour'] });
    expect(behaviour.total).toBe(th.filter((x) => x.detections.some((h) => h.field === 'behaviour')).length);
    expect(behaviour.items.every((x) => x.kind === 'behaviour' && x.ruleId === 'bf')).toBe(true);
    const de = await t.store.detections.list({ ...base, sort: 'time', limit: 1000, country: ['DE'], rule: ['r-one'] });
    expect(de.total).toBe(th.filter((x) => x.geo?.country === 'DE').length);

    // Walk by cursor, 7 at a time: the same rows as one big page, in the same order.
    const walked: string[] = [];
    let cursor: KeysetCursor | undefined;
    for (;;) {
      const page = await t.store.detections.list({ ...base, sort: 'time', limit: 7, ...(cursor ? { cursor } : {}) });
      walked.push(...page.items.map((x) => x.id));
      const last = page.items.at(-1);
      if (page.items.length < 7 || !last) break;
      cursor = { time: last.time, id: last.id, order: 'desc' };
    }
    expect(walked).toEqual(det.items.map((x) => x.id));

    const traffic = await t.store.traffic.list({ ...base, limit: 1000 });
    expect(traffic.total).toBe(d.events.length);
    const tw: string[] = [];
    let tc: KeysetCursor | undefined;
    for (;;) {
      const page = await t.store.traffic.list({ ...base, order: 'asc', limit: 50, ...(tc ? { cursor: tc } : {}) });
      tw.push(...page.items.map((x) => x.id));
      const last = page.items.at(-1);
      if (page.items.length < 50 || !last) break;
      tc = { time: last.time, id: last.id, order: 'asc' };
    }
    expect(tw).toEqual([...traffic.items].reverse().map((x) => x.id));

    // Literal matching: `_` and `%` are characters, not wildcards.
    const literal = await t.store.traffic.list({ ...base, limit: 1000, q: 'a_b%' });
    expect(literal.total).toBe(d.events.filter((e) => e.path === '/a_b%x').length);
    const bots = await t.store.traffic.list({ ...base, limit: 1000, bot: 'googlebot', status: { codes: [], classes: [4] } });
    expect(bots.total).toBe(d.events.filter((e) => e.userAgent?.startsWith('Googlebot') && e.status === 404).length);
    const net = await t.store.traffic.list({ ...base, limit: 1000, ip: { cidr: '198.51.100.0/30', single: false } });
    expect(net.total).toBe(d.events.filter((e) => e.ip.startsWith('198.51.100.')).length);
    await expect(t.store.traffic.list({ ...base, limit: 10, country: ['DE'] })).rejects.toThrow(/country.*not supported/);
    await expect(t.store.traffic.list({ ...base, limit: 10, cursor: { time: T0, id: 'x', order: 'asc' } })).rejects.toThrow(BadRequestError);

    const recent = await t.store.traffic.recent('198.51.100.1', all.since, all.until, 3);
    expect(recent.map((r) => r.time)).toEqual(d.events.filter((e) => e.ip === '198.51.100.1').map((e) => e.time).reverse().slice(0, 3));
  });

  it('keeps every verdict with who and when, latest first', async () => {
    await t.store.verdicts.add({ ip: '203.0.113.7', verdict: 'suspicious', comment: 'scans', analyst: 'alice', at: T0 });
    const v = await t.store.verdicts.add({ ip: '203.0.113.7', verdict: 'legitimate', comment: 'our monitor', analyst: 'bob', at: T0 + MIN });
    await t.store.verdicts.add({ ip: '198.51.100.1', verdict: 'malicious', comment: '', analyst: 'anonymous', at: T0 + 2 * MIN });
    expect(v).toMatchObject({ ip: '203.0.113.7', verdict: 'legitimate', analyst: 'bob', createdAt: T0 + MIN });
    const mine = await t.store.verdicts.list({ ip: '203.0.113.7', order: 'desc', limit: 10, offset: 0 });
    expect(mine.items.map((x) => x.verdict)).toEqual(['legitimate', 'suspicious']);
    expect(mine.total).toBe(2);
    const bad = await t.store.verdicts.list({ verdict: ['malicious', 'bot'], order: 'desc', limit: 10, offset: 0 });
    expect(bad.items.map((x) => x.ip)).toEqual(['198.51.100.1']);
  });
};
