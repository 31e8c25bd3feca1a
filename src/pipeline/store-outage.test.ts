import { describe, expect, it } from 'vitest';
import { deferredSource } from './deferred-source.js';
import { PipelineMetrics } from './metrics.js';
import { connectStore } from './store-connect.js';
import { backoffDelay, StoreOutage } from './store-outage.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

function tracker(now: { t: number }) {
  const logs: { level: string; msg: string }[] = [];
  const log = (level: string) => (_o: object, msg: string) => void logs.push({ level, msg });
  const metrics = new PipelineMetrics(() => now.t);
  const outage = new StoreOutage('postgres', { warn: log('warn'), info: log('info'), error: log('error') }, metrics.storeAvailability, () => now.t);
  return { logs, metrics, outage };
}

describe('backoffDelay', () => {
  it.each([
    [0, 250],
    [1, 500],
    [4, 4000],
    [5, 5000],
    [60, 5000],
  ])('attempt %i waits %i ms', (attempt, ms) => {
    expect(backoffDelay(attempt, 250, 5000)).toBe(ms);
  });
});

describe('StoreOutage', () => {
  it('warns once per outage, counts retries, says when it will retry, and logs the recovery', () => {
    const now = { t: 1_000_000 };
    const { logs, metrics, outage } = tracker(now);
    expect(outage.checks()).toBeNull();
    outage.failed(refused(), 'ingest of a', 500);
    now.t += 500;
    outage.failed(refused(), 'ingest of a', 1000);
    outage.failed(refused(), 'ingest of a', 2000);
    now.t += 1500;
    expect(outage.checks()).toEqual({
      store: { ok: false, detail: 'postgres unavailable for 2 s (connection refused); retrying; next retry in 1 s' },
      migrations: { ok: false, detail: 'unknown until the store answers' },
    });
    expect(metrics.snapshot().storeAvailability).toEqual({ outages: 1, retries: 2, downSince: 1_000_000, lastError: 'connection refused' });
    outage.succeeded('ingest of a');
    outage.succeeded('ingest of a');
    expect(logs.map((l) => l.level)).toEqual(['warn', 'info']);
    expect(logs[0]!.msg).not.toMatch(/127\.0\.0\.1/);
    expect(metrics.snapshot().storeAvailability).toEqual({ outages: 1, retries: 2, downSince: null, lastError: null });
    outage.failed(refused(), 'ingest of a', 500);
    expect(metrics.snapshot().storeAvailability.outages).toBe(2);
  });

  it('logs a rejected statement at error on every attempt: waiting will not fix it', () => {
    const { logs, outage } = tracker({ t: 0 });
    outage.failed(Object.assign(new Error('syntax error'), { code: '42601' }), 'ingest of a', 500);
    outage.failed(Object.assign(new Error('syntax error'), { code: '42601' }), 'ingest of a', 500);
    expect(logs.map((l) => l.level)).toEqual(['error', 'error']);
    expect(outage.checks()?.store.detail).toMatch(/statement rejected/);
  });
});

describe('connectStore', () => {
  const cps = [{ source: 's', fileId: 'f', offset: 1, line: 1, headHash: 'h' }];
  const migrations = { applied: ['0001'], pending: [] };
  const repos = (migrate: () => Promise<typeof migrations>) => ({ schema: { migrate }, checkpoints: { load: async () => cps } });

  it('resolves at once when the store answers', async () => {
    const { outage, logs } = tracker({ t: 0 });
    const link = await connectStore(repos(async () => migrations), outage);
    expect(await link.ready).toEqual({ migrations, checkpoints: cps });
    expect(logs).toEqual([]);
  });

  it('retries an unreachable store in the background until it answers', async () => {
    const { outage, logs, metrics } = tracker({ t: 0 });
    let down = 3;
    const link = await connectStore(
      repos(async () => {
        if (down-- > 0) throw refused();
        return migrations;
      }),
      outage,
      { firstDelayMs: 1, maxDelayMs: 4 },
    );
    expect(outage.down).toBe(true);
    expect(await link.ready).toEqual({ migrations, checkpoints: cps });
    expect(logs.map((l) => l.level)).toEqual(['warn', 'info']);
    expect(metrics.snapshot().storeAvailability).toMatchObject({ outages: 1, retries: 2, downSince: null });
  });

  it('fails start-up on a migration the store rejects', async () => {
    const { outage } = tracker({ t: 0 });
    const bad = Object.assign(new Error('syntax error'), { code: '42601' });
    await expect(connectStore(repos(async () => Promise.reject(bad)), outage)).rejects.toBe(bad);
  });

  it('gives up when stopped, and a source waiting on it yields nothing', async () => {
    const { outage } = tracker({ t: 0 });
    const abort = new AbortController();
    const link = await connectStore(repos(() => Promise.reject(refused())), outage, {
      signal: abort.signal,
      firstDelayMs: 60_000,
    });
    const source = deferredSource('s', async () => (await link.ready) && { id: 's', batches: async function* () {}, stop: async () => {} });
    const batches: unknown[] = [];
    const drained = (async () => {
      for await (const b of source.batches()) batches.push(b);
    })();
    abort.abort();
    await source.stop();
    await drained;
    expect(await link.ready).toBeNull();
    expect(batches).toEqual([]);
  });
});
