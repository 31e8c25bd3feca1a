/**
 * `rampart` CLI: one module per noun. `main` returns the exit code instead of exiting, so tests can
 * run commands in-process. Only the module of the command being run is loaded (see commands.ts): the
 * others are stand-ins that carry their name and description for the help text.
 */
import { Command, CommanderError, Help } from 'commander';
import { RampartError } from '../core/index.js';
import { COMMANDS, commandNameOf } from './commands.js';
import { processIO, type CliIO } from './io.js';
import { VERSION } from './version.js';

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  let exitCode = 0;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const stubTerms = new Map<Command, string>();
  const program = new Command('rampart')
    .description('Rampart: web threat detection and threat intelligence from your access logs')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .configureHelp({
      subcommandTerm(this: Help, cmd: Command): string {
        return stubTerms.get(cmd) ?? Help.prototype.subcommandTerm.call(this, cmd);
      },
    });

  try {
    const wanted = commandNameOf(argv.slice(2));
    for (const entry of COMMANDS) {
      if (entry.name === wanted) (await entry.load())(program, io, setExit);
      else stubTerms.set(program.command(entry.name).description(entry.description), entry.term);
    }
    // Every subcommand reports errors the same way and never exits the process itself.
    const quiet = (cmd: Command): void => {
      cmd.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
      cmd.commands.forEach(quiet);
    };
    program.commands.forEach(quiet);

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
    // A system error (ECONNREFUSED, EACCES…) is about the user's machine, not a bug: no stack trace.
    const systemError = err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
    io.err(`rampart: ${err instanceof Error ? (systemError ? err.message : (err.stack ?? err.message)) : String(err)}\n`);
    return 1;
  }
}
