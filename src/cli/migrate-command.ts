/** `rampart migrate`: applies pending migrations to the configured store. */
import type { Command } from 'commander';
import pino from 'pino';
import { openStore } from '../store/index.js';
import { storeOptions } from '../pipeline/index.js';
import { addConfigFlag, addStoreFlags, loadWithFlags, type CommonFlags } from './flags.js';
import type { CliIO } from './io.js';

export function registerMigrate(program: Command, io: CliIO): void {
  const cmd = program
    .command('migrate')
    .description('apply database migrations (embedded PGlite, or DATABASE_URL)')
    .option('--status', 'only list applied and pending migrations');
  addConfigFlag(cmd);
  addStoreFlags(cmd);
  cmd.action(async (flags: CommonFlags & { status?: boolean }) => {
    const { config } = loadWithFlags(flags, io);
    const logger = pino({ level: 'warn' }, pino.destination(2));
    // Opened without migrating: `--status` must only look, and `migrate` must see what was pending.
    const store = await openStore({ ...storeOptions(config), logger, migrate: false });
    try {
      const before = await store.schema.status();
      if (flags.status) {
        io.out(`applied: ${before.applied.join(', ') || '(none)'}\npending: ${before.pending.join(', ') || '(none)'}\n`);
        return;
      }
      const after = await store.schema.migrate();
      const applied = after.applied.filter((m) => !before.applied.includes(m));
      io.out(applied.length ? `applied ${applied.join(', ')}\n` : `up to date (${after.applied.length} migrations)\n`);
    } finally {
      await store.close();
    }
  });
}
