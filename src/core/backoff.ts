/**
 * Capped exponential backoff, shared by every retry loop (store outages, the CrowdSec LAPI, notification
 * delivery): first, first*2, … up to max.
 */
export function backoffDelay(attempt: number, firstMs: number, maxMs: number): number {
  return Math.min(maxMs, firstMs * 2 ** Math.min(attempt, 30));
}
