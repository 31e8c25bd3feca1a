/**
 * Live alerts (issue #12): `rampart serve` (compiled) on embedded PGlite follows a log; this process keeps
 * 1,000 WebSocket clients connected to /ws/alerts and appends attack lines at a target rate, each stamped
 * with the time it was appended; a client's receipt time minus that stamp is the latency from a line
 * appended to the log to the client's receipt (tail, parse, detect on the ingest worker, store commit,
 * live bus, hub, socket).
 *
 * Phases: `idle` (memory of the serve process per connected idle client), `spread` (every client
 * filtered to its own source IP: each alert goes to one client, while the hub tests every client's
 * filter on every alert) and `broadcast` (every client receives every alert). Figures: p50/p95/p99/max
 * latency, messages received, slow-client closes.
 */
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createTestSchema, probePostgres } from '../src/store/testing/postgres.js';
import { formatTimeLocalUtc } from '../src/time/nginx-time.js';
import { clientIp, idleMemory, round, type IdleMemory } from './live-memory.js';
import { startBenchServe } from './serve-process.js';


export interface LivePhaseFigures {
  phase: string;
  targetAlertsPerSecond: number;
  seconds: number;
  appended: number;
  /** Messages the clients received (alerts only). */
  received: number;
  expected: number;
  latencyMs: Quantiles;
  /** Of which: from the append to the hub's send (tail, parse, detect, store, bus), and from there to the client. */
  toHubMs: Quantiles;
  hubToClientMs: Quantiles;
  /** Clients the server closed (4008 too slow, or other codes). */
  closed: Record<string, number>;
}

interface Quantiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

function quantiles(xs: number[]): Quantiles {
  xs.sort((a, b) => a - b);
  const at = (q: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? 0;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: xs[xs.length - 1] ?? 0 };
}

export interface LiveAlertsFigures {
  clients: number;
  store: string;
  /** The serve process's RSS before and after the clients connected (noisy: no GC in between). */
  idle: { rssBeforeMb: number; rssAfterMb: number; perClientKb: number };
  /** The API alone in this process, the clients in another, measured after a full GC. */
  idleInProcess: IdleMemory;
  phases: LivePhaseFigures[];
}

interface Options {
  clients?: number;
  seconds?: number;
  /** [phase, alerts per second] */
  phases?: readonly (readonly ['spread' | 'broadcast', number])[];
}

function attackLine(ip: string, n: number, now: number): string {
  return `${ip} - - [${formatTimeLocalUtc(now)}] "GET /items?id=${n}%27%20UNION%20SELECT%20username,password%20FROM%20users--%20-&t=${now} HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"`;
}

