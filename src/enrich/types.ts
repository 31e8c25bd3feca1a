/**
 * Enrichment contracts. Enrichment runs beside detection, never in its path: every call is bounded by
 * a timeout and a signal, and a provider that is down, slow or out of quota answers `error` promptly
 * instead of holding the caller.
 *
 * Obligations of an IntelProvider:
 * - `lookup` never throws for provider trouble; it returns a ProviderResult with status `error`
 *   (or `skipped` when not configured). It throws only when `signal` aborts.
 * - `data` is the provider's normalised view (documented per provider); `raw` is the provider's
 *   body, kept only for debug output.
 * - Errors name the provider and the indicator, never the API key.
 */
import type { GeoResult } from './geoip/types.js';

export const IOC_TYPES = ['ipv4', 'ipv6', 'cidr', 'domain', 'url', 'md5', 'sha1', 'sha256', 'email'] as const;
export type IocType = (typeof IOC_TYPES)[number];

export type ProviderStatus = 'ok' | 'error' | 'skipped';

export interface ProviderResult {
  source: string;
  status: ProviderStatus;
  /** Normalised fields; `null` unless status is `ok`. */
  data: Record<string, unknown> | null;
  error?: string;
  duration_ms: number;
  /** Served from the per-provider cache (no request made). */
  cached?: boolean;
  /** The provider's body; present only in debug lookups. */
  raw?: unknown;
}

export interface IntelProvider {
  readonly name: string;
  supports(type: IocType): boolean;
  lookup(ioc: string, type: IocType, signal: AbortSignal): Promise<ProviderResult>;
}

export const RISK_LEVELS = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface EnrichmentResult {
  ioc: string;
  type: IocType;
  sources: ProviderResult[];
  risk_score: number;
  risk_level: RiskLevel;
  categories: string[];
  geo?: GeoResult;
}

/** What /ready and /api/enrichment/status show per provider. */
export interface ProviderStatusReport {
  name: string;
  configured: boolean;
  reason?: string;
  /** Requests left today by the local budget (null when unlimited). */
  remaining_today: number | null;
  breaker: 'closed' | 'open' | 'half_open';
}
