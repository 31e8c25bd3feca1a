import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enrichConfigSchema } from '../config.js';
import { MemoryState } from '../state/memory.js';
import { FAKE_KEYS, startFakeIntel } from '../testing/fake-intel.js';
import type { FakeIntel } from '../testing/fake-intel.js';
import { createProviders, vtUrlId } from './index.js';

let fake: FakeIntel;
beforeAll(async () => {
  fake = await startFakeIntel({ slowMs: 1500 });
});
afterAll(() => fake.close());
beforeEach(() => {
  for (const p of ['abuseipdb', 'virustotal', 'otx'] as const) fake.mode[p] = 'normal';
});

function build(overrides: { keys?: Partial<Record<'abuseipdb' | 'virustotal' | 'otx', string>>; vtPerMinute?: number } = {}) {
  const keys = { ...FAKE_KEYS, ...overrides.keys };
  const cfg = enrichConfigSchema.parse({
    http: { connectTimeoutMs: 500, readTimeoutMs: 400, deadlineMs: 800, retries: 2, backoffMs: 10 },
    providers: {
      abuseipdb: { apiKey: keys.abuseipdb, baseUrl: fake.urls.abuseipdb },
      virustotal: { apiKey: keys.virustotal, baseUrl: fake.urls.virustotal, perMinute: overrides.vtPerMinute ?? 1000 },
      otx: { apiKey: keys.otx, baseUrl: fake.urls.otx },
    },
    breaker: { threshold: 3, cooldownMs: 60_000 },
  });
  const built = createProviders(cfg, new MemoryState());
  const by = (n: string) => built.providers.find((p) => p.name === n)!;
  return { ...built, abuse: by('abuseipdb'), vt: by('virustotal'), otx: by('otx') };
}
const sig = () => new AbortController().signal;

describe('config defaults', () => {
  it('carries the documented base URLs and free-tier quotas', () => {
    const c = enrichConfigSchema.parse({});
    expect(c.providers.abuseipdb).toMatchObject({ baseUrl: 'https://api.abuseipdb.com/api/v2', perDay: 1000 });
    expect(c.providers.virustotal).toMatchObject({ baseUrl: 'https://www.virustotal.com/api/v3', perMinute: 4, perDay: 500 });
    expect(c.providers.otx.baseUrl).toBe('https://otx.alienvault.com/api/v1');
    expect(() => enrichConfigSchema.parse({ providers: { abuseipdb: { apikey: 'x' } } })).toThrow(/apikey/);
  });
});

