/**
 * What differs between threat-intel providers, and nothing else: which IOC types, how to build the
 * request, how to read the answer. Timeouts, retries, quotas and breakers are shared (http-provider.ts).
 */
import type { Quota } from '../state/limiter.js';
import type { IocType } from '../types.js';

export interface ProviderSpec {
  name: string;
  /** Env names users set; shown in `skipped` reasons and docs. */
  keyEnv: string;
  baseUrlEnv: string;
  defaultBaseUrl: string;
  /** The free-tier quota, used when config does not override it. */
  defaultQuota: Quota;
  supports(type: IocType): boolean;
  /** Path and query after the base URL, and the header carrying the key. */
  request(ioc: string, type: IocType, apiKey: string): { path: string; headers: Record<string, string> };
  /** Normalised data from a successful body. */
  normalise(body: unknown, type: IocType): Record<string, unknown>;
  /** The provider's own error message in a 4xx body, if any (bounded). */
  errorDetail(body: unknown): string | undefined;
  /** Whether 404 means "the provider knows nothing about this indicator" (an answer, not a failure). */
  notFoundIsUnknown: boolean;
}

export type Json = Record<string, unknown>;
export const asObj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
export const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const asNum = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
export const asStr = (v: unknown): string | null => (typeof v === 'string' ? v.slice(0, 500) : null);

/** Lower-case slug, for categories and tags shared across providers. */
export const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);

/** Unique non-empty strings, first `max` kept. */
export function uniq(values: Iterable<string | null | undefined>, max = 25): string[] {
  const out = new Set<string>();
  for (const v of values) {
    if (v) out.add(v);
    if (out.size >= max) break;
  }
  return [...out];
}
