/**
 * Local stand-ins for AbuseIPDB v2, VirusTotal v3 and OTX v1 (node:http on 127.0.0.1, port 0),
 * answering the shapes each API documents: success, unknown indicator, 401 for a wrong key, 429 with
 * Retry-After / X-RateLimit-* headers, malformed JSON, 5xx, and slow answers past a timeout.
 *
 * Behaviour by indicator (any provider): `6.6.6.6` → 429, `7.7.7.7` → malformed JSON, `5.5.5.5` → slow
 * (`slowMs`), `5.0.0.5` → 500, `1.2.3.4` / `evil.example` / the EICAR hashes → malicious,
 * anything else → clean or unknown. `mode` forces every answer of one provider (outage drills).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_KEYS = { abuseipdb: 'test-abuse-key', virustotal: 'test-vt-key', otx: 'test-otx-key' } as const;
export type FakeProvider = keyof typeof FAKE_KEYS;
export type FakeMode = 'normal' | 'down' | 'quota' | 'slow' | 'reset';

export const MALICIOUS = new Set(['1.2.3.4', 'evil.example', '44d88612fea8a8f36de82e1278abb02f', '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f']);

export interface FakeIntel {
  urls: Record<FakeProvider, string>;
  requests: Record<FakeProvider, number>;
  mode: Record<FakeProvider, FakeMode>;
  latencyMs: number;
  slowMs: number;
  /** AbuseIPDB's X-RateLimit-Remaining on every answer. */
  abuseRemaining: number;
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

function abuseBody(ip: string) {
  const bad = MALICIOUS.has(ip);
  return {
    data: {
      ipAddress: ip,
      isPublic: true,
      ipVersion: ip.includes(':') ? 6 : 4,
      isWhitelisted: false,
      abuseConfidenceScore: bad ? 100 : 0,
      countryCode: bad ? 'CN' : 'US',
      countryName: bad ? 'China' : 'United States of America',
      usageType: bad ? 'Data Center/Web Hosting/Transit' : 'Content Delivery Network',
      isp: bad ? 'Example Hosting' : 'Example CDN',
      domain: 'example.net',
      hostnames: [],
      isTor: false,
      totalReports: bad ? 1234 : 0,
      numDistinctUsers: bad ? 321 : 0,
      lastReportedAt: bad ? '2025-01-01T00:00:00+00:00' : null,
      reports: bad
        ? [
            { reportedAt: '2025-01-01T00:00:00+00:00', comment: 'ssh', categories: [18, 22], reporterId: 1, reporterCountryCode: 'US', reporterCountryName: 'United States' },
            { reportedAt: '2025-01-01T00:00:00+00:00', comment: 'wp', categories: [21, 18], reporterId: 2, reporterCountryCode: 'DE', reporterCountryName: 'Germany' },
          ]
        : [],
    },
  };
}

function vtBody(kind: string, id: string) {
  const bad = MALICIOUS.has(id) || MALICIOUS.has(Buffer.from(id, 'base64url').toString());
  const type = { ip_addresses: 'ip_address', domains: 'domain', urls: 'url', files: 'file' }[kind] ?? kind;
  return {
    data: {
      id,
      type,
      links: { self: `https://www.virustotal.com/api/v3/${kind}/${id}` },
      attributes: {
        last_analysis_stats: bad ? { harmless: 50, malicious: 12, suspicious: 2, undetected: 20, timeout: 0 } : { harmless: 70, malicious: 0, suspicious: 0, undetected: 20, timeout: 0 },
        reputation: bad ? -42 : 5,
        total_votes: { harmless: 0, malicious: bad ? 7 : 0 },
        tags: bad ? ['malware', 'botnet'] : [],
        ...(type === 'ip_address' ? { country: bad ? 'CN' : 'US', asn: 64500, as_owner: 'Example AS' } : {}),
        ...(type === 'domain' ? { categories: { 'Forcepoint ThreatSeeker': bad ? 'malicious web sites' : 'search engines and portals' } } : {}),
        ...(type === 'file' && bad ? { popular_threat_classification: { suggested_threat_label: 'trojan.eicar/test', popular_threat_category: [{ count: 40, value: 'trojan' }], popular_threat_name: [{ count: 40, value: 'eicar' }] } } : {}),
      },
    },
  };
}

function otxBody(section: string, value: string) {
  const bad = MALICIOUS.has(value);
  return {
    whois: '',
    reputation: 0,
    indicator: value,
    type: section,
    type_title: section,
    base_indicator: {},
    pulse_info: {
      count: bad ? 3 : 0,
      pulses: bad
        ? [
            { id: 'p1', name: 'Botnet C2', tags: ['C2', 'botnet'], malware_families: [{ id: 'Mirai', display_name: 'Mirai', target: null }], adversary: '', attack_ids: [{ id: 'T1110', name: 'Brute Force', display_name: 'T1110 - Brute Force' }] },
            { id: 'p2', name: 'SSH scanners', tags: ['ssh', 'scanner'], malware_families: [], adversary: 'APT-Example', attack_ids: [] },
            { id: 'p3', name: 'Misc', tags: ['botnet'], malware_families: ['Gafgyt'], adversary: '', attack_ids: [] },
          ]
        : [],
      references: [],
      related: { alienvault: { adversary: [], malware_families: [], industries: [] }, other: { adversary: [], malware_families: [], industries: [] } },
    },
    false_positive: [],
    validation: [],
    asn: 'AS64500 Example AS',
    country_code: bad ? 'CN' : 'US',
    sections: ['general', 'geo', 'reputation', 'url_list', 'passive_dns', 'malware', 'nids_list', 'http_scans'],
  };
}

