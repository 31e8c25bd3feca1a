/**
 * When to try again: exponential backoff with jitter. Attempt n (1-based, the one that just failed) waits
 * a random time in [d/2, d], d = min(max, initial * 2^(n-1)), so that many notifiers failing together do not
 * retry in step. A receiver's Retry-After is obeyed when it asks for longer, up to `max`.
 */
import { backoffDelay as cappedBackoff } from '../core/index.js';

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random, retryAfterMs?: number): number {
  const exp = cappedBackoff(attempt - 1, policy.initialMs, policy.maxMs);
  const jittered = exp / 2 + (exp / 2) * random();
  const wanted = retryAfterMs !== undefined && retryAfterMs > jittered ? retryAfterMs : jittered;
  return Math.round(Math.min(policy.maxMs, wanted));
}

/** Retry-After: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d{1,9}$/.test(v)) return Number(v) * 1000;
  // An HTTP date starts with the day's name (Date.parse alone would take '-5' as a year).
  if (v.length > 64 || !/^[A-Za-z]{3}, /.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
