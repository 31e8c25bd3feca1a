/**
 * VirusTotal API v3 (header `x-apikey`): `/ip_addresses/{ip}`, `/domains/{d}`, `/urls/{id}` (id =
 * unpadded base64url of the URL), `/files/{hash}`. 404 NotFoundError = VT has never seen it.
 * data: malicious, suspicious, harmless, undetected, reputation, tags, votes_malicious, country,
 * asn, as_owner, threat_label, categories (popular threat categories and engine categorisation).
 */
import type { ProviderSpec } from './spec.js';
import { asArr, asNum, asObj, asStr, slug, uniq } from './spec.js';

const PATHS = {
  ipv4: 'ip_addresses',
  ipv6: 'ip_addresses',
  domain: 'domains',
  url: 'urls',
  md5: 'files',
  sha1: 'files',
  sha256: 'files',
} as const;

export const vtUrlId = (url: string): string => Buffer.from(url).toString('base64url');

export const virustotal: ProviderSpec = {
  name: 'virustotal',
  keyEnv: 'VIRUSTOTAL_API_KEY',
  baseUrlEnv: 'VIRUSTOTAL_BASE_URL',
  defaultBaseUrl: 'https://www.virustotal.com/api/v3',
  defaultQuota: { perMinute: 4, perDay: 500 },
  notFoundIsUnknown: true,
  supports: (t) => t in PATHS,
  request(ioc, type, key) {
    const kind = PATHS[type as keyof typeof PATHS];
    const id = type === 'url' ? vtUrlId(ioc) : encodeURIComponent(ioc);
    return { path: `/${kind}/${id}`, headers: { 'x-apikey': key } };
  },
  normalise(body) {
    const a = asObj(asObj(asObj(body).data).attributes);
    const stats = asObj(a.last_analysis_stats);
    const ptc = asObj(a.popular_threat_classification);
    const engineCats = Object.values(asObj(a.categories)).map((v) => (typeof v === 'string' ? slug(v) : null));
    const threatCats = asArr(ptc.popular_threat_category).map((c) => asStr(asObj(c).value));
    return {
      malicious: asNum(stats.malicious) ?? 0,
      suspicious: asNum(stats.suspicious) ?? 0,
      harmless: asNum(stats.harmless) ?? 0,
      undetected: asNum(stats.undetected) ?? 0,
      reputation: asNum(a.reputation) ?? 0,
      votes_malicious: asNum(asObj(a.total_votes).malicious) ?? 0,
      tags: uniq(asArr(a.tags).map(asStr)),
      country: asStr(a.country),
      asn: asNum(a.asn),
      as_owner: asStr(a.as_owner),
      threat_label: asStr(ptc.suggested_threat_label),
      categories: uniq([...threatCats.map((c) => (c ? slug(c) : null)), ...engineCats]),
    };
  },
  errorDetail(body) {
    const e = asObj(asObj(body).error);
    const code = asStr(e.code);
    const msg = asStr(e.message);
    return code || msg ? [code, msg].filter(Boolean).join(': ') : undefined;
  },
};
