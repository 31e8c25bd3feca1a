/** `rampart config`: the effective configuration, secrets masked, and where each layer came from. */
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { ENV_BINDINGS, maskConfig } from '../config/index.js';
import { addConfigFlag, addFormatFlags, addStoreFlags, loadWithFlags, type CommonFlags } from './flags.js';
import type { CliIO } from './io.js';

export function registerConfig(program: Command, io: CliIO): void {
  const cmd = program
    .command('config')
    .description('print the effective configuration (flags > env > config file > defaults), secrets masked')
    .option('--json', 'print JSON instead of YAML')
    .option('--env', 'list the environment variables Rampart reads');
  addConfigFlag(cmd);
  addStoreFlags(cmd);
  addFormatFlags(cmd);
  cmd.action((opts: CommonFlags & { json?: boolean; env?: boolean }) => {
    if (opts.env) {
      for (const b of ENV_BINDINGS) io.out(`${b.env.padEnd(26)} ${b.key}\n`);
      return;
    }
    const { config, file } = loadWithFlags(opts, io);
    const masked = maskConfig(config);
    if (opts.json) io.out(JSON.stringify(masked, null, 2) + '\n');
    else io.out(`# config file: ${file ?? '(none)'}\n` + stringify(masked));
  });
}
