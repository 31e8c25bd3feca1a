/**
 * Benchmark inputs, written once to .bench/data and reused:
 * - benign-1m.log: the real elastic nginx sample (../shared/data) repeated to 1,000,000 lines, each
 *   repetition shifted by a day and with its client addresses varied, so IP-keyed state sees many clients;
 * - demo-1m.log: the simulator's output (browsers, bots, scanners, brute force, injections, a flood).
 * The shared data is read from where it lives and never copied into the repository.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeDemoLog } from '../src/ingest/demo/index.js';
import { formatTimeLocalUtc, parseTimeLocal } from '../src/time/nginx-time.js';
import { repoRoot } from './root.js';

const ROOT = repoRoot();
export const BENCH_DIR = join(ROOT, '.bench', 'data');
export const SHARED_SAMPLE = resolve(ROOT, '..', 'shared', 'data', 'benign', 'elastic-nginx', 'nginx_logs');

export const BENCH_LINES = Number(process.env.RAMPART_BENCH_LINES ?? 1_000_000);

function fresh(path: string, lines: number): boolean {
  return existsSync(path + '.done') && readFileSync(path + '.done', 'utf8') === String(lines) && statSync(path).size > 0;
}

/** The benign benchmark log, or null when the shared sample is absent. */
export function benignLog(lines = BENCH_LINES, sample = SHARED_SAMPLE): string | null {
  if (!existsSync(sample)) return null;
  mkdirSync(BENCH_DIR, { recursive: true });
  const out = join(BENCH_DIR, `benign-${lines}.log`);
  if (fresh(out, lines)) return out;
  const base = readFileSync(sample, 'utf8').split('\n').filter((l) => l.length > 0);
  writeLog(out, lines, (i) => variant(base[i % base.length]!, Math.floor(i / base.length)));
  return out;
}

/** Writes `lines` lines made by `line(i)` in chunks, then the `.done` marker that `fresh` checks. */
function writeLog(out: string, lines: number, line: (i: number) => string): void {
  const fd = openSync(out, 'w');
  try {
    let chunk: string[] = [];
    for (let i = 0; i < lines; i++) {
      chunk.push(line(i));
      if (chunk.length === 20_000) {
        writeSync(fd, chunk.join('\n') + '\n');
        chunk = [];
      }
    }
    if (chunk.length) writeSync(fd, chunk.join('\n') + '\n');
  } finally {
    closeSync(fd);
  }
  writeFileSync(out + '.done', String(lines));
}

/** Repetition `round` of a line: first octet moved, time shifted by `round` days (textual rewrite). */
function variant(line: string, round: number): string {
  if (round === 0) return line;
  const sp = line.indexOf(' ');
  const dot = line.indexOf('.');
  let ip = line.slice(0, sp);
  if (dot > 0 && dot < sp) ip = `${((Number(line.slice(0, dot)) + round * 7) % 223) + 1}${line.slice(dot, sp)}`;
  const open = line.indexOf('[');
  const close = line.indexOf(']', open);
  const t = parseTimeLocal(line, open + 1, close);
  const time = t === null ? line.slice(open, close + 1) : `[${formatTimeLocalUtc(t + round * 86_400_000)}]`;
  return ip + line.slice(sp, open) + time + line.slice(close + 1);
}

/**
 * The benign log with every line from a different client (addresses 11.0.0.0 upwards, one per line): the
 * issue's "peak RSS while tracking 1,000,000 distinct IPs", run with maxTrackedIps 1,000,000.
 */
export function distinctIpLog(lines = BENCH_LINES): string | null {
  const benign = benignLog(lines);
  if (benign === null) return null;
  const out = join(BENCH_DIR, `distinct-${lines}.log`);
  if (fresh(out, lines)) return out;
  const src = readFileSync(benign, 'utf8').split('\n');
  writeLog(out, lines, (i) => {
    const line = src[i]!;
    const n = 0x0b000000 + i;
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}${line.slice(line.indexOf(' '))}`;
  });
  return out;
}

/** The simulator's log (seed 1). */
export async function demoLog(lines = BENCH_LINES): Promise<string> {
  mkdirSync(BENCH_DIR, { recursive: true });
  const out = join(BENCH_DIR, `demo-${lines}.log`);
  if (fresh(out, lines)) return out;
  await writeDemoLog({ out, lines, seed: 1 });
  writeFileSync(out + '.done', String(lines));
  return out;
}
