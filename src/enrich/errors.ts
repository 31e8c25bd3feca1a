/** Errors raised by the enrichment stage; each carries what the user needs to act (indicator, provider, file). */
import { RampartError } from '../core/index.js';

/** The input is not an indicator Rampart knows how to look up. `seen` is a short, safe description. */
export class UnsupportedIocError extends RampartError {
  constructor(
    readonly seen: string,
    reason: string,
  ) {
    super('unsupported_ioc', `unsupported indicator ${seen}: ${reason}`);
  }
}

/** A threat-intel provider failed. The message names the provider and the indicator, never the API key. */
export class ProviderError extends RampartError {
  constructor(
    readonly provider: string,
    readonly indicator: string,
    readonly kind: ProviderFailure,
    detail: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(kind === 'rate_limited' || kind === 'quota' ? 'rate_limited' : 'provider_error', `${provider} ${indicator}: ${detail}`, options);
  }
}

/**
 * Why a provider call failed. `auth`, `bad_request` and `not_supported` are the caller's problem and
 * are never retried; `server`, `network` and `timeout` may be transient; `quota`/`rate_limited` open the breaker.
 */
export type ProviderFailure =
  | 'auth'
  | 'bad_request'
  | 'quota'
  | 'rate_limited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'bad_response'
  | 'circuit_open';

/** A GeoIP database is missing, unreadable, or not the kind expected. Names the file. */
export class GeoDatabaseError extends RampartError {
  constructor(
    readonly file: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super('invalid_config', `geoip database ${file}: ${problem}`, options);
  }
}
