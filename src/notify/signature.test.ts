import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureHeaders, signBody, verifySignature } from './signature.js';

const SECRET = 'a-secret-of-at-least-16';
const TS = 1_765_150_000;
const BODY = '{"ip":"203.0.113.7","path":"/a\\"b"}';

describe('webhook signature', () => {
  it('is HMAC-SHA256 over "<timestamp>.<body>", hex, prefixed sha256= (what docs/notifications.md tells receivers)', () => {
    const want = createHmac('sha256', SECRET).update(`${TS}.${BODY}`).digest('hex');
    expect(signBody(SECRET, TS, BODY)).toBe(`sha256=${want}`);
    expect(signatureHeaders(SECRET, TS, BODY)).toEqual({ 'x-rampart-timestamp': String(TS), 'x-rampart-signature': `sha256=${want}` });
  });

  const good = signBody(SECRET, TS, BODY);
  it.each([
    ['the exact body', { timestamp: String(TS), signature: good }, BODY, TS + 10, { ok: true }],
    ['a changed body', { timestamp: String(TS), signature: good }, BODY.replace('203', '204'), TS, { ok: false, reason: 'signature does not match' }],
    ['a changed timestamp', { timestamp: String(TS + 1), signature: good }, BODY, TS, { ok: false, reason: 'signature does not match' }],
    ['another secret', { timestamp: String(TS), signature: signBody('another-secret-16chars', TS, BODY) }, BODY, TS, { ok: false, reason: 'signature does not match' }],
    ['an old timestamp (replay)', { timestamp: String(TS), signature: good }, BODY, TS + 301, { ok: false, reason: 'timestamp outside the tolerance' }],
    ['no signature', { timestamp: String(TS), signature: undefined }, BODY, TS, { ok: false, reason: 'missing or malformed signature' }],
    ['a malformed timestamp', { timestamp: '1e9', signature: good }, BODY, TS, { ok: false, reason: 'missing or malformed timestamp' }],
    ['an uppercase hex signature', { timestamp: String(TS), signature: good.toUpperCase() }, BODY, TS, { ok: false, reason: 'missing or malformed signature' }],
  ])('verify: %s', (_name, headers, body, now, want) => {
    expect(verifySignature(SECRET, headers, body, now)).toEqual(want);
  });
});
