/**
 * Memory of live alerts for bench/live-alerts.ts: per idle WebSocket client (the API and its hub in this
 * process, measured after a full GC; the clients in a child process, bench/live-clients.ts) and of a
 * full resume buffer.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { AlertHub, liveAlertRoutes, createApi, liveAlertOfThreat, OPEN_ACCESS_FOR_TESTS } from '../src/api/index.js';
import { PipelineMetrics } from '../src/pipeline/index.js';
import { openStore } from '../src/store/index.js';
import { makeEvent } from '../src/store/testing/fixtures.js';

/** The source IP whose alerts client `i` of the bench subscribes to. */
export const clientIp = (i: number) => `100.70.${(i >> 8) & 255}.${i & 255}`;

export function round(x: number): number {
  return Math.round(x * 10) / 10;
}

export interface IdleMemory {
  clients: number;
  heapPerClientKb: number;
  /** Heap plus external and array buffers (socket buffers, ws's). */
  totalPerClientKb: number;
  rssPerClientKb: number;
  /** The resume buffer full (its default 10,000 alerts like the bench's, about 650 bytes of JSON each). */
  resumeBufferMb: number;
  alertBytes: number;
}

/** Memory per idle client: the API with its hub here (after gc), `clients` idle WebSocket clients in a child process. */
export async function idleMemory(clients: number): Promise<IdleMemory> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const store = await openStore({ databaseUrl: 'memory://' });
  const hub = new AlertHub();
  const app = createApi({
    // Benchmarks measure the routes; access control's cost is the auth section's.
    access: OPEN_ACCESS_FOR_TESTS,
    store,
    pipeline: new PipelineMetrics(),
    readiness: async () => ({ checks: {} }),
    logger: pino({ level: 'warn' }),
    version: 'bench',
    extraRoutes: [(a) => liveAlertRoutes(a, { hub })],
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const sample = () => {
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    return { heap: m.heapUsed, total: m.heapUsed + m.external + m.arrayBuffers, rss: m.rss };
  };
  const empty = sample();
  // A full resume buffer, before any client connects (each would get the 10,000 alerts).
  let alertBytes = 0;
  for (let i = 0; i < 10_000; i++) {
    const ev = makeEvent(i.toString(16).padStart(16, '0'), { ip: clientIp(i % 1000), path: '/items', query: `id=${i}%27%20UNION%20SELECT%20username,password%20FROM%20users--%20-&t=${Date.now()}` });
    const alert = liveAlertOfThreat({ event: ev, score: 0.9, severity: 'high', category: 'sqli', detections: [{ ruleId: 'sqli-union-select', category: 'sqli', severity: 'high', confidence: 0.9, field: 'query', fragment: 'UNION SELECT username,password FROM users' }] });
    if (i === 0) alertBytes = JSON.stringify(alert).length;
    hub.publish(alert);
  }
  const before = sample();
  const resumeBufferMb = round((before.total - empty.total) / 2 ** 20);
  const swarm = spawn(process.execPath, [fileURLToPath(new URL('./live-clients.js', import.meta.url)), `ws://127.0.0.1:${port}/ws/alerts`, String(clients)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      swarm.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      swarm.once('exit', (code) => reject(new Error(`client swarm exited ${code}`)));
    });
    await new Promise((r) => setTimeout(r, 2000));
    if (hub.stats().clients.websocket !== clients) throw new Error(`${hub.stats().clients.websocket} of ${clients} clients connected`);
    const after = sample();
    const per = (a: number, b: number) => round((b - a) / 1024 / clients);
    return {
      clients,
      heapPerClientKb: per(before.heap, after.heap),
      totalPerClientKb: per(before.total, after.total),
      rssPerClientKb: per(before.rss, after.rss),
      resumeBufferMb,
      alertBytes,
    };
  } finally {
    swarm.kill('SIGKILL');
    await app.close();
    await store.close();
  }
}

