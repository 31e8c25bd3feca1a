import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

/** Runs the CLI in-process through `main` with captured output: what a user types, what they see. */
export async function runCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; stdin?: Readable; cwd?: string } = {},
) {
  let out = '';
  let err = '';
  const io: CliIO = {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    isTTY: false,
    env: opts.env ?? {},
    stdin: opts.stdin ?? Readable.from([]),
    cwd: opts.cwd,
  };
  const code = await main(['node', 'rampart', ...args], io);
  return { code, out, err };
}
