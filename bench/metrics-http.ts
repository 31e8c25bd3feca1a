/**
 * What the Prometheus HTTP hook costs (issue #12).
 *  1. observeHttp alone: ns per call (three Map lookups, the counts, a bucket scan).
 *  2. The API under load with and without the hook: GET /api/stats?range=24h (a store read on PGlite,
 *     the shared API data set) and GET /health (the cheapest route, where the hook weighs most), 16
 *     keep-alive connections for 4 s per round, 5 rounds each alternating on/off, medians reported. Client and
 *     server share this process (the comparison is what matters, not the absolute rate).
 * Run: npm run bench -- metrics (or node --import tsx bench/metrics-http.ts)
 */
import { loadavg } from 'node:os';
import pino from 'pino';
import { Pool } from 'undici';
import { createApi } from '../src/api/app.js';
import { OPEN_ACCESS_FOR_TESTS } from '../src/api/auth/access-control.js';
import { ApiMetrics } from '../src/api/metrics/index.js';
import { dataset, NOW } from '../src/api/testing/fixtures.js';
import { PipelineMetrics } from '../src/pipeline/metrics.js';
import { openStore } from '../src/store/index.js';

const CONNECTIONS = 16;
const ROUND_MS = 4_000;
const ROUNDS = 5;

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface MetricsBench {
  observeNsPerCall: number;
  routes: Record<string, { withHook: LoadFigures; withoutHook: LoadFigures; throughputChangePct: number }>;
  connections: number;
  roundMs: number;
  rounds: number;
  loadAverage: number;
}

function observeCost(): number {
  const m = new ApiMetrics({ pipeline: new PipelineMetrics(), processMetrics: false });
  const routes = ['/api/stats', '/api/threats', '/api/threats/:id', '/health'];
  const n = 2_000_000;
  for (let i = 0; i < 100_000; i++) m.observeHttp('GET', routes[i & 3]!, 200, 0.002);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) m.observeHttp('GET', routes[i & 3]!, 200, 0.002);
  return Math.round((Number(process.hrtime.bigint() - t0) / n) * 10) / 10;
}

async function load(port: number, path: string, ms: number): Promise<LoadFigures> {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONNECTIONS, pipelining: 1 });
  const latencies: number[] = [];
  const end = performance.now() + ms;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const res = await pool.request({ method: 'GET', path });
      await res.body.dump();
      if (res.statusCode !== 200) throw new Error(`${path}: HTTP ${res.statusCode}`);
      latencies.push(performance.now() - t0);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const elapsed = performance.now() - started;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 100) / 100;
  return { requestsPerSecond: Math.round((latencies.length / elapsed) * 1000), p50Ms: at(0.5), p99Ms: at(0.99) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function medianFigures(runs: LoadFigures[]): LoadFigures {
  return {
    requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
  };
}

export async function runMetricsBench(): Promise<MetricsBench> {
  const observeNsPerCall = observeCost();
  const store = await openStore({ databaseUrl: 'memory://' });
  const { events, threats } = dataset();
  await store.writer.write({ events, threats, checkpoints: [] });
  const apps = await Promise.all(
    [true, false].map(async (httpMetrics) => {
      const app = createApi({
    // Benchmarks measure the routes; access control's cost is the auth section's.
    access: OPEN_ACCESS_FOR_TESTS,
        store,
        pipeline: new PipelineMetrics(() => NOW),
        readiness: async () => ({ checks: {} }),
        logger: pino({ level: 'silent' }),
        version: 'bench',
        clock: () => NOW,
        options: { httpMetrics },
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      return { app, httpMetrics, port: typeof address === 'object' && address ? address.port : 0 };
    }),
  );
  const routes: MetricsBench['routes'] = {};
  try {
    for (const path of ['/api/stats?range=24h', '/health']) {
      const runs = new Map<boolean, LoadFigures[]>([
        [true, []],
        [false, []],
      ]);
      for (const a of apps) await load(a.port, path, 1_000); // warm-up: JIT, PGlite caches
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate which goes first, so a drift in machine load does not favour one side.
        const order = round % 2 === 0 ? apps : [...apps].reverse();
        for (const a of order) runs.get(a.httpMetrics)!.push(await load(a.port, path, ROUND_MS));
      }
      const withHook = medianFigures(runs.get(true)!);
      const withoutHook = medianFigures(runs.get(false)!);
      routes[path] = {
        withHook,
        withoutHook,
        throughputChangePct: Math.round(((withHook.requestsPerSecond - withoutHook.requestsPerSecond) / withoutHook.requestsPerSecond) * 1000) / 10,
      };
    }
  } finally {
    for (const a of apps) await a.app.close();
    await store.close();
  }
  return { observeNsPerCall, routes, connections: CONNECTIONS, roundMs: ROUND_MS, rounds: ROUNDS, loadAverage: Math.round(loadavg()[0]! * 100) / 100 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runMetricsBench().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
