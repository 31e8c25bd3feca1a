/**
 * SOC API latency (issue #11) over the seeded PostgreSQL database (bench/soc-seed.ts: 10,000,000 requests and
 * 200,000 threats over 30 days by default): each endpoint 30 times in a row through the real Fastify app
 * (inject: routing, validation, the queries, serialisation; no socket), cold (the analytics cache off, every
 * request computes) and warm (cache on), p50/p95/max; then EXPLAIN (ANALYZE, BUFFERS) of every query one call
 * of each endpoint issues, summarised (plan nodes and execution time).
 *   node --import tsx bench/soc-api.ts [--requests N --threats M --db name --only /api/alerts]      # TEST_DATABASE_URL picks the server
 */
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { createApi } from '../src/api/app.js';
import { OPEN_ACCESS_FOR_TESTS } from '../src/api/auth/access-control.js';
import { encodeCursor } from '../src/api/params/cursor.js';
import { PipelineMetrics } from '../src/pipeline/index.js';
import { createStore, openSql, type SqlClient } from '../src/store/index.js';
import { seedSocBench, socSeedDefaults } from './soc-seed.js';

const RUNS = 30;
const WARMUP = 3;

interface Timing {
  url: string;
  p50: number;
  p95: number;
  max: number;
}

interface Recorded {
  text: string;
  params: readonly unknown[];
}

/** A SqlClient that remembers the statements while `recording` is on (for EXPLAIN). */
function recording(sql: SqlClient): { sql: SqlClient; take(): Recorded[]; on(v: boolean): void } {
  let on = false;
  let seen: Recorded[] = [];
  const wrapped: SqlClient = {
    dialect: sql.dialect,
    query: (text, params) => {
      if (on) seen.push({ text, params: params ?? [] });
      return sql.query(text, params);
    },
    exec: (s) => sql.exec(s),
    transaction: (fn) => sql.transaction(fn),
    close: () => sql.close(),
  };
  return { sql: wrapped, take: () => ((seen = [...seen]), seen.splice(0)), on: (v) => (on = v) };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

/** Plan nodes (scans, joins, aggregates) with their actual time and rows, and the execution time. */
function summarisePlan(lines: string[]): string {
  const nodes = lines
    .filter((l) => /(Scan|Join|Aggregate|Sort|Limit|Nested Loop|Gather)/.test(l))
    .map((l) => l.replace(/\s+\(cost=[^)]*\)/, '').replace(/\s+/g, ' ').trim())
    .slice(0, 6);
  const exec = lines.find((l) => l.startsWith('Execution Time'));
  return `${nodes.join(' | ')} || ${exec ?? ''}`;
}

