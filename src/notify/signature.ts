/**
 * The webhook signature: HMAC-SHA256, keyed with the channel's secret, over `<timestamp>.<body>` where the
 * timestamp is Unix seconds and the body is the exact bytes sent. Sent as two headers:
 *
 *   X-Rampart-Timestamp: 1765150000
 *   X-Rampart-Signature: sha256=<64 hex digits>
 *
 * A receiver recomputes the HMAC over the timestamp header, a '.', and the raw body, compares in constant
 * time, and refuses a timestamp too far from its clock (replays). docs/notifications.md has the snippet.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-rampart-timestamp';
export const SIGNATURE_HEADER = 'x-rampart-signature';

export function signBody(secret: string, timestampSeconds: number, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
}

export function signatureHeaders(secret: string, timestampSeconds: number, body: string): Record<string, string> {
  return { [TIMESTAMP_HEADER]: String(timestampSeconds), [SIGNATURE_HEADER]: signBody(secret, timestampSeconds, body) };
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/** What a receiver does (and what the tests' receiver does): the signature matches and the time is recent. */
export function verifySignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): Verdict {
  const { timestamp, signature } = headers;
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing or malformed timestamp' };
  if (signature === undefined || !/^sha256=[0-9a-f]{64}$/.test(signature)) return { ok: false, reason: 'missing or malformed signature' };
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return { ok: false, reason: 'timestamp outside the tolerance' };
  const expected = Buffer.from(signBody(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'signature does not match' };
  return { ok: true };
}
