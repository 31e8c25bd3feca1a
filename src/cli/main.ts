/**
 * `rampart` CLI: one module per noun. `main` returns the exit code instead of exiting, so tests can
 * run commands in-process.
 */
import { Command, CommanderError } from 'commander';
import { RampartError } from '../core/errors.js';
import { registerAnalyze } from './analyze-command.js';
import { registerCollector } from './collector-command.js';
import { registerConfig } from './config-command.js';
import { registerDemo } from './demo-command.js';
import { registerExplain } from './explain-command.js';
import { registerHealth } from './health-command.js';
import { processIO, type CliIO } from './io.js';
import { registerLookup } from './lookup-command.js';
import { registerMigrate } from './migrate-command.js';
import { registerRules } from './rules-command.js';
import { registerServe } from './serve-command.js';
import { registerStatus } from './status-command.js';
import { VERSION } from './version.js';

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  let exitCode = 0;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const program = new Command('rampart')
    .description('Rampart: web threat detection and threat intelligence from your access logs')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  registerServe(program, io, setExit);
  registerAnalyze(program, io, setExit);
  registerDemo(program, io);
  registerExplain(program, io, setExit);
  registerRules(program, io, setExit);
  registerConfig(program, io);
  registerMigrate(program, io);
  registerHealth(program, io, setExit);
  registerStatus(program, io, setExit);
  registerLookup(program, io, setExit);
  registerCollector(program, io, setExit);
  // Every subcommand reports errors the same way and never exits the process itself.
  const quiet = (cmd: Command): void => {
    cmd.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
    cmd.commands.forEach(quiet);
  };
  program.commands.forEach(quiet);

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with code 0.
      return err.exitCode;
    }
    if (err instanceof RampartError) {
      io.err(`rampart: ${err.message}\n`);
      return 2;
    }
    io.err(`rampart: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
