/**
 * Live alerts across processes: two real `rampart serve` processes on one PostgreSQL schema and the real
 * Redis, each following its own log, one WebSocket client on each. Every attack appended to either log
 * reaches both clients, exactly once each (the process that stored it publishes; each process's hub
 * subscribes and skips its own messages coming back).
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { REDIS_URL, serviceAvailable } from '../../src/enrich/testing/services.js';
import { createTestSchema, probePostgres, type TestSchema } from '../../src/store/testing/postgres.js';
import { attackLine } from './log-lines.js';
import { startServe, waitFor, type ServeProcess } from './serve-process.js';

const pgUrl = await probePostgres('live alerts across processes');
const redisUp = await serviceAvailable('redis');

type Msg = { type: string; id?: string; data?: { id: string; ip: string; query: string } };

function client(baseUrl: string, apiKey: string) {
  const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + '/ws/alerts', { headers: { 'x-api-key': apiKey } });
  const got: Msg[] = [];
  ws.on('message', (d) => got.push(JSON.parse(d.toString()) as Msg));
  const open = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, got, open, alerts: () => got.filter((m) => m.type === 'threat_detected') };
}

describe.skipIf(!pgUrl || !redisUp)('live alerts across two serve processes (PostgreSQL + Redis)', { timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-live-'));
  const running: ServeProcess[] = [];
  let schema: TestSchema | undefined;

  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop('SIGKILL')));
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every alert of either process to a client of each, exactly once', async () => {
    schema = await createTestSchema(pgUrl!, 'rampart_live');
    const db = new URL(pgUrl!);
    db.searchParams.set('options', `-c search_path=${schema.schema}`);
    // A channel of its own, so that other tests on the same Redis cannot add messages.
    const config = join(dir, 'rampart.yaml');
    writeFileSync(config, `live:\n  redisChannel: rampart:test:${randomBytes(6).toString('hex')}\n`);
    const logs = [join(dir, 'a.log'), join(dir, 'b.log')];
    for (const log of logs) writeFileSync(log, '');
    // One after the other: the first migrates the schema.
    for (const log of logs) {
      const p = await startServe(['--no-demo', '-c', config, '--log', log, '--database-url', db.toString()], { REDIS_URL });
      running.push(p);
      await waitFor('ready', async () => ((await p.get('/ready')).status === 200 ? true : undefined), 60_000);
    }
    const clients = running.map((p) => client(p.baseUrl, p.apiKey));
    await Promise.all(clients.map((c) => c.open));
    await waitFor('subscribed', async () => (clients.every((c) => c.got.length > 0) ? true : undefined), 10_000, 20);

    const perLog = 40;
    for (let i = 0; i < perLog; i++) {
      appendFileSync(logs[0]!, attackLine(i, '192.0.2.10') + '\n');
      appendFileSync(logs[1]!, attackLine(i, '192.0.2.20') + '\n');
      if (i % 10 === 9) await new Promise((r) => setTimeout(r, 100));
    }
    const total = 2 * perLog;
    await waitFor(
      'every alert on both clients',
      async () => (clients.every((c) => c.alerts().length >= total) ? true : undefined),
      60_000,
      50,
    );
    // Time for a duplicate to show.
    await new Promise((r) => setTimeout(r, 1_000));
    const stored = await running[0]!.get(`/api/threats?limit=500`);
    expect(stored.body.total).toBe(total);
    const storedIds = (stored.body.items as { id: string }[]).map((t) => t.id).sort();
    for (const c of clients) {
      const ids = c.alerts().map((m) => m.data!.id);
      expect(ids).toHaveLength(total);
      expect([...ids].sort()).toEqual(storedIds);
      // Each process's alerts arrive in the order its log had them.
      for (const ip of ['192.0.2.10', '192.0.2.20']) {
        const order = c.alerts().filter((m) => m.data!.ip === ip).map((m) => Number(/^id=(\d+)/.exec(m.data!.query)![1]));
        expect(order).toEqual(Array.from({ length: perLog }, (_, i) => i));
      }
    }
    // Shutdown with live clients connected: they are closed (1001), and each process exits cleanly.
    const closes = clients.map((c) => new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code))));
    expect(await Promise.all(running.map((p) => p.stop()))).toEqual([0, 0]);
    expect(await Promise.all(closes)).toEqual([1001, 1001]);
  });
});
