/**
 * The ingest API (issue #11) against a real listening `rampart serve` (the compiled CLI, bin/rampart.js), loaded
 * with autocannon from this process:
 * - single: POST /api/threats/ingest from 10 then 200 concurrent clients, each event different (source IP, path,
 *   threat type), latency percentiles and requests/s;
 * - bulk: POST /api/threats/bulk-ingest of 10,000 events per request, events/s stored (the answer comes after
 *   the commit, so every 2xx is 10,000 stored events; checked against the pipeline counters).
 * Into PostgreSQL (a fresh schema, dropped afterwards) and, for reference, embedded PGlite in a temp folder. First, the
 * ceiling: a bare Fastify route in its own process (bench/ingest-ceiling-server.ts) loaded as the single runs are.
 *   npm run bench -- ingest                          # compiled, as the figures in docs/benchmarks.md
 *   RAMPART_BENCH_SERVE=tsx node --import tsx bench/ingest.ts   # from the sources, for a quick look
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { createTestSchema, probePostgres } from '../src/store/testing/postgres.js';
import { startBenchServe } from './serve-process.js';

export interface IngestBenchOptions {
  singleConnections?: number;
  singleSeconds?: number;
  bulkConnections?: number;
  bulkSeconds?: number;
  bulkEvents?: number;
  /** false skips the PGlite run. */
  pglite?: boolean;
  /** false skips the ceiling (a bare Fastify route, bench/ingest-ceiling-server.ts). */
  ceiling?: boolean;
}

/** A bare Fastify POST route loaded as the single-event runs are: what no ingest route can beat on this machine. */
export interface CeilingFigures {
  loadBefore: number[];
  single: SingleFigures;
}

export interface SingleFigures {
  connections: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
}

export interface BulkFigures {
  connections: number;
  eventsPerRequest: number;
  seconds: number;
  requests: number;
  eventsStored: number;
  eventsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
}

export interface IngestBenchResult {
  store: 'postgres' | 'pglite';
  /** `os.loadavg()` (1, 5, 15 min) before the run: the machine is shared, figures move with it. */
  loadBefore: number[];
  /** 10 clients: the latency when the server is not saturated. */
  singleLight: SingleFigures;
  single: SingleFigures;
  bulk: BulkFigures;
}

const THREAT_TYPES = ['sqli', 'xss', 'scan', 'brute_force', 'rce', 'bot'];

function eventBody(i: number): Record<string, unknown> {
  return {
    source_ip: `100.${64 + ((i >> 16) & 63)}.${(i >> 8) & 255}.${i & 255}`,
    destination_ip: '10.0.0.10',
    threat_type: THREAT_TYPES[i % THREAT_TYPES.length],
    severity: 1 + (i % 10),
    confidence: 0.8,
    host: 'shop.example',
    path: `/products/${i % 5000}?ref=sensor`,
    method: 'GET',
    user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
    tags: ['bench'],
  };
}

export async function runIngestBench(o: IngestBenchOptions = {}): Promise<(IngestBenchResult | CeilingFigures)[] | { skipped: string }> {
  const results: (IngestBenchResult | CeilingFigures)[] = [];
  if (o.ceiling !== false) results.push(await ceiling(o));
  const pgUrl = await probePostgres('ingest bench');
  if (pgUrl) {
    const schema = await createTestSchema(pgUrl, 'rampart_bench_ingest');
    const url = new URL(pgUrl);
    url.searchParams.set('options', `-c search_path=${schema.schema}`);
    try {
      results.push(await againstServe('postgres', ['--database-url', url.toString()], o));
    } finally {
      await schema.drop();
    }
  }
  if (o.pglite !== false) {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-ingest-pglite-'));
    try {
      results.push(await againstServe('pglite', ['--data-dir', dir], o));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return results.length > 0 ? results : { skipped: 'no store reachable' };
}

async function againstServe(store: IngestBenchResult['store'], storeArgs: string[], o: IngestBenchOptions): Promise<IngestBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-ingest-'));
  const log = join(dir, 'access.log');
  writeFileSync(log, '');
  const { child, baseUrl, headers: key } = startBenchServe(['serve', '--no-demo', '--port', '0', '--log', log, ...storeArgs]);
  try {
    const base = await baseUrl;
    await until(async () => (await fetch(`${base}/ready`)).status === 200, 60_000);
    // Warm-up: JIT and connection pools, not measured.
    await single(base, key, 50, 3, 1_000_000);
    const loadBefore = loadavg().map((l) => Math.round(l * 100) / 100);
    const light = await single(base, key, 10, 10, 500_000);
    const singleFigures = await single(base, key, o.singleConnections ?? 200, o.singleSeconds ?? 15, 0);
    const bulkFigures = await bulk(base, key, o.bulkConnections ?? 2, o.bulkSeconds ?? 20, o.bulkEvents ?? 10_000);
    return { store, loadBefore, singleLight: light, single: singleFigures, bulk: bulkFigures };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function ceiling(o: IngestBenchOptions): Promise<CeilingFigures> {
  const server = fileURLToPath(new URL('./ingest-ceiling-server.js', import.meta.url));
  const child = spawn(process.execPath, [server], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(err);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`ceiling server exited ${code}: ${err}`)));
    });
    await single(base, {}, 50, 3, 1_000_000);
    const loadBefore = loadavg().map((l) => Math.round(l * 100) / 100);
    return { loadBefore, single: await single(base, {}, o.singleConnections ?? 200, o.singleSeconds ?? 15, 0) };
  } finally {
    child.kill('SIGKILL');
  }
}

async function single(base: string, key: Record<string, string>, connections: number, seconds: number, first: number): Promise<SingleFigures> {
  let i = first;
  const r = await autocannon({
    url: `${base}/api/threats/ingest`,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...key },
        setupRequest: (req) => ({ ...req, body: JSON.stringify(eventBody(i++)) }),
      },
    ],
  });
  return {
    connections,
    seconds,
    requests: r.requests.total,
    requestsPerSecond: Math.round(r.requests.average),
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

async function bulk(base: string, key: Record<string, string>, connections: number, seconds: number, perRequest: number): Promise<BulkFigures> {
  // A few distinct bodies, built once: building 10,000 events per request here would load the client, not the server.
  const bodies = Array.from({ length: 4 }, (_, b) => JSON.stringify(Array.from({ length: perRequest }, (_, k) => eventBody(2_000_000 + b * perRequest + k))));
  let n = 0;
  const storedBefore = await storedByApi(base, key);
  const t0 = performance.now();
  const r = await autocannon({
    url: `${base}/api/threats/bulk-ingest`,
    connections,
    duration: seconds,
    timeout: 60,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...key },
        setupRequest: (req) => ({ ...req, body: bodies[n++ % bodies.length]! }),
      },
    ],
  });
  const took = (performance.now() - t0) / 1000;
  const stored = (await storedByApi(base, key)) - storedBefore;
  return {
    connections,
    eventsPerRequest: perRequest,
    seconds: Math.round(took * 100) / 100,
    requests: r.requests.total,
    eventsStored: stored,
    eventsPerSecond: Math.round(stored / took),
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

async function storedByApi(base: string, key: Record<string, string>): Promise<number> {
  const m = (await (await fetch(`${base}/api/metrics/pipeline`, { headers: key })).json()) as { sources: Record<string, { stored: number }> };
  return m.sources['ingest-api']?.stored ?? 0;
}

async function until(cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await cond()) return;
    } catch {
      // Not answering yet.
    }
    if (Date.now() > deadline) throw new Error(`bench condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runIngestBench(), null, 2));
}
