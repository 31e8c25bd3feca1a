import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ThreatEvent } from '../core/index.js';
import { IocRepository, type SqlClient } from '../store/index.js';
import { ResultCache } from './cache.js';
import { Collector } from './collector.js';
import type { CollectorOptions } from './collector.js';
import { enrichConfigSchema } from './config.js';
import { createProviders } from './providers/index.js';
import { EnrichmentService } from './service.js';
import { MemoryState } from './state/memory.js';
import { FAKE_KEYS, startFakeIntel } from './testing/fake-intel.js';
import type { FakeIntel } from './testing/fake-intel.js';
import { openPglite } from './testing/sql.js';

const HOUR = 3_600_000;
let fake: FakeIntel;
let sql: SqlClient;
let repo: IocRepository;
let now: number;

beforeAll(async () => {
  fake = await startFakeIntel();
  sql = await openPglite();
  repo = new IocRepository(sql, { leaseMs: HOUR });
});
afterAll(async () => {
  await fake.close();
  await sql.close();
});
beforeEach(async () => {
  await sql.query(`DELETE FROM ioc`);
  now = Date.UTC(2025, 2, 1, 12);
  for (const p of ['abuseipdb', 'virustotal', 'otx'] as const) fake.mode[p] = 'normal';
});

function collector(opts: Partial<CollectorOptions> = {}) {
  const cfg = enrichConfigSchema.parse({
    http: { deadlineMs: 5000, readTimeoutMs: 5000, retries: 0 },
    providers: {
      abuseipdb: { apiKey: FAKE_KEYS.abuseipdb, baseUrl: fake.urls.abuseipdb },
      virustotal: { apiKey: FAKE_KEYS.virustotal, baseUrl: fake.urls.virustotal, perMinute: 10_000, perDay: 10_000 },
      otx: { apiKey: FAKE_KEYS.otx, baseUrl: fake.urls.otx },
    },
    breaker: { threshold: 2, cooldownMs: 60_000 },
  });
  const state = new MemoryState();
  const { providers, limiter, breaker } = createProviders(cfg, state);
  // No result cache: each run must reach the providers.
  const service = new EnrichmentService({ providers, cache: new ResultCache(state, 0), limiter, breaker });
  return new Collector(service, repo, { intervalMs: 20, batchSize: 2, ttlMs: 24 * HOUR, retryMs: HOUR / 4, minSeverity: 'high', now: () => now, ...opts });
}

const seed = () =>
  repo.upsertIocs(
    [
      { value: '1.2.3.4', type: 'ipv4', priority: 90 },
      { value: '8.8.8.8', type: 'ipv4', priority: 10 },
      { value: 'evil.example', type: 'domain', priority: 50 },
      { value: '192.168.1.1', type: 'ipv4', priority: 100 },
    ],
    new Date(now),
  );

describe('Collector', () => {
  it('enriches due IOCs in batches, most suspicious first, and stores summaries', async () => {
    await seed();
    const c = collector();
    expect(await c.runOnce()).toMatchObject({ picked: 2, enriched: 2, sourceErrors: 0, failed: 0 });
    expect((await repo.latestSummary('1.2.3.4'))!.risk_level).toBe('critical');
    expect(await repo.latestSummary('evil.example')).not.toBeNull();
    expect(await repo.latestSummary('8.8.8.8')).toBeNull();
    expect(await c.runOnce()).toMatchObject({ picked: 1, enriched: 1 });
    expect(await c.runOnce()).toMatchObject({ picked: 0 }); // the private address is never picked
  });

  it('an address that is not public, inserted by hand, is skipped: not looked up, no risk stored', async () => {
    await sql.query(`INSERT INTO ioc (value, type, priority) VALUES ('10.9.8.7', 'ipv4', 100), ('9.9.9.9', 'ipv4', 1)`);
    const warnings: string[] = [];
    const c = collector({ batchSize: 10, onWarning: (m) => warnings.push(m) });
    const before = fake.requests.abuseipdb;
    expect(await c.runOnce()).toMatchObject({ picked: 2, enriched: 1, skipped: 1, failed: 0 });
    expect(fake.requests.abuseipdb - before).toBe(1);
    expect(await repo.latestSummary('10.9.8.7')).toBeNull();
    expect(warnings).toEqual(['collector: 10.9.8.7 is a private address: not sent to providers, no risk stored']);
    expect((await c.runOnce()).picked).toBe(0); // postponed by the TTL, not picked every run
  });

  it('re-enriches only after the TTL', async () => {
    await seed();
    const c = collector({ batchSize: 10 });
    expect((await c.runOnce()).picked).toBe(3);
    now += 23 * HOUR;
    expect((await c.runOnce()).picked).toBe(0);
    now += HOUR;
    expect((await c.runOnce()).picked).toBe(3);
  });

  it('a provider outage does not stop it; failed IOCs are retried sooner', async () => {
    await seed();
    fake.mode.virustotal = 'down';
    const c = collector({ batchSize: 10 });
    const stats = await c.runOnce();
    expect(stats).toMatchObject({ picked: 3, enriched: 3, failed: 0 });
    expect(stats.sourceErrors).toBe(3);
    const { rows } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM enrichment WHERE source = 'virustotal' AND status = 'error'`);
    expect(rows[0]!.n).toBe(3);
    fake.mode.virustotal = 'normal';
    now += HOUR / 4;
    expect((await c.runOnce()).picked).toBe(3); // retrySeconds, not the 24 h TTL
  });

  it('runs on its interval until stopped', async () => {
    await seed();
    const c = collector({ batchSize: 1 });
    c.start();
    // One IOC per run: three summaries means three runs happened on their own.
    await vi.waitFor(
      async () => {
        const { rows } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ioc_summary`);
        expect(rows[0]!.n).toBe(3);
      },
      { timeout: 10_000, interval: 50 },
    );
    await c.stop();
  });

  it('adds threat sources at or above the minimum severity, prioritised', async () => {
    const threat = (ip: string, severity: ThreatEvent['severity'], score: number) => ({ event: { ip }, severity, score }) as unknown as ThreatEvent;
    const c = collector({ minSeverity: 'high' });
    const added = await c.addFromThreats([threat('5.5.5.1', 'critical', 0.9), threat('5.5.5.2', 'medium', 0.9), threat('10.0.0.9', 'critical', 1), threat('5.5.5.3', 'high', 0.5), threat('5.5.5.1', 'high', 0.1)]);
    expect(added).toBe(2);
    const { rows } = await sql.query<{ value: string; priority: number }>(`SELECT value, priority FROM ioc ORDER BY priority DESC`);
    expect(rows).toEqual([
      { value: '5.5.5.1', priority: 98 },
      { value: '5.5.5.3', priority: 74 },
    ]);
  });
});
