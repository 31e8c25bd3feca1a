/**
 * AlienVault OTX DirectConnect v1 `GET /indicators/{section}/{value}/general` (header X-OTX-API-KEY).
 * A valid indicator OTX has never seen answers 200 with pulse_info.count 0.
 * data: pulse_count, tags, malware_families, adversaries, attack_ids, country, asn, reputation.
 */
import type { IocType } from '../types.js';
import type { ProviderSpec } from './spec.js';
import { asArr, asNum, asObj, asStr, uniq } from './spec.js';

const SECTIONS: Partial<Record<IocType, string>> = {
  ipv4: 'IPv4',
  ipv6: 'IPv6',
  domain: 'domain',
  url: 'url',
  md5: 'file',
  sha1: 'file',
  sha256: 'file',
};

/** OTX lists a family as a string or as {id, display_name}. */
const familyName = (f: unknown): string | null => asStr(f) ?? asStr(asObj(f).display_name) ?? asStr(asObj(f).id);

export const otx: ProviderSpec = {
  name: 'otx',
  keyEnv: 'OTX_API_KEY',
  baseUrlEnv: 'OTX_BASE_URL',
  defaultBaseUrl: 'https://otx.alienvault.com/api/v1',
  defaultQuota: { perMinute: 100 },
  notFoundIsUnknown: true,
  supports: (t) => SECTIONS[t] !== undefined,
  request: (ioc, type, key) => ({
    path: `/indicators/${SECTIONS[type]}/${encodeURIComponent(ioc)}/general`,
    headers: { 'x-otx-api-key': key },
  }),
  normalise(body) {
    const b = asObj(body);
    const pi = asObj(b.pulse_info);
    const pulses = asArr(pi.pulses).slice(0, 200).map(asObj);
    const related = asObj(pi.related);
    const relFamilies = [...asArr(asObj(related.alienvault).malware_families), ...asArr(asObj(related.other).malware_families)];
    const relAdversaries = [...asArr(asObj(related.alienvault).adversary), ...asArr(asObj(related.other).adversary)];
    return {
      pulse_count: asNum(pi.count) ?? pulses.length,
      tags: uniq(pulses.flatMap((p) => asArr(p.tags).map(asStr)).map((t) => t?.toLowerCase())),
      malware_families: uniq([...pulses.flatMap((p) => asArr(p.malware_families).map(familyName)), ...relFamilies.map(familyName)]),
      adversaries: uniq([...pulses.map((p) => asStr(p.adversary)), ...relAdversaries.map(asStr)]),
      attack_ids: uniq(pulses.flatMap((p) => asArr(p.attack_ids).map((a) => asStr(asObj(a).id)))),
      country: asStr(b.country_code),
      asn: asStr(b.asn),
      reputation: asNum(b.reputation),
    };
  },
  errorDetail: (body) => asStr(asObj(body).detail) ?? asStr(asObj(body).error) ?? undefined,
};