function parse(url: string): { provider: FakeProvider | null; kind: string; value: string } {
  const u = new URL(url, 'http://x');
  const parts = u.pathname.split('/').filter(Boolean);
  if (parts[0] === 'abuseipdb' && parts[1] === 'check') return { provider: 'abuseipdb', kind: 'check', value: u.searchParams.get('ipAddress') ?? '' };
  if (parts[0] === 'vt') return { provider: 'virustotal', kind: parts[1] ?? '', value: decodeURIComponent(parts[2] ?? '') };
  if (parts[0] === 'otx' && parts[1] === 'indicators') return { provider: 'otx', kind: parts[2] ?? '', value: decodeURIComponent(parts[3] ?? '') };
  return { provider: null, kind: '', value: '' };
}

const KEY_HEADER: Record<FakeProvider, string> = { abuseipdb: 'key', virustotal: 'x-apikey', otx: 'x-otx-api-key' };

function unauthorized(p: FakeProvider, res: ServerResponse) {
  if (p === 'abuseipdb') return json(res, 401, { errors: [{ detail: 'Authentication failed. Your API key is either missing, incorrect, or revoked.', status: 401 }] });
  if (p === 'virustotal') return json(res, 401, { error: { code: 'WrongCredentialsError', message: 'Wrong API key' } });
  return json(res, 403, { detail: 'Authentication credentials were not provided.' });
}

function quota(p: FakeProvider, res: ServerResponse) {
  if (p === 'abuseipdb') {
    const reset = Math.floor(Date.now() / 1000) + 3600;
    return json(res, 429, { errors: [{ detail: 'Daily rate limit of 1000 requests exceeded for this endpoint. See headers for additional details.', status: 429 }] }, { 'Retry-After': '3600', 'X-RateLimit-Limit': '1000', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(reset) });
  }
  if (p === 'virustotal') return json(res, 429, { error: { code: 'QuotaExceededError', message: 'Quota exceeded' } });
  return json(res, 429, { detail: 'Request was throttled. Expected available in 30 seconds.' }, { 'Retry-After': '30' });
}

export async function startFakeIntel(opts: { latencyMs?: number; slowMs?: number } = {}): Promise<FakeIntel> {
  const state = {
    requests: { abuseipdb: 0, virustotal: 0, otx: 0 },
    mode: { abuseipdb: 'normal', virustotal: 'normal', otx: 'normal' } as Record<FakeProvider, FakeMode>,
    latencyMs: opts.latencyMs ?? 0,
    slowMs: opts.slowMs ?? 2000,
    abuseRemaining: 999,
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const { provider: p, kind, value } = parse(req.url ?? '');
    if (!p) return json(res, 404, { detail: 'endpoint not found' });
    state.requests[p]++;
    const mode = state.mode[p];
    if (state.latencyMs) await new Promise((r) => setTimeout(r, state.latencyMs));
    if (req.headers[KEY_HEADER[p]] !== FAKE_KEYS[p]) return unauthorized(p, res);
    if (mode === 'reset') return req.socket.destroy();
    if (mode === 'down' || value === '5.0.0.5') return void (res.writeHead(503, { 'content-type': 'text/html' }), res.end('<html>Service Unavailable</html>'));
    if (mode === 'quota' || value === '6.6.6.6') return quota(p, res);
    if (mode === 'slow' || value === '5.5.5.5') await new Promise((r) => setTimeout(r, state.slowMs));
    if (value === '7.7.7.7') return void (res.writeHead(200, { 'content-type': 'application/json' }), res.end('{"data": {"ipAddress": '));
    if (p === 'abuseipdb') {
      if (!/^[0-9a-f:.]+$/i.test(value)) return json(res, 422, { errors: [{ detail: 'The ip address must be a valid IPv4 or IPv6 address (e.g. 8.8.8.8 or 2001:4860:4860::8888).', status: 422, source: { parameter: 'ipAddress' } }] });
      const remaining = Math.max(0, state.abuseRemaining--);
      return json(res, 200, abuseBody(value), { 'X-RateLimit-Limit': '1000', 'X-RateLimit-Remaining': String(remaining), 'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + 3600) });
    }
    if (p === 'virustotal') {
      const known = MALICIOUS.has(value) || MALICIOUS.has(Buffer.from(value, 'base64url').toString()) || kind === 'ip_addresses' || value === 'example.com';
      if (!known) return json(res, 404, { error: { code: 'NotFoundError', message: `${kind.replace(/e?s$/, '')} "${value}" not found` } });
      return json(res, 200, vtBody(kind, value));
    }
    if (!['IPv4', 'IPv6', 'domain', 'hostname', 'url', 'file'].includes(kind)) return json(res, 404, { detail: 'endpoint not found' });
    return json(res, 200, otxBody(kind, value));
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fake: FakeIntel = {
    urls: { abuseipdb: `${base}/abuseipdb`, virustotal: `${base}/vt`, otx: `${base}/otx` },
    get requests() {
      return state.requests;
    },
    get mode() {
      return state.mode;
    },
    get latencyMs() {
      return state.latencyMs;
    },
    set latencyMs(v: number) {
      state.latencyMs = v;
    },
    get slowMs() {
      return state.slowMs;
    },
    set slowMs(v: number) {
      state.slowMs = v;
    },
    get abuseRemaining() {
      return state.abuseRemaining;
    },
    set abuseRemaining(v: number) {
      state.abuseRemaining = v;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return fake;
}
