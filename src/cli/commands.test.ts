import { Command, Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS, commandNameOf } from './commands.js';
import type { CliIO } from './io.js';
import { main } from './main.js';

const io = (sink: { out: string }): CliIO => ({
  out: (t) => {
    sink.out += t;
  },
  err: () => {},
  isTTY: false,
  env: {},
  stdin: process.stdin,
});

describe('command table', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))('%s: the table matches what its module registers', async (_name, entry) => {
    const program = new Command('rampart');
    (await entry.load())(program, io({ out: '' }), () => {});
    expect(program.commands.map((c) => c.name())).toEqual([entry.name]);
    const real = program.commands[0]!;
    expect(real.description()).toBe(entry.description);
    expect(new Help().subcommandTerm(real)).toBe(entry.term);
  });

  it('names each command once', () => {
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
  });

  it('top-level help lists every command, the same whichever module is loaded', async () => {
    const help = async (args: string[]) => {
      const sink = { out: '' };
      expect(await main(['node', 'rampart', ...args], io(sink))).toBe(0);
      return sink.out;
    };
    const bare = await help(['--help']);
    for (const c of COMMANDS) expect(bare).toContain(`  ${c.term} `);
    // `rampart --help config` loads the config module and still prints the top-level help.
    expect(await help(['--help', 'config'])).toBe(bare);
  });
});

describe('commandNameOf', () => {
  it.each([
    [[], null],
    [['--help'], null],
    [['-V'], null],
    [['analyze', 'a.log'], 'analyze'],
    [['analyze', '--output', 'jsonl', 'a.log'], 'analyze'],
    [['--help', 'config'], 'config'],
    [['help'], null],
    [['help', 'rules'], 'rules'],
    [['rules', 'list'], 'rules'],
    [['nosuch'], 'nosuch'],
  ] as const)('%j -> %s', (args, want) => {
    expect(commandNameOf(args)).toBe(want);
  });
});
