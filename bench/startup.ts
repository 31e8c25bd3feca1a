/**
 * Start-up: whole `rampart` processes as a user runs them (bin/rampart.js on the built CLI), each run
 * several times, median wall time and peak RSS from /usr/bin/time (wall only where it is missing).
 * The cache directory is a fresh one: the first analyze run builds the rule-pack cache ("cold"), the
 * counted ones read it, as every run after a user's first does.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './root.js';

const BIN = join(repoRoot(), 'bin', 'rampart.js');
const TIME = '/usr/bin/time';
const RUNS = 7;

interface Sample {
  wallS: number;
  peakRssMb: number | null;
}

function once(args: string[], env: NodeJS.ProcessEnv): Sample {
  const timed = existsSync(TIME);
  const cmd = timed ? TIME : process.execPath;
  const argv = timed ? ['-f', '%e %M', process.execPath, BIN, ...args] : [BIN, ...args];
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`rampart ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-500)}`);
  if (!timed) return { wallS: wall, peakRssMb: null };
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [e, kb] = last.split(' ').map(Number);
  return { wallS: e ?? wall, peakRssMb: kb === undefined ? null : Math.round(kb / 1024) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function measure(args: string[], env: NodeJS.ProcessEnv): { wallS: number; peakRssMb: number | null; runs: number } {
  once(args, env); // warm-up: page cache, and the disk cache for the commands that fill it
  const samples = Array.from({ length: RUNS }, () => once(args, env));
  const rss = samples.map((s) => s.peakRssMb).filter((v): v is number => v !== null);
  return { wallS: median(samples.map((s) => s.wallS)), peakRssMb: rss.length ? median(rss) : null, runs: RUNS };
}

export function runStartupBench(): unknown {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-startup-'));
  const env = { RAMPART_CACHE_DIR: join(dir, 'cache') };
  const log = join(dir, '1k.log');
  once(['demo', '--lines', '1000', '--out', log], env);
  const load = loadavg()[0]!.toFixed(2);
  const cold = once(['analyze', log, '--no-progress'], env);
  return {
    loadAverage1m: load,
    help: measure(['--help'], env),
    config: measure(['config'], env),
    analyze1kCold: { ...cold, note: 'first run: builds the rule-pack cache' },
    analyze1k: measure(['analyze', log, '--no-progress'], env),
    analyze1kJsonlGeo: measure(['analyze', log, '--no-progress', '--output', 'jsonl'], env),
    lookup: measure(['lookup', '8.8.8.8'], env),
  };
}