export async function runLiveAlertsBench(o: Options = {}): Promise<LiveAlertsFigures> {
  const clients = o.clients ?? 1000;
  const seconds = o.seconds ?? 15;
  const phases = o.phases ?? [['spread', 1000], ['broadcast', 10], ['broadcast', 100], ['broadcast', 1000]];
  const idleInProcess = await idleMemory(clients);
  console.error(`   idle, in process: ${JSON.stringify(idleInProcess)}`);
  // PostgreSQL when it answers (the deployment that has 1,000 clients), else embedded PGlite.
  const pgUrl = await probePostgres('live alerts bench');
  const schema = pgUrl ? await createTestSchema(pgUrl, 'rampart_bench_live') : null;
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-live-'));
  const log = join(dir, 'access.log');
  writeFileSync(log, '');
  const config = join(dir, 'rampart.yaml');
  // The defaults, written out: the bench measures them.
  writeFileSync(config, 'live:\n  clientMaxMessages: 1000\n  clientMaxBytes: 1048576\n');
  let child: ChildProcess | null = null;
  const sockets: WebSocket[] = [];
  try {
    let storeArgs = ['--data-dir', join(dir, 'data')];
    if (schema) {
      const url = new URL(pgUrl!);
      url.searchParams.set('options', `-c search_path=${schema.schema}`);
      storeArgs = ['--database-url', url.toString()];
    }
    const started = startBenchServe(['serve', '--no-demo', '--port', '0', '-c', config, ...storeArgs, '--log', log]);
    child = started.child;
    const base = (await started.baseUrl).replace(/^http/, 'ws');
    await new Promise((r) => setTimeout(r, 2000));
    const rssBefore = rssMb(child.pid!);

    // Receipt handler: alerts carry their append time in the query (`t=`); found by indexOf, not parsed.
    let lat: number[] = [];
    let toHub: number[] = [];
    let toClient: number[] = [];
    let received = 0;
    const closed: Record<string, number> = {};
    const onMessage = (d: WebSocket.RawData) => {
      const now = Date.now();
      const s = d.toString();
      const at = s.indexOf('&t=');
      if (at < 0 || !s.startsWith('{"id"')) return;
      received++;
      const appended = Number(s.slice(at + 3, at + 16));
      lat.push(now - appended);
      // The envelope starts {"id":"…","time":"<ISO>": the hub's send time.
      const ti = s.indexOf('"time":"');
      const sentAt = Date.parse(s.slice(ti + 8, ti + 32));
      toHub.push(sentAt - appended);
      toClient.push(now - sentAt);
    };
    for (let i = 0; i < clients; i++) {
      const ws = new WebSocket(`${base}/ws/alerts?ip=${clientIp(i)}`, { headers: started.headers });
      ws.on('message', onMessage);
      ws.on('close', (code) => (closed[code] = (closed[code] ?? 0) + 1));
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      sockets.push(ws);
    }
    await new Promise((r) => setTimeout(r, 3000));
    const rssAfter = rssMb(child.pid!);
    const idle = { rssBeforeMb: round(rssBefore), rssAfterMb: round(rssAfter), perClientKb: round(((rssAfter - rssBefore) * 1024) / clients) };
    console.error(`   idle: ${JSON.stringify(idle)}`);

    const figures: LivePhaseFigures[] = [];
    let n = 0;
    let mode: 'spread' | 'broadcast' = 'spread';
    for (const [phase, rate] of phases) {
      if (phase !== mode) {
        const filter = phase === 'broadcast' ? {} : null;
        sockets.forEach((ws, i) => ws.send(JSON.stringify({ type: 'subscribe', filter: filter ?? { ip: clientIp(i) } })));
        mode = phase;
        await new Promise((r) => setTimeout(r, 1000));
      }
      lat = [];
      toHub = [];
      toClient = [];
      received = 0;
      for (const k of Object.keys(closed)) delete closed[k];
      const open = sockets.filter((s) => s.readyState === WebSocket.OPEN).length;
      const start = performance.now();
      let appended = 0;
      while (performance.now() - start < seconds * 1000) {
        const due = Math.floor(((performance.now() - start) / 1000) * rate);
        if (due > appended) {
          const now = Date.now();
          let text = '';
          for (let k = appended; k < due; k++) text += attackLine(clientIp(n++ % clients), n, now) + '\n';
          appendFileSync(log, text);
          appended = due;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      const expected = phase === 'broadcast' ? appended * open : appended;
      const deadline = Date.now() + 30_000;
      while (received < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const f: LivePhaseFigures = {
        phase,
        targetAlertsPerSecond: rate,
        seconds,
        appended,
        received,
        expected,
        latencyMs: quantiles(lat),
        toHubMs: quantiles(toHub),
        hubToClientMs: quantiles(toClient),
        closed: { ...closed },
      };
      console.error(`   ${JSON.stringify(f)}`);
      figures.push(f);
      if (sockets.every((s) => s.readyState !== WebSocket.OPEN)) break;
    }
    return { clients, store: schema ? 'postgres' : 'pglite', idle, idleInProcess, phases: figures };
  } finally {
    for (const s of sockets) s.terminate();
    child?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    await schema?.drop();
  }
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

