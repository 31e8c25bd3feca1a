/**
 * What access control costs a request: GET /api/metrics/pipeline (no store I/O) through app.inject,
 * 20,000 times, with everyone admitted and no limit (as before access control), with a key (hash, the
 * verified-key cache, the scope check) and no limit, and with a key and the in-process rate limits.
 * The key lookup is an in-memory table, so the figures are the API's own work, not a store round trip
 * (a key's first use in 10 s costs one indexed SELECT on top).
 * Run: npm run bench -- auth
 */
import { loadavg } from 'node:os';
import pino from 'pino';
import { createApi } from '../src/api/app.js';
import type { AccessOptions } from '../src/api/auth/access-control.js';
import { hashApiKey } from '../src/api/auth/api-key.js';
import type { KeyLookup } from '../src/api/auth/key-verifier.js';
import { PipelineMetrics } from '../src/pipeline/metrics.js';
import type { ApiRepositories } from '../src/api/types.js';

const N = 20_000;
const KEY = 'rk_bench-key-0123456789abcdefghijklmnopqrstuvwxyz';

export interface AuthBench {
  requests: number;
  /** µs per request (median of 3 runs) by mode. */
  open: number;
  keyNoLimits: number;
  keyWithLimits: number;
  loadAverage: number;
}

async function perRequestUs(access: AccessOptions, headers: Record<string, string>): Promise<number> {
  const app = createApi({
    // The route measured reads no repository.
    store: {} as ApiRepositories,
    pipeline: new PipelineMetrics(),
    readiness: async () => ({ checks: {} }),
    logger: pino({ level: 'silent' }),
    version: 'bench',
    access,
  });
  await app.ready();
  for (let i = 0; i < 2000; i++) await app.inject({ url: '/api/metrics/pipeline', headers });
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const res = await app.inject({ url: '/api/metrics/pipeline', headers });
      if (res.statusCode !== 200) throw new Error(`bench request answered ${res.statusCode}`);
    }
    runs.push(((performance.now() - t0) * 1000) / N);
  }
  await app.close();
  return Math.round(runs.sort((a, b) => a - b)[1]! * 10) / 10;
}

export async function runAuthBench(): Promise<AuthBench> {
  const record = { id: 'key_bench', name: 'bench', scopes: ['read' as const], createdAt: 0, lastUsedAt: null, expiresAt: null, revokedAt: null, hash: hashApiKey(KEY) };
  const keys: KeyLookup = { findByHash: async (h) => (h === record.hash ? record : null), touch: async () => undefined };
  const limits = { perKey: 1e9, perIp: 1e9, failedAuth: 10, windowMs: 60_000 };
  return {
    requests: N,
    open: await perRequestUs({ mode: 'open', limits: false }, {}),
    keyNoLimits: await perRequestUs({ mode: 'keys', keys, limits: false }, { authorization: `Bearer ${KEY}` }),
    keyWithLimits: await perRequestUs({ mode: 'keys', keys, limits }, { authorization: `Bearer ${KEY}` }),
    loadAverage: loadavg()[0]!,
  };
}
