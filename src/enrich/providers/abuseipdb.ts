/**
 * AbuseIPDB API v2 `GET /check?ipAddress=…&maxAgeInDays=90&verbose` (header `Key`). IPs only.
 * data: abuse_confidence (0-100), total_reports, distinct_users, country, country_name, isp, domain,
 * usage_type, is_tor, is_whitelisted, last_reported_at, categories (slugs of report categories).
 */
import type { ProviderSpec } from './spec.js';
import { asArr, asNum, asObj, asStr, uniq } from './spec.js';

/** AbuseIPDB report category ids (https://www.abuseipdb.com/categories). */
export const ABUSEIPDB_CATEGORIES: Readonly<Record<number, string>> = {
  1: 'dns_compromise', 2: 'dns_poisoning', 3: 'fraud_orders', 4: 'ddos', 5: 'ftp_bruteforce', 6: 'ping_of_death',
  7: 'phishing', 8: 'fraud_voip', 9: 'open_proxy', 10: 'web_spam', 11: 'email_spam', 12: 'blog_spam', 13: 'vpn',
  14: 'port_scan', 15: 'hacking', 16: 'sqli', 17: 'spoofing', 18: 'bruteforce', 19: 'bad_web_bot',
  20: 'exploited_host', 21: 'web_app_attack', 22: 'ssh', 23: 'iot_targeted',
};

export const abuseipdb: ProviderSpec = {
  name: 'abuseipdb',
  keyEnv: 'ABUSEIPDB_API_KEY',
  baseUrlEnv: 'ABUSEIPDB_BASE_URL',
  defaultBaseUrl: 'https://api.abuseipdb.com/api/v2',
  defaultQuota: { perDay: 1000 },
  notFoundIsUnknown: false,
  supports: (t) => t === 'ipv4' || t === 'ipv6',
  request: (ioc, _t, key) => ({
    path: `/check?ipAddress=${encodeURIComponent(ioc)}&maxAgeInDays=90&verbose`,
    headers: { key },
  }),
  normalise(body) {
    const d = asObj(asObj(body).data);
    const counts = new Map<string, number>();
    for (const r of asArr(d.reports).slice(0, 1000)) {
      for (const c of asArr(asObj(r).categories)) {
        const name = typeof c === 'number' ? ABUSEIPDB_CATEGORIES[c] : undefined;
        if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
      }
    }
    const categories = uniq([...counts.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k));
    return {
      abuse_confidence: asNum(d.abuseConfidenceScore) ?? 0,
      total_reports: asNum(d.totalReports) ?? 0,
      distinct_users: asNum(d.numDistinctUsers) ?? 0,
      country: asStr(d.countryCode),
      country_name: asStr(d.countryName),
      isp: asStr(d.isp),
      domain: asStr(d.domain),
      usage_type: asStr(d.usageType),
      is_tor: d.isTor === true,
      is_whitelisted: d.isWhitelisted === true,
      last_reported_at: asStr(d.lastReportedAt),
      categories,
    };
  },
  errorDetail: (body) => asStr(asObj(asArr(asObj(body).errors)[0]).detail) ?? undefined,
};