describe('AbuseIPDB', () => {
  it('normalises /check', async () => {
    const r = await build().abuse.lookup('1.2.3.4', 'ipv4', sig());
    expect(r).toMatchObject({
      source: 'abuseipdb',
      status: 'ok',
      data: { abuse_confidence: 100, total_reports: 1234, distinct_users: 321, country: 'CN', isp: 'Example Hosting', usage_type: 'Data Center/Web Hosting/Transit', categories: ['bruteforce', 'ssh', 'web_app_attack'] },
    });
    expect(r.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('skips what it does not support, and when no key is set', async () => {
    expect(await build().abuse.lookup('evil.example', 'domain', sig())).toMatchObject({ status: 'skipped', error: 'abuseipdb does not look up domain' });
    const none = build({ keys: { abuseipdb: '' } }).abuse;
    expect(await none.lookup('1.2.3.4', 'ipv4', sig())).toMatchObject({ status: 'skipped', error: 'no API key (set ABUSEIPDB_API_KEY)' });
  });

  it('401: names provider and indicator, never the key', async () => {
    const r = await build({ keys: { abuseipdb: 'wrong-secret-key' } }).abuse.lookup('1.2.3.4', 'ipv4', sig());
    expect(r.status).toBe('error');
    expect(r.error).toMatch(/^abuseipdb 1\.2\.3\.4: API key rejected \(HTTP 401\): Authentication failed/);
    expect(JSON.stringify(r)).not.toContain('wrong-secret-key');
  });

  it('429 with Retry-After opens the breaker; later calls answer at once without a request', async () => {
    const b = build();
    const r = await b.abuse.lookup('6.6.6.6', 'ipv4', sig());
    expect(r.error).toMatch(/quota exhausted \(HTTP 429\), retry in 3600s: Daily rate limit/);
    expect(await b.breaker.status('abuseipdb')).toBe('open');
    const before = fake.requests.abuseipdb;
    const t = performance.now();
    const again = await b.abuse.lookup('1.2.3.4', 'ipv4', sig());
    expect(again).toMatchObject({ status: 'error', error: expect.stringMatching(/circuit open/) });
    expect(performance.now() - t).toBeLessThan(250);
    expect(fake.requests.abuseipdb).toBe(before);
  });

  it('follows X-RateLimit-Remaining', async () => {
    const b = build();
    fake.abuseRemaining = 17;
    await b.abuse.lookup('9.9.9.9', 'ipv4', sig());
    expect(await b.limiter.remainingToday('abuseipdb')).toBe(17);
  });
});

describe('VirusTotal', () => {
  it('IP, domain, URL and file lookups', async () => {
    const { vt } = build();
    expect((await vt.lookup('1.2.3.4', 'ipv4', sig())).data).toMatchObject({ malicious: 12, suspicious: 2, harmless: 50, reputation: -42, tags: ['malware', 'botnet'], country: 'CN', as_owner: 'Example AS' });
    expect((await vt.lookup('evil.example', 'domain', sig())).data).toMatchObject({ malicious: 12, categories: ['malicious_web_sites'] });
    expect((await vt.lookup('https://evil.example/', 'url', sig())).data).toMatchObject({ found: false });
    const file = await vt.lookup('275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f', 'sha256', sig());
    expect(file.data).toMatchObject({ threat_label: 'trojan.eicar/test', categories: ['trojan'] });
    expect(vtUrlId('http://evil.example')).toBe('aHR0cDovL2V2aWwuZXhhbXBsZQ');
  });

  it('unknown indicator is an answer, not an error', async () => {
    expect(await build().vt.lookup('unknown.example', 'domain', sig())).toMatchObject({ status: 'ok', data: { found: false } });
  });

  it('local quota (4/min) answers at once as error without a request', async () => {
    const { vt } = build({ vtPerMinute: 2 });
    const before = fake.requests.virustotal;
    const rs = await Promise.all(['8.8.8.8', '8.8.4.4', '9.9.9.9'].map((ip) => vt.lookup(ip, 'ipv4', sig())));
    expect(rs.map((r) => r.status).sort()).toEqual(['error', 'ok', 'ok']);
    expect(rs.find((r) => r.status === 'error')!.error).toMatch(/virustotal \S+: local quota of 2\/min used, retry in \d+s/);
    expect(fake.requests.virustotal - before).toBe(2);
  });

  it('QuotaExceededError 429 without Retry-After backs off 60s', async () => {
    fake.mode.virustotal = 'quota';
    const b = build();
    expect((await b.vt.lookup('8.8.8.8', 'ipv4', sig())).error).toMatch(/retry in 60s: QuotaExceededError: Quota exceeded/);
  });
});

describe('OTX', () => {
  it('normalises /general', async () => {
    const r = await build().otx.lookup('1.2.3.4', 'ipv4', sig());
    expect(r.data).toMatchObject({ pulse_count: 3, tags: ['c2', 'botnet', 'ssh', 'scanner'], malware_families: ['Mirai', 'Gafgyt'], adversaries: ['APT-Example'], attack_ids: ['T1110'] });
    expect((await build().otx.lookup('9.9.9.9', 'ipv4', sig())).data).toMatchObject({ pulse_count: 0, tags: [] });
  });

  it('403 for a bad key', async () => {
    expect((await build({ keys: { otx: 'nope' } }).otx.lookup('1.2.3.4', 'ipv4', sig())).error).toMatch(/otx 1\.2\.3\.4: API key rejected \(HTTP 403\)/);
  });
});

describe('failure modes', () => {
  it('malformed JSON', async () => {
    expect((await build().abuse.lookup('7.7.7.7', 'ipv4', sig())).error).toMatch(/abuseipdb 7\.7\.7\.7: HTTP 200 with a body that is not JSON/);
  });

  it('slow answers time out within the deadline', async () => {
    const t = performance.now();
    const r = await build().otx.lookup('5.5.5.5', 'ipv4', sig());
    expect(r.error).toMatch(/otx 5\.5\.5\.5: (read timed out after 400 ms|no answer within 800 ms)/);
    expect(performance.now() - t).toBeLessThan(2000);
  });

  it('5xx is retried with backoff, then reported; N failures open the breaker', async () => {
    const b = build();
    const before = fake.requests.virustotal;
    const r = await b.vt.lookup('5.0.0.5', 'ipv4', sig());
    expect(r.error).toMatch(/virustotal 5\.0\.0\.5: HTTP 503/);
    expect(fake.requests.virustotal - before).toBe(3);
    await b.vt.lookup('5.0.0.5', 'ipv4', sig());
    await b.vt.lookup('5.0.0.5', 'ipv4', sig());
    expect(await b.breaker.status('virustotal')).toBe('open');
  });

  it('4xx is never retried', async () => {
    const b = build({ keys: { virustotal: 'bad' } });
    const before = fake.requests.virustotal;
    await b.vt.lookup('8.8.8.8', 'ipv4', sig());
    expect(fake.requests.virustotal - before).toBe(1);
  });

  it('connection reset is retried', async () => {
    fake.mode.otx = 'reset';
    const before = fake.requests.otx;
    const r = await build().otx.lookup('8.8.8.8', 'ipv4', sig());
    expect(r.status).toBe('error');
    expect(fake.requests.otx - before).toBe(3);
  });

  it('connection refused answers promptly', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const cfg = enrichConfigSchema.parse({ providers: { otx: { apiKey: 'k', baseUrl: `http://127.0.0.1:${port}/api/v1` } }, http: { deadlineMs: 1000 } });
    const otx = createProviders(cfg, new MemoryState()).providers.find((p) => p.name === 'otx')!;
    const r = await otx.lookup('8.8.8.8', 'ipv4', sig());
    expect(r.error).toMatch(/otx 8\.8\.8\.8: ECONNREFUSED/);
    expect(r.error).not.toContain('k@');
  });

  it('sends an identifying User-Agent', async () => {
    let ua = '';
    const srv = createServer((req, res) => {
      ua = req.headers['user-agent'] ?? '';
      res.end('{}');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const cfg = enrichConfigSchema.parse({ providers: { otx: { apiKey: 'k', baseUrl: `http://127.0.0.1:${(srv.address() as AddressInfo).port}` } } });
    await createProviders(cfg, new MemoryState()).providers.find((p) => p.name === 'otx')!.lookup('8.8.8.8', 'ipv4', sig());
    await new Promise<void>((r) => srv.close(() => r()));
    expect(ua).toMatch(/^Rampart\/0\.1\.0/);
  });
});
