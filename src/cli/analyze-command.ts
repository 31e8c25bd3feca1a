/**
 * `rampart analyze`: the live pipeline run as a batch over files (plain, .gz, or - for stdin),
 * storing nothing unless --store. This is also how a day of logs is replayed for forensics. The run
 * is assembled by the runtime (src/runtime/analyze.ts); this module parses flags and prints.
 */
import type { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { analyze, type AnalyzeOutput } from '../runtime/index.analyze.js';
import { cliCache } from './cache.js';
import { addConfigFlag, addFormatFlags, addStoreFlags, loadWithFlags, type CommonFlags } from './flags.js';
import type { CliIO } from './io.js';

const OUTPUTS = ['text', 'json', 'jsonl'] as const;
/** Inputs smaller than this finish before a progress bar would be worth drawing. */
const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

interface AnalyzeFlags extends CommonFlags {
  output: string;
  store?: boolean;
  progress: boolean;
  geo: boolean;
  verifyBots?: boolean;
}

export function registerAnalyze(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cmd = program
    .command('analyze')
    .description('run the detection pipeline over log files (.gz too, - for stdin) and print a summary')
    .argument('<files...>', 'log files; - reads stdin')
    .option('-o, --output <kind>', `output: ${OUTPUTS.join(', ')} (jsonl: one object per flagged line, then one per flagged IP)`, 'text')
    .option('--store', 'also write events and threats to the store (embedded or DATABASE_URL)')
    .option('--no-progress', 'never draw a progress bar')
    .option('--no-geo', 'skip GeoIP/ASN on flagged lines (used only by --output jsonl and --store)')
    .option('--verify-bots', "verify good-bot claims by reverse and forward DNS, as serve's goodBots.verifyDns does (sends DNS queries for the log's bot IPs; off: analyze stays offline)");
  addConfigFlag(cmd);
  addFormatFlags(cmd);
  addStoreFlags(cmd);
  cmd.action(async (files: string[], flags: AnalyzeFlags) => {
    if (!(OUTPUTS as readonly string[]).includes(flags.output)) {
      io.err(`rampart analyze: --output must be one of ${OUTPUTS.join(', ')}, got ${JSON.stringify(flags.output)}\n`);
      setExit(2);
      return;
    }
    const output = flags.output as AnalyzeOutput;
    const { config } = loadWithFlags(flags, io);
    let bar: SingleBar | null = null;
    // The bar's module (about 20 ms to import) only where a bar can be drawn.
    const Bar = flags.progress && io.isTTY ? (await import('cli-progress')).SingleBar : null;
    try {
      const result = await analyze({
        config,
        files,
        stdin: io.stdin as import('node:stream').Readable,
        output,
        store: flags.store === true,
        geo: flags.geo,
        verifyBots: flags.verifyBots === true,
        cache: cliCache(io),
        write: io.out,
        ...(Bar
          ? {
              onProgress: (p) => {
                if (p.totalBytes === null || p.totalBytes < PROGRESS_MIN_BYTES) return;
                if (!bar) {
                  bar = new Bar({ format: 'analyze [{bar}] {percentage}% | {lines} lines | eta {eta}s', stream: process.stderr });
                  bar.start(p.totalBytes, 0, { lines: 0 });
                }
                bar.update(p.bytesRead, { lines: p.lines });
              },
            }
          : {}),
      });
      (bar as SingleBar | null)?.stop();
      bar = null;
      const { summary, totals, seconds } = result;
      if (output === 'json') io.out(JSON.stringify(summary.toJSON(totals, seconds), null, 2) + '\n');
      else if (output === 'text') io.out(summary.render(totals, seconds));
      else io.err(summary.render(totals, seconds));
    } finally {
      (bar as SingleBar | null)?.stop();
    }
  });
}
