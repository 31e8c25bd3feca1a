/**
 * Enrichment: public surface. `createEnrichment` wires config → shared state (Redis or in-process)
 * → providers → cache → GeoIP → EnrichmentService. Validate config first (enrichConfigSchema);
 * this opens files and sockets.
 */
import type { DiskCache } from '../core/index.js';
import { ResultCache } from './cache.js';
import type { EnrichConfig } from './config.js';
import type { LocalGeoLookup } from './geoip/local.js';
import type { GeoDatabaseInfo } from './geoip/mmdb-source.js';
import type { GeoLookup } from './geoip/types.js';
import type { HttpProvider } from './providers/http-provider.js';
import { EnrichmentService } from './service.js';
import { MemoryState } from './state/memory.js';
import type { SharedState } from './state/types.js';
import { userAgent } from './version.js';

export * from './types.js';
export { detectIoc, MAX_IOC_LENGTH } from './ioc.js';
export type { DetectedIoc } from './ioc.js';
export { UnsupportedIocError, ProviderError, GeoDatabaseError } from './errors.js';
export { computeRisk, riskLevel, sourceScore, SOURCE_WEIGHTS } from './risk.js';
export { EnrichmentService, MAX_BULK } from './service.js';
export type { BulkItem, LookupOptions } from './service.js';
export { ResultCache } from './cache.js';
export { enrichConfigSchema, ENRICH_ENV_BINDINGS, ENRICH_SECRET_KEYS } from './config.js';
export type { EnrichConfig } from './config.js';
export { Collector } from './collector.js';
export { createDnsBotVerification, type BotVerification, type DnsResolver } from './bot-dns/verifier.js';
export { iocCandidates, isKnownGoodThreat } from './threat-iocs.js';
export type { CollectorOptions, CollectorStore, CollectorRunStats, DueIoc, NewIoc } from './collector.js';
export type { GeoLookup, GeoResult } from './geoip/types.js';
export type { IpKind, SyncGeoLookup } from './geoip/types.js';
export type { GeoDatabaseInfo } from './geoip/mmdb-source.js';

// GeoIP readers, providers (HTTP) and Redis load inside createEnrichment, so a command that only reads the
// config or the types never loads them; tests reach those parts through src/enrich/testing/parts.ts.
export { MemoryState } from './state/memory.js';
export type { SharedState } from './state/index.js';

/**
 * A Redis connection with the options every Rampart connection uses (state/redis-options.ts), not yet
 * connected. ioredis loads on the first call: through this module's own lazy import, as createEnrichment's,
 * which the CLI bundle can carry (a dynamic import of the external package itself cannot run there).
 */
export async function newRedisClient(url: string, commandTimeoutMs: number): Promise<import('ioredis').Redis> {
  return (await import('./state/redis.js')).newRedisClient(url, commandTimeoutMs);
}

export interface Enrichment {
  service: EnrichmentService;
  geo: GeoLookup | undefined;
  /** The local databases alone, synchronous (pipeline annotation); undefined when none is open. */
  geoLocal: LocalGeoLookup | undefined;
  /** What was opened and checked at start-up. */
  geoDatabases: GeoDatabaseInfo[];
  /** Milliseconds spent opening the GeoIP databases (start-up cost, shown in status). */
  geoOpenMs: number;
  providers: HttpProvider[];
  state: SharedState;
  /** Where the cache, quotas and breakers live now: `in-process` also while a configured Redis is unreachable. */
  sharedStateNow(): 'redis' | 'in-process';
  close(): Promise<void>;
}

export interface EnrichmentDeps {
  /** REDIS_URL: share cache, quotas and breakers across processes. */
  redisUrl?: string;
  onWarning?: (message: string) => void;
  /** Keeps parsed ASN tables between runs. */
  diskCache?: DiskCache;
  /** Warn (once, through onWarning) about databases older than geoip.maxAgeDays: `serve` does. */
  warnStale?: boolean;
  /** Hears when the shared state moves to this process (Redis unreachable) and back to Redis. */
  onSharedStateSwitch?: (inProcess: boolean) => void;
}

export async function createEnrichment(cfg: EnrichConfig, deps: EnrichmentDeps = {}): Promise<Enrichment> {
  const memory = new MemoryState({ maxEntries: cfg.cache.maxEntries });
  let fallback: { readonly degraded: boolean } | null = null;
  let state: SharedState = memory;
  if (deps.redisUrl) {
    const [{ RedisState }, { FallbackState }] = await Promise.all([import('./state/redis.js'), import('./state/fallback.js')]);
    const redis = await RedisState.connect(deps.redisUrl, { ...(deps.onWarning ? { onError: deps.onWarning } : {}) });
    // Redis going away later degrades to this process's memory instead of failing lookups (fallback.ts).
    state = fallback = new FallbackState(redis, memory, (inProcess) => deps.onSharedStateSwitch?.(inProcess));
  }
  try {
    const [{ createProviders }, { openGeoLookup, resolveGeoFiles, staleDatabaseWarning }] = await Promise.all([
      import('./providers/index.js'),
      import('./geoip/index.js'),
    ]);
    const { providers, limiter, breaker } = createProviders(cfg, state);
    const files = resolveGeoFiles(cfg.geoip);
    const geoConfigured = files.cityFiles.length + files.countryFiles.length + files.asnFiles.length > 0 || cfg.geoip.online.enabled;
    const opening = performance.now();
    const opened = geoConfigured
      ? await openGeoLookup(
          { ...cfg.geoip, ...files },
          { userAgent: userAgent(), ...(deps.onWarning ? { onWarning: deps.onWarning } : {}), ...(deps.diskCache ? { cache: deps.diskCache } : {}) },
        )
      : undefined;
    const stale = deps.warnStale && opened ? staleDatabaseWarning(opened.local.databases(), cfg.geoip.maxAgeDays, Date.now()) : null;
    if (stale) deps.onWarning?.(stale);
    const geoOpenMs = Math.round(performance.now() - opening);
    const geo = opened?.lookup;
    const cache = new ResultCache(state, cfg.cache.ttlSeconds * 1000, (e) => deps.onWarning?.(`enrichment cache: ${(e as Error).message}`));
    const service = new EnrichmentService({ providers, cache, limiter, breaker, ...(geo ? { geo } : {}), ...(deps.onWarning ? { onWarning: deps.onWarning } : {}) });
    return {
      service,
      geo,
      geoLocal: opened?.local,
      geoDatabases: opened?.local.databases() ?? [],
      geoOpenMs,
      providers,
      state,
      sharedStateNow: () => (fallback === null || fallback.degraded ? 'in-process' : 'redis'),
      close: async () => {
        await geo?.close?.();
        await state.close();
      },
    };
  } catch (e) {
    await state.close();
    throw e;
  }
}
export { classifyUserAgent, type UserAgentFamily, type UserAgentKind } from './user-agent.js';
export { isHostingNetwork } from './hosting.js';
