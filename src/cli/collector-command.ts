/**
 * `rampart collector`: the enrichment collector on its own (same config and store as `serve`), for
 * deployments that keep provider traffic off the API nodes. Claims use FOR UPDATE SKIP LOCKED, so
 * it can run beside a `serve` that collects too. Assembled by the runtime (src/runtime/collector.ts);
 * this module parses flags, prints and handles signals.
 */
import type { Command } from 'commander';
import pino from 'pino';
import { openStandaloneCollector } from '../runtime/index.js';
import { cliCache } from './cache.js';
import { addConfigFlag, addStoreFlags, loadWithFlags, type CommonFlags } from './flags.js';
import type { CliIO } from './io.js';

interface CollectorFlags extends CommonFlags {
  once?: boolean;
}

export function registerCollector(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cmd = program
    .command('collector')
    .description('enrich stored IOCs that are due (never enriched, or older than the TTL) in batches, until stopped')
    .option('--once', 'run one batch, print its figures as JSON and exit')
    .addHelpText(
      'after',
      '\nSettings: COLLECTOR_INTERVAL_SECONDS (60), COLLECTOR_BATCH_SIZE (20), ENRICH_TTL_SECONDS (86400),\n' +
        'COLLECTOR_RETRY_SECONDS (900), provider keys ABUSEIPDB_API_KEY, VIRUSTOTAL_API_KEY, OTX_API_KEY.\n' +
        'COLLECTOR_ENABLED concerns `serve`; this command always collects.\n',
    );
  addConfigFlag(cmd);
  addStoreFlags(cmd);
  cmd.action(async (flags: CollectorFlags) => {
    const { config } = loadWithFlags(flags, io);
    const logger = pino({ level: config.log.level, base: { svc: 'rampart-collector' } }, pino.destination(2));
    const { running, close } = await openStandaloneCollector(config, logger, { once: flags.once === true, cache: cliCache(io) });
    try {
      if (flags.once) {
        io.out(JSON.stringify(await running.collector.runOnce()) + '\n');
        setExit(0);
        return;
      }
      running.collector.start();
      const c = config.enrich.collector;
      io.err(`rampart collector: every ${c.intervalSeconds}s, batches of ${c.batchSize} (Ctrl-C stops)\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await running.collector.stop();
      setExit(0);
    } finally {
      await close();
    }
  });
}
