/** `rampart demo`: writes a simulated access log (seeded, reproducible) for benchmarks and tests. */
import { Option, type Command } from 'commander';
import { DEMO_FORMATS, DEMO_JA4_LOG_FORMAT, writeDemoLog, type DemoFormat } from '../ingest/index.js';
import { isoTime, wholeNumber } from './flag-parsers.js';
import type { CliIO } from './io.js';

/** A billion lines is some 200 GB of log: beyond that a typo is likelier than a wish. */
const MAX_LINES = 1_000_000_000;

export function registerDemo(program: Command, io: CliIO): void {
  program
    .command('demo')
    .description('write a simulated nginx access log: browsers, good bots, scanners, brute force, injections, a flood')
    .option('-n, --lines <n>', 'number of lines', wholeNumber(0, MAX_LINES), 10_000)
    .requiredOption('-o, --out <file>', 'log file to write (replaced if it exists)')
    .option('--seed <n>', 'random seed: the same seed writes the same log', wholeNumber(0, 2 ** 32 - 1), 1)
    .option('--labels <file>', 'also write the ground truth of each line as JSON lines')
    .option('--start <time>', 'time of the first line (ISO 8601; default 2025-01-15T08:00:00Z)', isoTime)
    .addOption(
      new Option('--format <name>', 'combined (nginx combined), or ja4: combined plus a quoted JA4 TLS fingerprint (read it with --log-format)')
        .choices(DEMO_FORMATS)
        .default('combined'),
    )
    .action(async (opts: { lines: number; out: string; seed: number; labels?: string; start?: number; format: DemoFormat }) => {
      const { lines, seed, start: startTime, format } = opts;
      const result = await writeDemoLog({ out: opts.out, lines, seed, format, labelsOut: opts.labels, ...(startTime === undefined ? {} : { startTime }) });
      io.err(
        `wrote ${result.lines} lines (${(result.bytes / 1e6).toFixed(1)} MB) to ${opts.out} in ${(result.elapsedMs / 1000).toFixed(2)} s\n`,
      );
      if (format === 'ja4') io.err(`read it with --log-format '${DEMO_JA4_LOG_FORMAT}'\n`);
    });
}
