/**
 * Probe (not a test): how long an API read waits while the built serve catches up on a log into PGlite.
 * For each build root given, alternately (A B A B ...): serve on a fresh data folder catching up on LINES
 * mixed lines (test/e2e/log-lines.ts, one attack in 50), `GET /api/threats?limit=500` fired every 25 ms
 * (at most 8 in flight, the rest skipped) until every line is stored, then 10 of the same query one at a time
 * with ingest idle. Prints one JSON line per run and the medians per root.
 *
 *   npm run build && npx tsx test/faults/api-catchup-probe.ts [--rounds 3] [--lines 40000] <root> [<root> ...]
 *
 * A root is a checkout with bin/rampart.js and dist/ built. Times are wall clock: note the load average.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mixedLine } from '../e2e/log-lines.js';

const QUERY = '/api/threats?limit=500';
const FIRE_EVERY_MS = 25;
const MAX_IN_FLIGHT = 8;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function stats(samples: readonly number[]): { n: number; p50: number; p99: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: round1(quantile(s, 0.5)), p99: round1(quantile(s, 0.99)), max: round1(s.at(-1) ?? NaN) };
}

/** utime + stime of a process (all its threads, so the PGlite worker too), seconds. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Run {
  root: string;
  load: number;
  catchupS: number;
  cpuS: number;
  during: ReturnType<typeof stats>;
  skipped: number;
  idle: ReturnType<typeof stats>;
}

async function probe(root: string, log: string, lines: number): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-api-catchup-'));
  const child = spawn(process.execPath, [join(root, 'bin/rampart.js'), 'serve', '--port', '0', '--log', log, '--from-start', '--no-demo'], {
    // Timing probes, not about access: open on loopback, and no limit that the probe's rate would reach.
    env: { ...process.env, LOG_LEVEL: 'warn', RAMPART_DATA_DIR: join(dir, 'data'), RAMPART_CACHE_DIR: join(dir, 'cache'), RAMPART_AUTH_MODE: 'off', RAMPART_RATE_LIMIT_PER_IP: '1000000' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const baseUrl = await new Promise<string>((ok, fail) => {
      child.stderr.on('data', (d: string) => {
        stderr = (stderr + d).slice(-20_000);
        const m = /listening on (http:\/\/\S+)/.exec(stderr);
        if (m) ok(m[1]!);
      });
      child.once('exit', (code) => fail(new Error(`serve exited with ${code}:\n${stderr}`)));
    });
    const cpu0 = cpuSeconds(child.pid!);
    const started = performance.now();
    const timed = async (): Promise<number> => {
      const t0 = performance.now();
      const res = await fetch(baseUrl + QUERY);
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${QUERY}: HTTP ${res.status}`);
      return performance.now() - t0;
    };
    const stored = async (): Promise<number> => {
      const body = (await (await fetch(`${baseUrl}/api/metrics/pipeline`)).json()) as { sources?: Record<string, { stored?: number }> };
      return Math.max(0, ...Object.values(body.sources ?? {}).map((c) => c.stored ?? 0));
    };

    const during: number[] = [];
    const inFlight = new Set<Promise<void>>();
    let skipped = 0;
    let done = false;
    const firing = (async () => {
      while (!done) {
        if (inFlight.size < MAX_IN_FLIGHT) {
          const p: Promise<void> = timed().then((ms) => {
            if (!done) during.push(ms);
            inFlight.delete(p);
          });
          inFlight.add(p);
        } else skipped++;
        await sleep(FIRE_EVERY_MS);
      }
    })();
    while ((await stored()) < lines) {
      if (performance.now() - started > 600_000) throw new Error('catch-up not done in 600 s');
      await sleep(100);
    }
    const catchupS = (performance.now() - started) / 1000;
    const cpuS = cpuSeconds(child.pid!) - cpu0;
    done = true;
    await firing;
    await Promise.all(inFlight);
    const idle: number[] = [];
    for (let i = 0; i < 10; i++) idle.push(await timed());
    return { root, load: round1(loadavg()[0]!), catchupS: round1(catchupS), cpuS: round1(cpuS), during: stats(during), skipped, idle: stats(idle) };
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(xs: readonly number[]): number {
  return quantile([...xs].sort((a, b) => a - b), 0.5);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string, fallback: number): number => {
    const i = args.indexOf(name);
    if (i < 0) return fallback;
    const v = Number(args.splice(i, 2)[1]);
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} takes a positive integer`);
    return v;
  };
  const rounds = flag('--rounds', 3);
  const lines = flag('--lines', 40_000);
  const roots = args.map((r) => resolve(r));
  if (roots.length === 0) throw new Error('usage: api-catchup-probe.ts [--rounds N] [--lines N] <root> [<root> ...]');
  const dir = mkdtempSync(join(tmpdir(), 'rampart-api-catchup-log-'));
  const log = join(dir, 'access.log');
  let text = '';
  for (let i = 0; i < lines; i++) text += mixedLine(i) + '\n';
  writeFileSync(log, text);
  const runs: Run[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      for (const root of roots) {
        const run = await probe(root, log, lines);
        runs.push(run);
        console.log(JSON.stringify(run));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const root of roots) {
    const mine = runs.filter((r) => r.root === root);
    const m = (f: (r: Run) => number): number => round1(median(mine.map(f)));
    console.log(
      JSON.stringify({
        root,
        runs: mine.length,
        median: { catchupS: m((r) => r.catchupS), cpuS: m((r) => r.cpuS), apiP50: m((r) => r.during.p50), apiP99: m((r) => r.during.p99), answered: m((r) => r.during.n), idleP50: m((r) => r.idle.p50), load: m((r) => r.load) },
      }),
    );
  }
}

await main();
