/** IOCs: the enrichment collector's queue (upsert, claim, record) and the Grafana views over its history. */
import { expect, it } from 'vitest';
import type { EnrichmentResult } from '../../../enrich/index.js';
import { IocRepository } from '../../ioc-repository.js';
import { migration } from '../../migrations/0002_enrichment.js';
import type { ConformanceSection } from './context.js';

const T0 = new Date('2025-03-01T12:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const HOUR = 3_600_000;

function result(ioc: string, score: number, over: Partial<EnrichmentResult> = {}): EnrichmentResult {
  return {
    ioc,
    type: ioc.includes(':') ? 'ipv6' : /^\d/.test(ioc) ? 'ipv4' : 'domain',
    sources: [
      { source: 'abuseipdb', status: 'ok', data: { abuse_confidence: score, categories: ['ssh'], note: 'nul\u0000byte' }, duration_ms: 12.5 },
      { source: 'virustotal', status: 'error', data: null, error: 'virustotal x: HTTP 503', duration_ms: 800 },
      { source: 'otx', status: 'skipped', data: null, error: 'no API key (set OTX_API_KEY)', duration_ms: 0 },
    ],
    risk_score: score,
    risk_level: score >= 80 ? 'critical' : score > 0 ? 'low' : 'none',
    categories: ['ssh'],
    geo: { ip: ioc, kind: 'public', country: { iso: 'DE', name: 'Germany' }, asn: { number: 3320, org: 'DTAG' }, location: { lat: 52.5, lon: 13.4 } },
    ...over,
  };
}

/** Two lookups of 5.6.7.8 a day apart (85, then 10) and one of evil.example (40, no geo) at T0. */
async function recordHistory(repo: IocRepository): Promise<void> {
  await repo.upsertIocs([{ value: '5.6.7.8', type: 'ipv4', priority: 10 }], T0);
  await repo.recordEnrichment(result('5.6.7.8', 85), T0, at(24 * HOUR));
  await repo.recordEnrichment(result('5.6.7.8', 10), at(25 * HOUR), at(49 * HOUR));
  await repo.recordEnrichment(result('evil.example', 40, { geo: undefined }), T0, at(HOUR));
}

export const iocConformance: ConformanceSection = (t) => {
  // The collector's lease in these cases is an hour (the store's default is ten minutes).
  const repo = () => new IocRepository(t.store.sql, { leaseMs: HOUR });

  it('the enrichment migration is idempotent', async () => {
    await t.store.sql.exec(migration.sql);
  });

  it('upsert canonicalises, raises priority, never lowers it', async () => {
    const iocs = repo();
    await iocs.upsertIocs([{ value: '2001:DB8:0::1', type: 'ipv6', priority: 10 }, { value: ' 8.8.8.8 ', type: 'ipv4', priority: 20 }], T0);
    await iocs.upsertIocs([{ value: '8.8.8.8', type: 'ipv4', priority: 50 }], T0);
    await iocs.upsertIocs([{ value: '8.8.8.8', type: 'ipv4', priority: 5 }], T0);
    const { rows } = await t.store.sql.query<{ value: string; priority: number }>(`SELECT value, priority FROM ioc ORDER BY value`);
    expect(rows).toEqual([
      { value: '2001:db8::1', priority: 10 },
      { value: '8.8.8.8', priority: 50 },
    ]);
    await expect(iocs.upsertIocs([{ value: 'not an ioc!', type: 'domain', priority: 1 }], T0)).rejects.toThrow(/unsupported indicator/);
  });

  it('selectDue: most suspicious first, batch size, no private ranges or known-good, claims rows', async () => {
    const iocs = repo();
    await iocs.upsertIocs(
      [
        { value: '1.1.1.1', type: 'ipv4', priority: 10 },
        { value: '2.2.2.2', type: 'ipv4', priority: 90 },
        { value: '3.3.3.3', type: 'ipv4', priority: 50 },
        { value: '10.0.0.1', type: 'ipv4', priority: 100 },
        { value: 'fd00::1', type: 'ipv6', priority: 100 },
        { value: '66.249.66.1', type: 'ipv4', priority: 100 },
        { value: 'evil.example', type: 'domain', priority: 30 },
      ],
      T0,
    );
    await iocs.markKnownGood('66.249.66.1');
    expect(await iocs.selectDue(2, T0)).toEqual([
      { value: '2.2.2.2', type: 'ipv4' },
      { value: '3.3.3.3', type: 'ipv4' },
    ]);
    // Claimed rows are not handed out again within the lease.
    expect((await iocs.selectDue(10, T0)).map((d) => d.value)).toEqual(['evil.example', '1.1.1.1']);
    expect(await iocs.selectDue(10, T0)).toEqual([]);
    // After the lease, unrecorded rows are due again.
    expect((await iocs.selectDue(10, at(HOUR + 1))).length).toBe(4);
  });

  it('record, then due only after the TTL; summary and history kept', async () => {
    const iocs = repo();
    await iocs.upsertIocs([{ value: '5.6.7.8', type: 'ipv4', priority: 10 }], T0);
    await iocs.recordEnrichment(result('5.6.7.8', 85), T0, at(24 * HOUR));
    expect(await iocs.selectDue(10, at(23 * HOUR))).toEqual([]);
    expect(await iocs.selectDue(10, at(24 * HOUR))).toEqual([{ value: '5.6.7.8', type: 'ipv4' }]);
    const s = await iocs.latestSummary('::ffff:5.6.7.8');
    expect(s).toMatchObject({ value: '5.6.7.8', type: 'ipv4', risk_score: 85, risk_level: 'critical', categories: ['ssh'], geo: { country: { iso: 'DE' } } });
    expect(s!.updated_at.getTime()).toBe(T0.getTime());
    await iocs.recordEnrichment(result('5.6.7.8', 10), at(25 * HOUR), at(49 * HOUR));
    expect((await iocs.latestSummary('5.6.7.8'))!.risk_score).toBe(10);
    const { rows } = await t.store.sql.query<{ n: string | number }>(`SELECT count(*) AS n FROM enrichment`);
    expect(Number(rows[0]!.n)).toBe(6);
    expect(await iocs.latestSummary('9.9.9.9')).toBeNull();
  });

  it('records indicators looked up outside the collector (API)', async () => {
    const iocs = repo();
    await iocs.recordEnrichment(result('5.6.7.8', 10), T0, at(HOUR));
    await iocs.recordEnrichment(result('evil.example', 40, { geo: undefined }), T0, at(HOUR));
    const m = await iocs.latestSummaries(['evil.example', '5.6.7.8', '4.4.4.4']);
    expect([...m.keys()].sort()).toEqual(['5.6.7.8', 'evil.example']);
  });

  it('Grafana views answer with a time column', async () => {
    await recordHistory(repo());
    const sql = t.store.sql;
    const latest = await sql.query<Record<string, unknown>>(`SELECT * FROM grafana_ioc_latest ORDER BY "time" DESC`);
    expect(latest.rows[0]).toMatchObject({ value: '5.6.7.8', risk_score: 10 });
    expect(latest.rows.find((r) => r.value === 'evil.example')).toMatchObject({ risk_score: 40, latitude: null });
    expect(latest.rows.find((r) => r.value === '5.6.7.8')).toMatchObject({ country: 'DE', latitude: 52.5, longitude: 13.4 });
    const trend = await sql.query<Record<string, unknown>>(`SELECT * FROM grafana_source_score_trend ORDER BY "time"`);
    expect(trend.rows[0]).toMatchObject({ source: 'abuseipdb', avg_score: 62.5, max_score: 85 });
    expect(trend.rows.at(-1)).toMatchObject({ source: 'abuseipdb', avg_score: 10 });
    const errs = await sql.query<Record<string, unknown>>(`SELECT source, sum(errors)::int AS errors FROM grafana_source_errors GROUP BY source ORDER BY source`);
    expect(errs.rows).toEqual([
      { source: 'abuseipdb', errors: 0 },
      { source: 'otx', errors: 0 },
      { source: 'virustotal', errors: 3 },
    ]);
  });
};
