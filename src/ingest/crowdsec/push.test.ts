/** The push sink's batching and retries (the e2e test pushes to a real LAPI); the client records or fails on demand. */
import { describe, expect, it } from 'vitest';
import type { ThreatEvent } from '../../core/index.js';
import { LapiError } from './lapi-client.js';
import { CrowdsecPush, MAX_ALERTS_PER_POST } from './push.js';

function threat(i: number): ThreatEvent {
  return {
    event: {
      id: `e${i}`,
      time: Date.UTC(2026, 11, 7),
      ip: `10.0.${i >> 8}.${i & 255}`,
      peerIp: null,
      method: 'GET',
      host: null,
      path: '/',
      query: '',
      protocol: '',
      status: 200,
      bytes: 0,
      referer: null,
      userAgent: null,
      requestTime: null,
      ja4: null,
      ja4h: null,
      headers: null,
      origin: { kind: 'file', source: '/x', offset: i, line: i },
    },
    detections: [{ ruleId: 'r', category: 'sqli', severity: 'high', confidence: 1, field: 'path', fragment: '/' }],
    score: 0.8,
    severity: 'high',
    category: 'sqli',
  };
}

function sink(failures: number, maxAttempts = 3) {
  const posts: number[] = [];
  let left = failures;
  const push = new CrowdsecPush({
    client: {
      async pushAlerts(alerts) {
        if (left-- > 0) throw new LapiError('crowdsec POST /v1/alerts: ECONNREFUSED', null);
        posts.push(alerts.length);
        return alerts.map((_, i) => String(i));
      },
    },
    policy: { minSeverity: 'high', decision: { type: 'ban', durationMs: 3_600_000 } },
    log: { warn() {} },
    maxAttempts,
    firstRetryMs: 5,
  });
  return { push, posts };
}

describe('CrowdsecPush', () => {
  it('sends one alert per IP in requests of at most MAX_ALERTS_PER_POST', async () => {
    const { push, posts } = sink(0);
    await push.write({ threats: Array.from({ length: 120 }, (_, i) => threat(i)).concat(threat(0)) });
    expect(posts).toEqual([MAX_ALERTS_PER_POST, MAX_ALERTS_PER_POST, 20]);
    expect(push.pushed).toBe(120);
  });
  it('retries a failed push with backoff, then gives up with the error', async () => {
    const ok = sink(2);
    await ok.push.write({ threats: [threat(1)] });
    expect(ok.posts).toEqual([1]);
    const failing = sink(5);
    await expect(failing.push.write({ threats: [threat(1)] })).rejects.toThrow('ECONNREFUSED');
    expect(failing.posts).toEqual([]);
  });
  it('pushes nothing for a batch with nothing to push', async () => {
    const { push, posts } = sink(0);
    await push.write({ threats: [{ ...threat(1), severity: 'low' }] });
    expect(posts).toEqual([]);
  });
});
