/**
 * An IntelProvider built from a ProviderSpec: key check, circuit breaker, quota, HTTP, and the
 * mapping of every failure to a prompt `error` result. State lives in SharedState, so breakers and
 * quotas hold across every provider instance and process that shares it.
 */
import type { Dispatcher } from 'undici';
import { ProviderError } from '../errors.js';
import type { CircuitBreaker } from '../state/breaker.js';
import type { QuotaLimiter } from '../state/limiter.js';
import type { IntelProvider, IocType, ProviderResult } from '../types.js';
import type { HttpOptions, HttpResponse } from './http.js';
import { getJson, header, makeAgent, retryAfterMs } from './http.js';
import type { ProviderSpec } from './spec.js';

export interface ProviderDeps {
  limiter: QuotaLimiter;
  breaker: CircuitBreaker;
  http: HttpOptions;
  dispatcher?: Dispatcher;
  now?: () => number;
}

export interface ProviderSettings {
  apiKey?: string;
  baseUrl: string;
}

/** Default back-off when a provider says 429 without telling us how long. */
const DEFAULT_429_MS = 60_000;

export class HttpProvider implements IntelProvider {
  readonly name: string;
  private readonly dispatcher: Dispatcher;
  private readonly now: () => number;

  constructor(
    readonly spec: ProviderSpec,
    private readonly settings: ProviderSettings,
    private readonly deps: ProviderDeps,
  ) {
    this.name = spec.name;
    this.dispatcher = deps.dispatcher ?? makeAgent(deps.http);
    this.now = deps.now ?? Date.now;
  }

  get configured(): boolean {
    return Boolean(this.settings.apiKey);
  }

  get skipReason(): string | undefined {
    return this.configured ? undefined : `no API key (set ${this.spec.keyEnv})`;
  }

  supports(type: IocType): boolean {
    return this.spec.supports(type);
  }

  async lookup(ioc: string, type: IocType, signal: AbortSignal): Promise<ProviderResult> {
    const started = performance.now();
    const done = (r: Omit<ProviderResult, 'source' | 'duration_ms'>): ProviderResult => ({
      source: this.name,
      ...r,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
    });
    const key = this.settings.apiKey;
    if (!key) return done({ status: 'skipped', data: null, error: this.skipReason! });
    if (!this.spec.supports(type)) return done({ status: 'skipped', data: null, error: `${this.name} does not look up ${type}` });

    const admission = await this.deps.breaker.admit(this.name);
    if (!admission.ok) {
      return done({ status: 'error', data: null, error: `${this.name} ${ioc}: circuit open after repeated failures, retry in ${secs(admission.retryAfterMs)}` });
    }
    const permit = await this.deps.limiter.acquire(this.name);
    if (!permit.ok) {
      return done({ status: 'error', data: null, error: `${this.name} ${ioc}: ${permit.reason}, retry in ${secs(permit.retryAfterMs)}` });
    }

    try {
      const { path, headers } = this.spec.request(ioc, type, key);
      const res = await getJson(this.name, ioc, this.settings.baseUrl.replace(/\/+$/, '') + path, headers, this.deps.http, this.dispatcher, signal);
      await this.noteRateHeaders(res);
      const data = this.interpret(ioc, type, res);
      await this.deps.breaker.success(this.name, admission.probe);
      return done({ status: 'ok', data, raw: res.body });
    } catch (e) {
      if (!(e instanceof ProviderError)) throw e; // caller's abort
      await this.onFailure(e);
      return done({ status: 'error', data: null, error: e.message });
    }
  }

  /** Maps an HTTP answer to data, or throws a ProviderError naming what went wrong. */
  private interpret(ioc: string, type: IocType, res: HttpResponse): Record<string, unknown> {
    const fail = (kind: ProviderError['kind'], what: string, retry?: number) => {
      const detail = this.spec.errorDetail(res.body);
      return new ProviderError(this.name, ioc, kind, detail ? `${what}: ${detail}` : what, retry);
    };
    const s = res.status;
    if (s >= 200 && s < 300) {
      if (res.body === undefined || typeof res.body !== 'object') throw fail('bad_response', `HTTP ${s} without a JSON object`);
      return this.spec.normalise(res.body, type);
    }
    if (s === 404 && this.spec.notFoundIsUnknown) return { found: false };
    if (s === 401 || s === 403) throw fail('auth', `API key rejected (HTTP ${s})`);
    if (s === 429) {
      const retry = retryAfterMs(header(res.headers, 'retry-after'), this.now()) ?? this.resetMs(res) ?? DEFAULT_429_MS;
      throw fail('quota', `quota exhausted (HTTP 429), retry in ${secs(retry)}`, retry);
    }
    if (s >= 500) throw fail('server', `HTTP ${s}`);
    throw fail('bad_request', `HTTP ${s}`);
  }

  private resetMs(res: HttpResponse): number | undefined {
    const reset = Number(header(res.headers, 'x-ratelimit-reset'));
    return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - this.now()) : undefined;
  }

  /** X-RateLimit-Remaining / -Reset (AbuseIPDB) keep the local view in step with the provider's. */
  private async noteRateHeaders(res: HttpResponse): Promise<void> {
    const remaining = header(res.headers, 'x-ratelimit-remaining');
    if (remaining === undefined || !/^\d+$/.test(remaining)) return;
    const reset = this.resetMs(res);
    await this.deps.limiter.noteRemaining(this.name, Number(remaining), reset === undefined ? undefined : this.now() + reset);
  }

  private async onFailure(e: ProviderError): Promise<void> {
    switch (e.kind) {
      case 'quota':
      case 'rate_limited': {
        const ms = e.retryAfterMs ?? DEFAULT_429_MS;
        await this.deps.limiter.block(this.name, this.now() + ms);
        await this.deps.breaker.trip(this.name, ms);
        return;
      }
      case 'bad_request':
        return; // our input, not the provider's health
      default:
        await this.deps.breaker.failure(this.name);
    }
  }
}

const secs = (ms: number): string => `${Math.ceil(ms / 1000)}s`;
