/**
 * Decisions and bouncers (issue #15): 300,000 active decisions, 100 bouncers on the CrowdSec stream. Each bouncer
 * pulls `startup=true` once (every active decision, deduplicated), then a delta every 10 s, staggered over the
 * 10 s as real bouncers drift apart, for 60 s while decisions are added (20/s) and deleted (5/s). Requests go
 * over a real socket to the whole app listening on loopback (routing, bouncer key, the query, serialisation,
 * the response written as the client reads it); the client counts a startup answer's bytes as they arrive rather
 * than keeping them, so the process's memory is the server's. Figures: per-pull latency (p50, p99, until the last
 * byte) of startup and of deltas, the Node process's CPU during the polling phase (share of one core), its peak
 * RSS during the startup pulls and overall; the database's own CPU is not in them.
 *
 * BENCH_STARTUP_PULLS (default: one per bouncer) startup pulls run BENCH_STARTUP_CONCURRENCY (default 1) at a
 * time, so the memory of bouncers starting together shows.
 *
 * Store: PostgreSQL when TEST_DATABASE_URL (or the local default) answers, in a schema of its own; else PGlite.
 * Run: npm run bench -- decisions   (or node --import tsx bench/decisions.ts)
 */
import http from 'node:http';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { createApi } from '../src/api/app.js';
import { hashApiKey } from '../src/api/auth/api-key.js';
import { PipelineMetrics } from '../src/pipeline/index.js';
import { createStore, openStore, type Store } from '../src/store/index.js';
import { openPg } from '../src/store/pg-client.js';
import { createTestSchema, probePostgres, type TestSchema } from '../src/store/testing/postgres.js';

const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 300_000);
const BOUNCERS = Number(process.env.BENCH_BOUNCERS ?? 100);
const POLL_MS = 10_000;
const POLL_PHASE_MS = Number(process.env.BENCH_POLL_SECONDS ?? 60) * 1000;
const STARTUP_PULLS = Number(process.env.BENCH_STARTUP_PULLS ?? BOUNCERS);
const STARTUP_CONCURRENCY = Number(process.env.BENCH_STARTUP_CONCURRENCY ?? 1);

