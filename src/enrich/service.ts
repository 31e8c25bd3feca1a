/**
 * EnrichmentService: one indicator (or up to 100) → every configured provider that supports its
 * type, in parallel, each behind its cache, quota and breaker; plus GeoIP for addresses; plus the
 * global risk. It answers within the provider deadline whatever the providers do.
 */
import { BadRequestError } from '../core/index.js';
import type { ResultCache } from './cache.js';
import type { GeoLookup, GeoResult } from './geoip/types.js';
import { detectIoc } from './ioc.js';
import { classifyIp } from '../net/index.js';
import { computeRisk } from './risk.js';
import type { CircuitBreaker } from './state/breaker.js';
import type { QuotaLimiter } from './state/limiter.js';
import type { EnrichmentResult, IntelProvider, IocType, ProviderResult, ProviderStatusReport } from './types.js';

export const MAX_BULK = 100;

/** A provider that can say whether it has credentials (HttpProvider does). */
type StatusAware = IntelProvider & { configured?: boolean; skipReason?: string };

export interface EnrichmentServiceDeps {
  providers: readonly StatusAware[];
  cache: ResultCache;
  geo?: GeoLookup;
  limiter?: QuotaLimiter;
  breaker?: CircuitBreaker;
  /** Parallel indicators in bulk(). Default 10. */
  bulkConcurrency?: number;
  onWarning?: (message: string) => void;
}

export interface LookupOptions {
  /** Include each provider's raw body (fresh answers only). */
  debug?: boolean;
  signal?: AbortSignal;
}

export type BulkItem = EnrichmentResult | { ioc: string; error: string; code: string };

/** Per provider. `calls` = `ok` + `error` (the provider was asked); `skipped` and `cached` asked nobody. */
interface Counters {
  calls: number;
  ok: number;
  error: number;
  skipped: number;
  cached: number;
}

export class EnrichmentService {
  private readonly inflight = new Map<string, Promise<ProviderResult>>();
  private readonly counters = new Map<string, Counters>();

  constructor(private readonly deps: EnrichmentServiceDeps) {
    for (const p of deps.providers) this.counters.set(p.name, { calls: 0, ok: 0, error: 0, skipped: 0, cached: 0 });
  }

  /** Throws UnsupportedIocError for input that is not an indicator. */
  async lookup(input: string, opts: LookupOptions = {}): Promise<EnrichmentResult> {
    const { type, value } = detectIoc(input);
    const signal = opts.signal ?? new AbortController().signal;
    const isIp = type === 'ipv4' || type === 'ipv6';
    const kind = isIp ? classifyIp(value) : null;
    const [sources, geo] = await Promise.all([
      Promise.all(this.deps.providers.filter((p) => p.supports(type)).map((p) => this.one(p, type, value, kind, signal, opts.debug === true))),
      isIp ? this.geo(value) : Promise.resolve(undefined),
    ]);
    return { ioc: value, type, sources, ...computeRisk(sources), ...(geo ? { geo } : {}) };
  }

  /** Up to MAX_BULK indicators; a bad one gets its own error entry and does not fail the rest. */
  async bulk(inputs: readonly string[], opts: LookupOptions = {}): Promise<BulkItem[]> {
    if (inputs.length > MAX_BULK) throw new BadRequestError(`bulk lookup takes at most ${MAX_BULK} indicators, got ${inputs.length}`, 'iocs');
    const out: BulkItem[] = new Array(inputs.length);
    let next = 0;
    const worker = async () => {
      while (next < inputs.length) {
        const i = next++;
        const ioc = inputs[i]!;
        try {
          out[i] = await this.lookup(ioc, opts);
        } catch (e) {
          if (opts.signal?.aborted) throw e;
          const err = e as { message?: string; code?: string };
          out[i] = { ioc: String(ioc).slice(0, 256), error: err.message ?? String(e), code: err.code ?? 'bad_request' };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.deps.bulkConcurrency ?? 10, inputs.length) }, worker));
    return out;
  }

  /** The result cache seen from here: answers it gave (hits), and answers a provider was asked for (misses). */
  cacheCounts(): { hits: number; misses: number } {
    let hits = 0;
    let misses = 0;
    for (const c of this.counters.values()) {
      hits += c.cached;
      misses += c.calls;
    }
    return { hits, misses };
  }

  /** Per provider: configured, remaining daily quota, breaker state, counters. */
  async status(): Promise<(ProviderStatusReport & { counters: Counters })[]> {
    return Promise.all(
      this.deps.providers.map(async (p) => ({
        name: p.name,
        configured: p.configured ?? true,
        ...(p.skipReason ? { reason: p.skipReason } : {}),
        remaining_today: (await this.deps.limiter?.remainingToday(p.name)) ?? null,
        breaker: (await this.deps.breaker?.status(p.name)) ?? 'closed',
        counters: { ...this.counters.get(p.name)! },
      })),
    );
  }

  private async one(p: StatusAware, type: IocType, value: string, kind: string | null, signal: AbortSignal, debug: boolean): Promise<ProviderResult> {
    const c = this.counters.get(p.name)!;
    if (kind !== null && kind !== 'public') {
      c.skipped++;
      return { source: p.name, status: 'skipped', data: null, error: `${kind} address, not sent to providers`, duration_ms: 0 };
    }
    const started = performance.now();
    const hit = await this.deps.cache.get(p.name, type, value);
    if (hit) {
      c.cached++;
      return { ...hit, duration_ms: Math.round((performance.now() - started) * 10) / 10 };
    }
    // Concurrent lookups of the same indicator share one request.
    const key = `${p.name}\u0000${type}\u0000${value}\u0000${debug}`;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fetch(p, type, value, signal, debug, c).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async fetch(p: StatusAware, type: IocType, value: string, signal: AbortSignal, debug: boolean, c: Counters): Promise<ProviderResult> {
    const r = await p.lookup(value, type, signal);
    c[r.status]++;
    // A skip (no key, a type it does not look up) asked nobody: it is no call.
    if (r.status !== 'skipped') c.calls++;
    await this.deps.cache.put(type, value, r);
    if (!debug && 'raw' in r) {
      const { raw: _raw, ...rest } = r;
      return rest;
    }
    return r;
  }

  private async geo(ip: string): Promise<GeoResult | undefined> {
    if (!this.deps.geo) return undefined;
    try {
      return await this.deps.geo.lookup(ip);
    } catch (e) {
      this.deps.onWarning?.(`geoip ${ip}: ${(e as Error).message}`);
      return undefined;
    }
  }
}
