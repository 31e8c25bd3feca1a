/**
 * End-to-end figures of the product as users run it (the compiled CLI, `bin/rampart.js`):
 * - analyze: lines/s and peak RSS over a log file;
 * - serve into PostgreSQL: catch-up lines/s reading a file from its start with every request stored,
 *   then a live phase appending lines with current times at a fixed rate, sampling the ingest lag.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSchema, probePostgres } from '../src/store/testing/postgres.js';
import { formatTimeLocalUtc } from '../src/time/nginx-time.js';
import { repoRoot } from './root.js';
import { startBenchServe } from './serve-process.js';

const BIN = join(repoRoot(), 'bin', 'rampart.js');

export interface AnalyzeFigures {
  input: string;
  /** The environment it ran with beyond the bench's own (RAMPART_PARSE_THREAD=0: one thread). */
  env: Record<string, string>;
  lines: number;
  /** The whole process, start to exit, as a user waits for it. */
  wallSeconds: number;
  /** analyze's own figure: from the first line read to the summary (start-up excluded). */
  seconds: number;
  linesPerSecond: number;
  peakRssMb: number;
  threats: number;
  parseErrors: number;
}

export async function benchAnalyze(input: string, extraArgs: string[] = [], env: Record<string, string> = {}): Promise<AnalyzeFigures> {
  const t0 = performance.now();
  const out = await run(['analyze', input, '--output', 'json', '--no-progress', ...extraArgs], env);
  const wallSeconds = Math.round(performance.now() - t0) / 1000;
  const r = JSON.parse(out) as {
    lines: number;
    seconds: number;
    lines_per_second: number;
    peak_rss_mb: number;
    threats: number;
    parse_errors: number;
  };
  return {
    input,
    env,
    lines: r.lines,
    wallSeconds,
    seconds: r.seconds,
    linesPerSecond: r.lines_per_second,
    peakRssMb: r.peak_rss_mb,
    threats: r.threats,
    parseErrors: r.parse_errors,
  };
}

function run(args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`rampart ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

export interface LiveFigures {
  targetRate: number;
  /** Seconds until every appended line was stored. */
  seconds: number;
  appended: number;
  /** Lines stored per second over that time. */
  linesPerSecond: number;
  lagP50Ms: number;
  lagP95Ms: number;
  lagMaxMs: number;
}

export interface ServeFigures {
  store: string;
  catchUp: { lines: number; seconds: number; linesPerSecond: number };
  live: LiveFigures[];
}

/** Catch-up over `input` then a live phase at `liveRate` lines/s for `liveSeconds`, into a fresh PostgreSQL schema. */
export async function benchServe(
  input: string,
  expectedLines: number,
  liveRates: readonly number[] = [20_000, 50_000],
  liveSeconds = 20,
): Promise<ServeFigures | { skipped: string }> {
  const pgUrl = await probePostgres('serve bench');
  if (!pgUrl) return { skipped: 'PostgreSQL unreachable' };
  const schema = await createTestSchema(pgUrl, 'rampart_bench');
  const url = new URL(pgUrl);
  url.searchParams.set('options', `-c search_path=${schema.schema}`);
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-serve-'));
  const liveFile = join(dir, 'live.log');
  writeFileSync(liveFile, '');
  let child: ChildProcess | null = null;
  try {
    const started = startBenchServe([
      'serve', '--no-demo', '--port', '0', '--from-start', '--database-url', url.toString(), '--log', input, '--log', liveFile,
    ]);
    child = started.child;
    const base = await started.baseUrl;
    const t0 = performance.now();
    await until(async () => (await metrics(base, started.headers)).totals.stored >= expectedLines, 30 * 60_000);
    const catchUpSeconds = (performance.now() - t0) / 1000;

    // Live: append lines stamped with the current time at each target rate, in 100 ms slices.
    const live: LiveFigures[] = [];
    let next = 0;
    for (const rate of liveRates) {
      const r = await livePhase(base, started.headers, liveFile, rate, liveSeconds, next);
      next += r.appended;
      live.push(r);
    }
    return {
      store: 'postgres',
      catchUp: {
        lines: expectedLines,
        seconds: round(catchUpSeconds),
        linesPerSecond: Math.round(expectedLines / catchUpSeconds),
      },
      live,
    };
  } finally {
    child?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    await schema.drop();
  }
}

async function livePhase(base: string, headers: Record<string, string>, file: string, rate: number, seconds: number, first: number): Promise<LiveFigures> {
  const lags: number[] = [];
  const before = (await metrics(base, headers)).totals.stored;
  const start = performance.now();
  let appended = 0;
  while (performance.now() - start < seconds * 1000) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    if (due > appended) {
      const now = Date.now();
      let text = '';
      for (let k = appended; k < due; k++) text += liveLine(first + k, now) + '\n';
      appendFileSync(file, text);
      appended = due;
    }
    const lag = (await metrics(base, headers)).sources[file]?.lagMs;
    if (typeof lag === 'number') lags.push(lag);
    await new Promise((r) => setTimeout(r, 100));
  }
  await until(async () => (await metrics(base, headers)).totals.stored - before >= appended, 180_000);
  const took = (performance.now() - start) / 1000;
  lags.sort((a, b) => a - b);
  const at = (q: number) => lags[Math.min(lags.length - 1, Math.floor(lags.length * q))] ?? 0;
  return {
    targetRate: rate,
    seconds: round(took),
    appended,
    linesPerSecond: Math.round(appended / took),
    lagP50Ms: at(0.5),
    lagP95Ms: at(0.95),
    lagMaxMs: lags[lags.length - 1] ?? 0,
  };
}

function liveLine(i: number, now: number): string {
  const ip = `100.${64 + ((i >> 16) & 63)}.${(i >> 8) & 255}.${i & 255}`;
  return `${ip} - - [${formatTimeLocalUtc(now)}] "GET /products/${i % 5000}?ref=live HTTP/1.1" 200 ${800 + (i % 900)} "https://shop.example/" "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"`;
}

interface Metrics {
  totals: { stored: number; lagMs: number | null };
  sources: Record<string, { lagMs: number | null }>;
}

async function metrics(base: string, headers: Record<string, string>): Promise<Metrics> {
  const res = await fetch(`${base}/api/metrics/pipeline`, { headers });
  return (await res.json()) as Metrics;
}

async function until(cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`bench condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