export interface DecisionsBench {
  store: string;
  decisions: number;
  bouncers: number;
  seedSeconds: number;
  startup: { pulls: number; concurrency: number; p50Ms: number; p99Ms: number; maxMs: number; bytes: number; seconds: number; peakRssMiB: number };
  deltas: { pulls: number; p50Ms: number; p99Ms: number; maxMs: number; meanNew: number; meanDeleted: number; cpuShareOfOneCore: number; added: number; deleted: number };
  peakRssMiB: number;
  loadAverage: number;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
const ip = (i: number) => `${10 + ((i >> 24) & 63)}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

async function openBenchStore(): Promise<{ store: Store; name: string; drop: () => Promise<void> }> {
  const url = await probePostgres('decisions bench');
  if (url) {
    const schema: TestSchema = await createTestSchema(url, 'rampart_bench_decisions');
    const store = createStore(openPg(schema.url, { schema: schema.schema, max: 8 }));
    await store.schema.migrate();
    return { store, name: 'postgres', drop: () => schema.drop() };
  }
  return { store: await openStore({ databaseUrl: 'memory://' }), name: 'pglite', drop: async () => undefined };
}

export async function runDecisionsBench(): Promise<DecisionsBench> {
  const { store, name, drop } = await openBenchStore();
  let peakRss = 0;
  let closeApp = async () => undefined as void;
  const rss = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  try {
    const now0 = Date.now();
    const t0 = performance.now();
    for (let i = 0; i < DECISIONS; i += 5000) {
      const chunk = [];
      for (let j = i; j < Math.min(DECISIONS, i + 5000); j++) {
        chunk.push({ scope: 'Ip', value: ip(j + 1), type: j % 10 === 0 ? 'captcha' : 'ban', origin: 'rampart', scenario: j % 3 === 0 ? 'sqli-union-select' : 'scanner-user-agent', until: now0 + 3_600_000 + (j % 86_400) * 1000, ruleId: 'ban-high', country: 'DE' });
      }
      await store.decisions.add(chunk, now0);
    }
    const seedSeconds = round((performance.now() - t0) / 1000);
    const keys: string[] = [];
    for (let b = 0; b < BOUNCERS; b++) {
      const key = `rb_bench_${b}_${'x'.repeat(32)}`;
      await store.decisions.addBouncer(`bench-${b}`, hashApiKey(key), now0);
      keys.push(key);
    }
    const app = createApi({
      store,
      pipeline: new PipelineMetrics(),
      readiness: async () => ({ checks: {} }),
      logger: pino({ level: 'silent' }),
      version: 'bench',
      access: { mode: 'keys', keys: store.apiKeys, limits: false },
    });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(address);
    const agent = new http.Agent({ keepAlive: true, maxSockets: BOUNCERS });
    closeApp = async () => {
      agent.destroy();
      await app.close();
    };
    /** One pull over the socket; a startup answer's bytes are counted (with its decisions) as they arrive, not kept. */
    const pull = (b: number, startup: boolean) =>
      new Promise<{ ms: number; bytes: number; decisions: number; body: string }>((resolve, reject) => {
        const t = performance.now();
        const req = http.get({ host: '127.0.0.1', port, agent, path: `/v1/decisions/stream${startup ? '?startup=true' : ''}`, headers: { 'x-api-key': keys[b]!, 'user-agent': 'crowdsec-firewall-bouncer/bench' } }, (res) => {
          let bytes = 0;
          let decisions = 0;
          let tail = '';
          const kept: Buffer[] = [];
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (!startup || res.statusCode !== 200) kept.push(chunk);
            const text = tail + chunk.toString('latin1');
            decisions += text.split('"duration":').length - 1;
            tail = text.slice(-10);
          });
          res.on('error', reject);
          res.on('end', () => {
            const body = Buffer.concat(kept).toString('utf8');
            if (res.statusCode !== 200) reject(new Error(`pull answered ${res.statusCode}: ${body.slice(0, 200)}`));
            else resolve({ ms: performance.now() - t, bytes, decisions, body });
          });
        });
        req.on('error', reject);
      });

    // Startup: STARTUP_PULLS pulls, STARTUP_CONCURRENCY at a time.
    const startupMs: number[] = [];
    let bytes = 0;
    const seedPeakRss = peakRss;
    peakRss = 0;
    const s0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: STARTUP_CONCURRENCY }, async () => {
        while (next < STARTUP_PULLS) {
          const b = next++;
          const r = await pull(b % BOUNCERS, true);
          startupMs.push(r.ms);
          bytes = r.bytes;
          if (r.decisions !== DECISIONS) throw new Error(`startup gave ${r.decisions} decisions, not ${DECISIONS}`);
        }
      }),
    );
    const startupPeakRss = peakRss;
    const startupSeconds = (performance.now() - s0) / 1000;

    // Deltas: each bouncer every 10 s at its own offset, while decisions change.
    const deltaMs: number[] = [];
    let newCount = 0;
    let deletedCount = 0;
    let added = 0;
    let deleted = 0;
    const p0 = performance.now();
    const cpu0 = process.cpuUsage();
    const changes = setInterval(() => {
      const now = Date.now();
      const batch = Array.from({ length: 20 }, () => ({ scope: 'Ip', value: ip(DECISIONS + 1 + added++), type: 'ban', origin: 'rampart', scenario: 'sqli-union-select', until: now + 4 * 3_600_000 }));
      void store.decisions.add(batch, now);
      for (let k = 0; k < 5; k++) void store.decisions.expire({ ip: ip(1 + deleted++ * 7) }, now);
    }, 1000);
    const inflight: Promise<void>[] = [];
    await new Promise<void>((resolve) => {
      for (let b = 0; b < BOUNCERS; b++) {
        const offset = (b * POLL_MS) / BOUNCERS;
        for (let at = offset + POLL_MS; at < POLL_PHASE_MS; at += POLL_MS) {
          setTimeout(() => {
            inflight.push(
              pull(b, false).then((r) => {
                deltaMs.push(r.ms);
                const j = JSON.parse(r.body) as { new: unknown[] | null; deleted: unknown[] | null };
                newCount += j.new?.length ?? 0;
                deletedCount += j.deleted?.length ?? 0;
              }),
            );
          }, at);
        }
      }
      setTimeout(resolve, POLL_PHASE_MS);
    });
    clearInterval(changes);
    await Promise.all(inflight);
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - p0;
    startupMs.sort((a, b) => a - b);
    deltaMs.sort((a, b) => a - b);
    return {
      store: name,
      decisions: DECISIONS,
      bouncers: BOUNCERS,
      seedSeconds,
      startup: { pulls: startupMs.length, concurrency: STARTUP_CONCURRENCY, peakRssMiB: Math.round(startupPeakRss / 2 ** 20), p50Ms: round(pct(startupMs, 50)), p99Ms: round(pct(startupMs, 99)), maxMs: round(startupMs.at(-1) ?? 0), bytes, seconds: round(startupSeconds) },
      deltas: {
        pulls: deltaMs.length,
        p50Ms: round(pct(deltaMs, 50), 2),
        p99Ms: round(pct(deltaMs, 99), 2),
        maxMs: round(deltaMs.at(-1) ?? 0, 2),
        meanNew: round(newCount / Math.max(1, deltaMs.length)),
        meanDeleted: round(deletedCount / Math.max(1, deltaMs.length)),
        cpuShareOfOneCore: round((cpu.user + cpu.system) / 1000 / wall, 3),
        added,
        deleted,
      },
      peakRssMiB: Math.round(Math.max(seedPeakRss, startupPeakRss, peakRss) / 2 ** 20),
      loadAverage: round(loadavg()[0]!, 2),
    };
  } finally {
    clearInterval(rss);
    await closeApp();
    await store.close();
    await drop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runDecisionsBench().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