export async function runSocApiBench(opts: { requests?: number; threats?: number; database?: string; only?: string } = {}) {
  const d = socSeedDefaults();
  const seeded = await seedSocBench({ ...d, ...opts });
  const raw = await openSql({ databaseUrl: seeded.url });
  const rec = recording(raw);
  const store = createStore(rec.sql);
  const until = seeded.until;
  const deep = await raw.query<{ id: string; t: number }>(
    `SELECT id, (extract(epoch FROM time) * 1000)::float8 AS t FROM requests WHERE time < to_timestamp($1::float8 / 1000) ORDER BY time DESC, id DESC LIMIT 1`,
    [until - 20 * 86_400_000],
  );
  const deepThreat = await raw.query<{ id: string; t: number }>(
    `SELECT id, (extract(epoch FROM time) * 1000)::float8 AS t FROM threats WHERE time < to_timestamp($1::float8 / 1000) ORDER BY time DESC, id DESC LIMIT 1`,
    [until - 20 * 86_400_000],
  );
  const busy = await raw.query<{ ip: string }>(`SELECT ip FROM rollup_hour_threat_ip GROUP BY ip ORDER BY sum(threats) DESC LIMIT 1`);
  const trafficCursor = encodeCursor({ time: deep.rows[0]!.t, id: deep.rows[0]!.id, order: 'desc' });
  const detectionCursor = encodeCursor({ time: deepThreat.rows[0]!.t, id: `${deepThreat.rows[0]!.id}-0`, order: 'desc' });
  const all = [
    '/api/overview?range=24h',
    '/api/overview?range=30d',
    '/api/overview?range=30d&host=site1.example',
    '/api/stats?range=30d',
    '/api/stats?range=7d',
    '/api/stats?range=24h',
    '/api/geo?range=30d',
    '/api/country?range=30d&country=DE',
    '/api/threats/global?hours=720',
    '/api/threats/statistics?range=30d',
    '/api/timeline-detail?range=7d',
    '/api/heatmap?range=30d',
    '/api/traffic',
    '/api/traffic?range=30d&status=4xx',
    `/api/traffic?range=30d&cursor=${trafficCursor}`,
    '/api/traffic?range=30d&page=2000&per_page=50',
    '/api/detections?range=30d',
    '/api/detections?range=30d&severity=critical&country=DE',
    `/api/detections?range=30d&cursor=${detectionCursor}`,
    `/api/ip/${busy.rows[0]!.ip}?since=30d`,
    '/api/alerts?range=7d',
    '/api/models/status',
    '/api/threats',
  ];
  // --only <substring>: just the matching URLs (re-measuring one endpoint after a change).
  const urls = opts.only ? all.filter((u) => u.includes(opts.only!)) : all;

  async function measure(cacheTtlMs: number | undefined): Promise<Timing[]> {
    const app = createApi({
    // Benchmarks measure the routes; access control's cost is the auth section's.
    access: OPEN_ACCESS_FOR_TESTS,
      store,
      pipeline: new PipelineMetrics(() => until),
      readiness: async () => ({ checks: {} }),
      logger: pino({ level: 'silent' }),
      version: 'bench',
      clock: () => until,
      ...(cacheTtlMs !== undefined ? { analyticsCacheTtlMs: cacheTtlMs } : {}),
    });
    await app.ready();
    const out: Timing[] = [];
    for (const url of urls) {
      const ms: number[] = [];
      for (let i = 0; i < WARMUP + RUNS; i++) {
        const t0 = performance.now();
        const res = await app.inject(url);
        const dt = performance.now() - t0;
        if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
        if (i >= WARMUP) ms.push(dt);
      }
      ms.sort((a, b) => a - b);
      const r = (n: number) => Math.round(n * 10) / 10;
      out.push({ url: url.replace(/cursor=[^&]+/, 'cursor=<20 days deep>'), p50: r(quantile(ms, 0.5)), p95: r(quantile(ms, 0.95)), max: r(ms.at(-1)!) });
    }
    await app.close();
    return out;
  }

  const cold = await measure(0);
  const warm = await measure(undefined);

  // One call of each endpoint, its statements explained.
  const plans: Record<string, string[]> = {};
  const app = createApi({
    // Benchmarks measure the routes; access control's cost is the auth section's.
    access: OPEN_ACCESS_FOR_TESTS,
    store,
    pipeline: new PipelineMetrics(() => until),
    readiness: async () => ({ checks: {} }),
    logger: pino({ level: 'silent' }),
    version: 'bench',
    clock: () => until,
    analyticsCacheTtlMs: 0,
  });
  await app.ready();
  for (const url of urls) {
    rec.on(true);
    await app.inject(url);
    rec.on(false);
    const key = url.replace(/cursor=[^&]+/, 'cursor=<20 days deep>');
    plans[key] = [];
    for (const q of rec.take()) {
      if (q.text.includes('analytics_generation')) continue;
      const { rows } = await raw.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${q.text}`, q.params);
      plans[key].push(summarisePlan(rows.map((r) => r['QUERY PLAN'])));
    }
  }
  await app.close();
  const counts = await raw.query<{ requests: string; threats: string }>('SELECT (SELECT count(*) FROM requests) AS requests, (SELECT count(*) FROM threats) AS threats');
  await raw.close();
  return { requests: Number(counts.rows[0]!.requests), threats: Number(counts.rows[0]!.threats), runs: RUNS, cold, warm, plans };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await runSocApiBench({
    ...(arg('requests') ? { requests: Number(arg('requests')) } : {}),
    ...(arg('threats') ? { threats: Number(arg('threats')) } : {}),
    ...(arg('db') ? { database: arg('db')! } : {}),
    ...(arg('only') ? { only: arg('only')! } : {}),
  });
  console.log(JSON.stringify(r, null, 2));
}
