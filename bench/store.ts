/**
 * Store write throughput: synthetic events in batches (a share of them threats) into PGlite in a temp
 * folder and into the PostgreSQL server (a fresh schema, dropped afterwards).
 *   node --import tsx bench/store.ts            # TEST_DATABASE_URL picks the server
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ThreatEvent } from '../src/core/detection.js';
import type { HttpEvent } from '../src/core/event.js';
import { openStore, type Store, type WriteBatch } from '../src/store/index.js';
import type { IpWindow } from '../src/detect/index.js';
import { makeDetection, makeEvent, makeThreat, makeWindow, T0 } from '../src/store/testing/fixtures.js';
import { createTestSchema, probePostgres, TEST_DATABASE_URL } from '../src/store/testing/postgres.js';

export interface StoreBenchOptions {
  events?: number;
  batchSize?: number;
  threatRatio?: number;
  /** Server URL; null skips the server run. */
  postgresUrl?: string | null;
  /** false skips the PGlite run. */
  pglite?: boolean;
}

export interface StoreBenchResult {
  backend: 'pglite' | 'postgres';
  events: number;
  threats: number;
  seconds: number;
  eventsPerSecond: number;
  /** CPU this process spent (serialising, driver; all of PGlite): tells our cost apart from a busy machine. */
  clientCpuSeconds: number;
  /** Total size (heap, indexes, TOAST) per table, bytes. */
  tableBytes: Record<string, number>;
}

export async function runStoreBench(opts: StoreBenchOptions = {}): Promise<StoreBenchResult[]> {
  const o = { events: 200_000, batchSize: 5_000, threatRatio: 0.05, ...opts };
  const batches = synthesise(o.events, o.batchSize, o.threatRatio);
  const results: StoreBenchResult[] = [];
  if (o.pglite !== false) {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-bench-'));
    try {
      results.push(await timed('pglite', await openStore({ dataDir: dir }), batches));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const url = o.postgresUrl === undefined ? await probePostgres('store bench', TEST_DATABASE_URL) : o.postgresUrl;
  if (url) {
    const schema = await createTestSchema(url, 'rampart_bench');
    try {
      results.push(await timed('postgres', await openStore({ databaseUrl: url, schema: schema.schema }), batches));
    } finally {
      await schema.drop();
    }
  }
  return results;
}

async function timed(backend: StoreBenchResult['backend'], store: Store, batches: WriteBatch[]): Promise<StoreBenchResult> {
  try {
    const start = performance.now();
    const cpu = process.cpuUsage();
    for (const batch of batches) await store.writer.write(batch);
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    const clientCpuSeconds = (used.user + used.system) / 1e6;
    const events = batches.reduce((n, b) => n + b.events.length, 0);
    const threats = batches.reduce((n, b) => n + b.threats.length, 0);
    return {
      backend,
      events,
      threats,
      seconds,
      eventsPerSecond: Math.round(events / seconds),
      clientCpuSeconds,
      tableBytes: await sizes(store),
    };
  } finally {
    await store.close();
  }
}

async function sizes(store: Store): Promise<Record<string, number>> {
  const { rows } = await store.sql.query<{ name: string; bytes: number }>(
    `SELECT c.relname AS name, pg_total_relation_size(c.oid)::float8 AS bytes
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY bytes DESC`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.bytes]));
}

const USER_AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'curl/8.4.0',
];
const JA4S = ['t13d1516h2_8daaf6152771_b186095e22b6', 't13d1517h2_8daaf6152771_b1ff8ab2d16f', 't12d2004h1_76e208dd3e22_a5a7d8b0f6c9'];

/**
 * Deterministic traffic: 50 req/s from 2,000 clients over 1,000 pages (skewed), each page followed by two of its
 * assets, five user agents and three JA4s, with attack-looking threats; each batch closes one behaviour window per
 * client it saw (a share with scenarios), as detection does.
 */
function synthesise(total: number, batchSize: number, threatRatio: number): WriteBatch[] {
  const batches: WriteBatch[] = [];
  const every = Math.max(1, Math.round(1 / threatRatio));
  for (let start = 0; start < total; start += batchSize) {
    const events: HttpEvent[] = [];
    const threats: ThreatEvent[] = [];
    const windows = new Map<string, IpWindow>();
    for (let i = start; i < Math.min(total, start + batchSize); i++) {
      const attack = i % every === 0;
      // A page view and its two assets come from one client, one after the other.
      const client = skewed(Math.floor(i / 3), 2000);
      const ip = `10.0.${client >> 8}.${client & 255}`;
      // Requests come in threes per page view: the page, then two of its assets.
      const asset = !attack && i % 3 !== 0;
      const e = makeEvent(`bench:${i}`, {
        time: T0 + i * 20,
        ip,
        host: i % 4 === 0 ? 'api.example' : 'shop.example',
        path: attack ? `/search/${i % 50}` : asset ? `/static/app-${i % 3}.${i % 2 ? 'css' : 'js'}` : `/page-${skewed(i * 7, 1000)}.html`,
        query: attack ? `q=1%27%20union%20select%20password%20from%20users--&i=${i}` : `ref=${i % 97}`,
        status: attack ? 403 : 200,
        bytes: 500 + (i % 4000),
        userAgent: USER_AGENTS[client % USER_AGENTS.length]!,
        ja4: JA4S[client % JA4S.length]!,
        origin: { kind: 'file', source: '/var/log/nginx/access.log', offset: i * 180, line: i + 1 },
      });
      events.push(e);
      if (!windows.has(ip)) {
        windows.set(
          ip,
          makeWindow(ip, Math.floor(e.time / 60_000) * 60_000, {
            hits: 3 + (client % 40),
            threatLevel: client % 50 === 0 ? 'HIGH' : client % 5 === 4 ? 'LOW' : 'LEGITIMATE_BROWSER',
            scenarios: client % 50 === 0 ? ['bruteforce'] : [],
            distinctUserAgents: 1 + (client % 3),
          }),
        );
      }
      if (attack) {
        const detections = [makeDetection({ transforms: ['urlDecode'] })];
        if (i % 3 === 0) detections.push(makeDetection({ ruleId: 'sqli-comment', confidence: 0.6, fragment: '--' }));
        threats.push(makeThreat(e, { severity: i % 2 ? 'high' : 'critical', detections }));
      }
    }
    const last = events.length > 0 ? events[events.length - 1]!.origin : null;
    const checkpoints =
      last?.kind === 'file'
        ? [{ source: last.source, fileId: '2049:131', offset: last.offset + 180, line: last.line, headHash: 'bench' }]
        : [];
    batches.push({ events, threats, checkpoints, windows: [...windows.values()] });
  }
  return batches;
}

/** A few busy keys and a long tail, like real clients and pages: key k of n, deterministic in i. */
function skewed(i: number, n: number): number {
  const u = ((i * 2654435761) % 4294967296) / 4294967296;
  return Math.floor(n * u ** 3);
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await runStoreBench()) {
    console.log(
      `${r.backend}: ${r.events} events (${r.threats} threats) in ${r.seconds.toFixed(2)} s = ${r.eventsPerSecond} events/s` +
        ` (this process: ${r.clientCpuSeconds.toFixed(1)} s CPU)`,
    );
    for (const [table, bytes] of Object.entries(r.tableBytes)) console.log(`  ${table.padEnd(24)} ${mib(bytes)}`);
  }
}
