/** The registered providers, and one function that builds them from config and shared state. */
import type { Dispatcher } from 'undici';
import type { EnrichConfig } from '../config.js';
import { CircuitBreaker } from '../state/breaker.js';
import { QuotaLimiter } from '../state/limiter.js';
import type { SharedState } from '../state/types.js';
import { userAgent } from '../version.js';
import { abuseipdb } from './abuseipdb.js';
import { HttpProvider } from './http-provider.js';
import { otx } from './otx.js';
import type { ProviderSpec } from './spec.js';
import { virustotal } from './virustotal.js';

export { HttpProvider } from './http-provider.js';
export type { ProviderSpec } from './spec.js';
export { abuseipdb, ABUSEIPDB_CATEGORIES } from './abuseipdb.js';
export { virustotal, vtUrlId } from './virustotal.js';
export { otx } from './otx.js';

export const PROVIDER_SPECS: readonly ProviderSpec[] = [abuseipdb, virustotal, otx];

export interface BuiltProviders {
  providers: HttpProvider[];
  limiter: QuotaLimiter;
  breaker: CircuitBreaker;
}

export function createProviders(
  cfg: Pick<EnrichConfig, 'providers' | 'http' | 'breaker'>,
  state: SharedState,
  opts: { dispatcher?: Dispatcher; now?: () => number } = {},
): BuiltProviders {
  const now = opts.now ?? Date.now;
  const settings = cfg.providers;
  const quotas = Object.fromEntries(
    PROVIDER_SPECS.map((s) => {
      const p = settings[s.name as keyof typeof settings];
      return [s.name, { ...(p.perMinute ? { perMinute: p.perMinute } : {}), ...(p.perDay ? { perDay: p.perDay } : {}) }];
    }),
  );
  const limiter = new QuotaLimiter(state, quotas, now);
  const breaker = new CircuitBreaker(state, { threshold: cfg.breaker.threshold, cooldownMs: cfg.breaker.cooldownMs, probeTimeoutMs: cfg.http.deadlineMs + 1000 }, now);
  const http = { ...cfg.http, userAgent: userAgent() };
  const providers = PROVIDER_SPECS.map((spec) => {
    const p = settings[spec.name as keyof typeof settings];
    return new HttpProvider(spec, { baseUrl: p.baseUrl, ...(p.apiKey ? { apiKey: p.apiKey } : {}) }, { limiter, breaker, http, now, ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}) });
  });
  return { providers, limiter, breaker };
}
