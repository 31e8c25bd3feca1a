/** Where a command writes. Passed in so tests capture output without touching process.stdout. */
export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when stdout is a terminal (progress bars, colours). */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream;
  /** Where `.env` and `rampart.yaml` are looked for; the process's working directory when absent. */
  cwd?: string;
}

export function processIO(): CliIO {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    stdin: process.stdin,
    cwd: process.cwd(),
  };
}
