import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NOW, openTestApi, type TestApi } from '../testing/fixtures.js';
import { storeChecks } from '../readiness.js';
import { READINESS_TIMEOUT_MS } from './health.js';

let t: TestApi;

beforeAll(async () => {
  t = await openTestApi({}, false);
});
afterAll(async () => {
  await t?.close();
});

describe('GET /health', () => {
  it('answers without touching the store', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ status: 'ok', version: '9.9.9-test' });
    expect(body.uptime_s).toBeGreaterThanOrEqual(0);
  });
});

describe('GET /ready', () => {
  it('is 200 when every check passes', async () => {
    t.setReadiness(async () => ({
      checks: { store: { ok: true }, migrations: { ok: true, detail: '3 applied' }, sources: { ok: true } },
    }));
    const res = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      ready: true,
      checks: { store: { ok: true }, migrations: { ok: true, detail: '3 applied' }, sources: { ok: true } },
    });
  });

  it('is 503 with one reason per failed check', async () => {
    t.setReadiness(async () => ({
      checks: {
        store: { ok: true },
        migrations: { ok: false, detail: '2 pending: 0004_rollups, 0005_decisions' },
        sources: { ok: false },
      },
    }));
    const res = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      ready: false,
      checks: { store: { ok: true }, migrations: { ok: false }, sources: { ok: false } },
      reasons: ['migrations: 2 pending: 0004_rollups, 0005_decisions', 'sources failed'],
    });
  });

  it('is 503 when the readiness probe throws', async () => {
    t.setReadiness(async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    });
    const res = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json().reasons).toEqual(['readiness: connect ECONNREFUSED 127.0.0.1:5432']);
  });

  it('is 503 when the readiness probe hangs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      t.setReadiness(() => new Promise(() => {}));
      const pending = t.app.inject({ method: 'GET', url: '/ready' });
      await vi.advanceTimersByTimeAsync(READINESS_TIMEOUT_MS + 10);
      const res = await pending;
      expect(res.statusCode).toBe(503);
      expect(res.json().reasons[0]).toMatch(/no answer within/);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('GET /api/metrics/pipeline', () => {
  it('returns the pipeline snapshot with per-source counters and lag', async () => {
    const src = t.metrics.source('/var/log/nginx/access.log');
    src.read = 120;
    src.parsed = 117;
    src.unparsed = 2;
    src.overlong = 1;
    src.stored = 117;
    src.threats = 4;
    src.newestEventTime = NOW - 1500;
    t.metrics.stages.store.batches = 3;
    t.metrics.stages.store.ms = 42;
    const res = await t.app.inject({ method: 'GET', url: '/api/metrics/pipeline' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.sources['/var/log/nginx/access.log']).toMatchObject({
      read: 120,
      parsed: 117,
      unparsed: 2,
      overlong: 1,
      stored: 117,
      threats: 4,
      dropped: 0,
      lagMs: 1500,
    });
    expect(body.stages.store).toMatchObject({ batches: 3, ms: 42 });
    expect(body.totals.read).toBe(120);
    expect(body.startedAt).toBe(new Date(NOW).toISOString());
  });
});

describe('storeChecks', () => {
  it('reports a reachable, migrated store as ready', async () => {
    const checks = await storeChecks(t.store.schema);
    expect(checks.store).toEqual({ ok: true });
    expect(checks.migrations.ok).toBe(true);
    expect(checks.migrations.detail).toMatch(/^\d+ applied$/);
  });

  it('reports an unreachable store without its address, logging the cause', async () => {
    // The real store with its connection cut: only ping is replaced.
    const cut = Object.assign(Object.create(t.store.schema), {
      ping: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.5:5432')),
    });
    const warned: unknown[] = [];
    const checks = await storeChecks(cut, { warn: (obj: unknown) => void warned.push(obj) } as never);
    expect(checks.store.ok).toBe(false);
    expect(checks.migrations.ok).toBe(false);
    expect(JSON.stringify(checks)).not.toContain('10.0.0.5');
    expect((warned[0] as { err: Error }).err.message).toContain('ECONNREFUSED');
  });

  it('feeds /ready end to end', async () => {
    t.setReadiness(async () => ({ checks: { ...(await storeChecks(t.store.schema)), sources: { ok: true } } }));
    const res = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().checks).sort()).toEqual(['migrations', 'sources', 'store']);
  });
});
