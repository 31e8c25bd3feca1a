/**
 * /health latency while `serve` ingests hostile lines: 8 KB request lines built to hit the shapes that
 * were quadratic (runs of dots, `${`, `{{`, `%`, `/*!`, broken UTF-8 escapes), 10 a second, for 30 s.
 * Before the regex fixes one such line held the event loop for up to ~220 ms and /health stalled for
 * seconds. Runs the built CLI (`npm run faults` builds first) with its own data and cache directories.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'rampart-health-fault-'));
const log = join(dir, 'access.log');
const port = 18_400 + (process.pid % 500);
const base = `http://127.0.0.1:${port}`;

const SHAPES = ['.'.repeat(8000), '${'.repeat(4000), '{{'.repeat(4000), '%'.repeat(8000), '/*!'.repeat(2600), '%e5%98%8'.repeat(1000)];

function nginxTime(d: Date): string {
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function hostileLine(i: number): string {
  const shape = SHAPES[i % SHAPES.length] as string;
  const target = i % 2 === 0 ? `/${shape}` : `/search?q=${shape}`;
  return `203.0.113.${i % 250} - - [${nginxTime(new Date())}] "GET ${target} HTTP/1.1" 404 0 "-" "curl/8.0"`;
}

async function healthMs(): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(30_000) });
  await res.text();
  return performance.now() - t0;
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;


writeFileSync(log, '');
const child = spawn(process.execPath, [join(repo, 'bin/rampart.js'), 'serve', '--log', log, '--from-start', '--no-demo', '--port', String(port)], {
  env: { ...process.env, RAMPART_DATA_DIR: join(dir, 'data'), RAMPART_CACHE_DIR: join(dir, 'cache'), LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'ignore', 'inherit'],
});

afterAll(async () => {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
});

async function sample(seconds: number): Promise<{ requests: number; p50: number; p99: number; max: number }> {
  const latencies: number[] = [];
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    latencies.push(await healthMs());
    await new Promise((r) => setTimeout(r, 20));
  }
  const sorted = latencies.sort((a, b) => a - b);
  return { requests: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted[sorted.length - 1] as number };
}

// 50 ms on a quiet machine; on a shared, oversubscribed one the idle p99 of the same server in the
// same run is added, so the test measures what ingest adds, not what other processes take.
it('/health p99 stays under 50 ms (plus the idle p99) while 10 hostile 8 KB lines a second arrive', async () => {
  const start = Date.now();
  for (;;) {
    try {
      await healthMs();
      break;
    } catch {
      if (Date.now() - start > 60_000) throw new Error('serve did not answer /health within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const idle = await sample(10);
  let i = 0;
  const writer = setInterval(() => appendFileSync(log, `${hostileLine(i++)}\n`), 100);
  let hostile;
  try {
    hostile = await sample(30);
  } finally {
    clearInterval(writer);
  }
  console.log(`/health idle: ${JSON.stringify(idle)}; under ${i} hostile lines: ${JSON.stringify(hostile)}`);
  expect(i).toBeGreaterThan(250);
  expect(hostile.p99).toBeLessThan(50 + idle.p99);
}, 180_000);
