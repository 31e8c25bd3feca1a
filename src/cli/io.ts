/** Where a command writes. Passed in so tests capture output without touching process.stdout. */
export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when stdout is a terminal (progress bars, colours). */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream;
}

export function processIO(): CliIO {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    stdin: process.stdin,
  };
}
