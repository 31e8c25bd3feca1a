/** `rampart demo`: writes a simulated access log (seeded, reproducible) for benchmarks and tests. */
import type { Command } from 'commander';
import { writeDemoLog } from '../ingest/demo/index.js';
import type { CliIO } from './io.js';

export function registerDemo(program: Command, io: CliIO): void {
  program
    .command('demo')
    .description('write a simulated nginx access log: browsers, good bots, scanners, brute force, injections, a flood')
    .option('-n, --lines <n>', 'number of lines', '10000')
    .requiredOption('-o, --out <file>', 'log file to write (replaced if it exists)')
    .option('--seed <n>', 'random seed: the same seed writes the same log', '1')
    .option('--labels <file>', 'also write the ground truth of each line as JSON lines')
    .option('--start <time>', 'time of the first line (ISO 8601; default 2025-01-15T08:00:00Z)')
    .action(async (opts: { lines: string; out: string; seed: string; labels?: string; start?: string }) => {
      const lines = parseCount('--lines', opts.lines);
      const seed = parseCount('--seed', opts.seed);
      const startTime = opts.start === undefined ? undefined : Date.parse(opts.start);
      if (startTime !== undefined && Number.isNaN(startTime)) throw new Error(`--start: not an ISO 8601 time: ${opts.start}`);
      const result = await writeDemoLog({ out: opts.out, lines, seed, labelsOut: opts.labels, ...(startTime === undefined ? {} : { startTime }) });
      io.err(
        `wrote ${result.lines} lines (${(result.bytes / 1e6).toFixed(1)} MB) to ${opts.out} in ${(result.elapsedMs / 1000).toFixed(2)} s\n`,
      );
    });
}

function parseCount(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a whole number, got ${JSON.stringify(raw)}`);
  return n;
}
