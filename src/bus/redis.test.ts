/**
 * The Redis live bus against the real Redis (TEST_REDIS_URL): the LiveBus conformance suite on one
 * process's bus (local delivery) and across two buses (published on one, subscribed on the other: every
 * message crosses Redis); exactly once per subscriber across processes; and, on a private redis-server
 * started here, Redis going away and coming back while local delivery goes on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL, serviceAvailable } from '../enrich/testing/services.js';
import { RedisBus } from './redis.js';
import { describeLiveBusConformance } from './testing/conformance.js';
import type { LiveBus } from './types.js';

const redisUp = await serviceAvailable('redis');
const channel = () => `rampart:test:${randomBytes(6).toString('hex')}`;

async function openBus(capacity: number, ch: string, url = REDIS_URL, log?: { warn(m: string): void; info(m: string): void }): Promise<RedisBus<number>> {
  const bus = new RedisBus<number>({ url, channel: ch, capacityPerSubscriber: capacity, ...(log ? { log } : {}) });
  await bus.ready();
  return bus;
}

/** Publishes on one process's bus, subscribes on another's: what the suite sees went through Redis. */
function crossProcess(a: RedisBus<number>, b: RedisBus<number>): LiveBus<number> {
  return {
    publish: (m) => a.publish(m),
    subscribe: (h) => b.subscribe(h),
    stats: () => b.stats(),
    close: async () => {
      await a.close();
      await b.close();
    },
  };
}

async function eventually(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.skipIf(!redisUp)('RedisBus on the real Redis', () => {
  describeLiveBusConformance('redis, one process', ({ capacity }) => openBus(capacity, channel()));
  describeLiveBusConformance('redis, across two processes', async ({ capacity }) => {
    const ch = channel();
    const [a, b] = await Promise.all([openBus(capacity, ch), openBus(capacity, ch)]);
    // b must be subscribed before a publishes.
    await b.ready();
    return crossProcess(a, b);
  });

  const open: RedisBus<number>[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
  });

  it('delivers each message once to every subscriber of every process, its own included', async () => {
    const ch = channel();
    const buses = await Promise.all([openBus(64, ch), openBus(64, ch), openBus(64, ch)]);
    open.push(...buses);
    const got = buses.map(() => [[], []] as number[][]);
    buses.forEach((b, i) => got[i]!.forEach((into) => b.subscribe((m) => void into.push(m))));
    for (let m = 0; m < 30; m++) buses[m % 3]!.publish(m);
    await eventually(() => got.flat().every((g) => g.length === 30), 'every subscriber');
    await new Promise((r) => setTimeout(r, 100));
    for (const g of got.flat()) expect([...g].sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    // Each process's own messages keep their order, whoever published them.
    for (const g of got.flat()) expect(g.filter((m) => m % 3 === 1)).toEqual(Array.from({ length: 10 }, (_, i) => 3 * i + 1));
    expect(buses[0]!.stats()).toMatchObject({ published: 10, received: 20, connected: true });
  });
});

/** A free port for the private redis-server. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(true));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (up) return child;
    if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const haveRedisServer = await new Promise<boolean>((resolve) => {
  const p = spawn('redis-server', ['--version'], { stdio: 'ignore' });
  p.once('error', () => resolve(false));
  p.once('exit', (code) => resolve(code === 0));
});
if (!haveRedisServer) console.warn('SKIP redis-server: not installed, the Redis outage test does not run');

describe.skipIf(!haveRedisServer)('RedisBus when Redis goes away (private redis-server)', () => {
  it('keeps delivering locally, says so, and reconnects by itself', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-redis-'));
    const port = await freePort();
    let server = await startRedis(port, dir);
    const url = `redis://127.0.0.1:${port}`;
    const logs: string[] = [];
    const log = { warn: (m: string) => logs.push(`warn ${m}`), info: (m: string) => logs.push(`info ${m}`) };
    const a = await openBus(64, 'live', url, log);
    const b = await openBus(64, 'live', url);
    try {
      const localA: number[] = [];
      const remoteB: number[] = [];
      a.subscribe((m) => void localA.push(m));
      b.subscribe((m) => void remoteB.push(m));
      a.publish(1);
      await eventually(() => remoteB.length === 1, 'the first message across');

      server.kill('SIGKILL');
      await new Promise((r) => server.once('exit', r));
      await eventually(() => logs.some((l) => l.startsWith('warn live bus: Redis connection lost')), 'the loss in the log');
      a.publish(2);
      expect(localA).toEqual([1, 2]);
      expect(a.stats()).toMatchObject({ connected: false, notPublished: 1 });

      server = await startRedis(port, dir);
      await eventually(() => a.stats().connected && b.stats().connected, 'both reconnected', 30_000);
      expect(logs.filter((l) => l.startsWith('warn'))).toHaveLength(1);
      expect(logs.at(-1)).toMatch(/^info live bus: Redis reconnected/);
      a.publish(3);
      await eventually(() => remoteB.includes(3), 'a message across after the return');
      expect(remoteB).toEqual([1, 3]);
      expect(localA).toEqual([1, 2, 3]);
    } finally {
      await a.close();
      await b.close();
      server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
