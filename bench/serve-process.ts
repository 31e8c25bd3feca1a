/**
 * `rampart serve` as a child process for the benchmarks that time a whole server (analyze-to-API, ingest, live
 * alerts): the compiled CLI, or the sources with RAMPART_BENCH_SERVE=tsx (a quick look, not a figure to record).
 * The server gets an admin key (RAMPART_API_KEY) that requests send as X-Api-Key, and rate limits out of reach:
 * a benchmark drives thousands of requests a second from one address, and the auth section measures what access
 * control costs on its own.
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './root.js';

export interface BenchServe {
  child: ChildProcess;
  /** http://host:port once it listens; rejects when it exits first. */
  baseUrl: Promise<string>;
  apiKey: string;
  /** The headers that carry the key. */
  headers: Record<string, string>;
}

export function startBenchServe(args: string[], env: NodeJS.ProcessEnv = {}): BenchServe {
  const root = repoRoot();
  const apiKey = `rk_bench_${randomBytes(16).toString('hex')}`;
  const argv = process.env.RAMPART_BENCH_SERVE === 'tsx' ? ['--import', 'tsx', join(root, 'src', 'cli', 'run.ts'), ...args] : [join(root, 'bin', 'rampart.js'), ...args];
  const child = spawn(process.execPath, argv, {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      RAMPART_API_KEY: apiKey,
      RAMPART_RATE_LIMIT_PER_KEY: '10000000',
      RAMPART_RATE_LIMIT_PER_IP: '10000000',
      ...env,
    },
  });
  let err = '';
  const baseUrl = new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
  return { child, baseUrl, apiKey, headers: { 'x-api-key': apiKey } };
}
