/**
 * End to end: `rampart serve` with the shipped GeoIP/ASN databases and a collector against the fake
 * providers. A public attacker's threat carries its country and ASN in /api/threats; the collector
 * enriches the attacker and the reputation comes back on its threats; /ready and
 * /api/enrichment/status show the databases with type and build date.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_KEYS, startFakeIntel, type FakeIntel } from '../../src/enrich/testing/fake-intel.js';
import { attackLine, benignLine } from './log-lines.js';
import { startServe, waitFor, type ServeProcess } from './serve-process.js';

describe('serve with enrichment', { timeout: 180_000 }, () => {
  let dir: string;
  let fake: FakeIntel;
  let p: ServeProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-e2e-enrich-'));
    fake = await startFakeIntel();
  });
  afterAll(async () => {
    await p?.stop('SIGKILL');
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores geo with threats, enriches attackers and feeds reputation back', async () => {
    const log = join(dir, 'access.log');
    writeFileSync(log, benignLine(0) + '\n');
    p = await startServe(['--no-demo', '--log', log, '--data-dir', join(dir, 'data')], {
      ABUSEIPDB_API_KEY: FAKE_KEYS.abuseipdb,
      ABUSEIPDB_BASE_URL: fake.urls.abuseipdb,
      VIRUSTOTAL_BASE_URL: fake.urls.virustotal,
      OTX_BASE_URL: fake.urls.otx,
      COLLECTOR_ENABLED: 'true',
      COLLECTOR_INTERVAL_SECONDS: '1',
      COLLECTOR_MIN_SEVERITY: 'low',
    });
    const serve = p;
    await waitFor('ready', async () => ((await serve.get('/ready')).status === 200 ? true : undefined), 30_000);
    const ready = (await serve.get('/ready')).body;
    expect(ready.checks.enrichment.detail).toMatch(/geolite2-city-ipv4\.mmdb \(city ipv4, built \d{4}-\d\d-\d\d\)/);

    // 1.2.3.4 is public (geo from the shipped files) and malicious at the fake AbuseIPDB.
    appendFileSync(log, [attackLine(1, '1.2.3.4'), attackLine(2, '10.9.8.7'), attackLine(3, '81.2.69.160')].join('\n') + '\n');
    const threat = await waitFor('the attack in /api/threats', async () => (await serve.get('/api/threats?ip=1.2.3.4&limit=1')).body.items[0], 5000, 50);
    expect(threat.geo).toMatchObject({ kind: 'public', country: 'AU', lat: expect.any(Number) });
    const uk = await waitFor('the UK attacker', async () => (await serve.get('/api/threats?ip=81.2.69.160&limit=1')).body.items[0], 5000, 50);
    expect(uk.geo).toMatchObject({ kind: 'public', country: 'GB', country_name: 'United Kingdom', city: 'Bracknell', asn: 20712, as_org: 'Andrews & Arnold Ltd' });
    const priv = await waitFor('the private one', async () => (await serve.get('/api/threats?ip=10.9.8.7&limit=1')).body.items[0], 5000, 50);
    expect(priv.geo).toEqual({ kind: 'private', country: null, country_name: null, city: null, lat: null, lon: null, asn: null, as_org: null });

    const withRep = await waitFor(
      'reputation on the threat',
      async () => (await serve.get('/api/threats?ip=1.2.3.4&limit=1')).body.items[0]?.reputation ?? undefined,
      20_000,
      250,
    );
    expect(withRep).toMatchObject({ risk_level: 'critical' });
    expect(fake.requests.abuseipdb).toBeGreaterThanOrEqual(1);

    // A run's counts reach the status when the run ends, after it stored the reputation seen above.
    const status = await waitFor(
      'the collector run in the status',
      async () => {
        const body = (await serve.get('/api/enrichment/status')).body;
        return body.collector.totals.enriched >= 1 ? body : undefined;
      },
      10_000,
      100,
    );
    expect(status.geoip.databases.map((d: { type: string }) => d.type)).toEqual(['city ipv4', 'city ipv6', 'ASN ranges (CSV)', 'ASN ranges (CSV)']);
    expect(status.providers.find((x: { name: string }) => x.name === 'otx')).toMatchObject({ configured: false });
    // The last run may be a later one that found nothing due; the totals keep the work done.
    expect(status.collector.totals.enriched).toBeGreaterThanOrEqual(1);
    expect(status.collector.totals.runs).toBeGreaterThanOrEqual(1);
    expect(status.collector.last_run).toMatchObject({ picked: expect.any(Number) });
    const lookup = await serve.get('/api/lookup/1.2.3.4');
    expect(lookup.body.sources.find((s: { source: string }) => s.source === 'abuseipdb').status).toBe('ok');
    expect(await serve.stop()).toBe(0);
  });
});
