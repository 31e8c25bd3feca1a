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
  quietOnClosedStdout();
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    stdin: process.stdin,
    cwd: process.cwd(),
  };
}

let guarded = false;

/**
 * `rampart rules list | head`: once the reader has gone, there is nobody to tell anything to. Stop
 * quietly, as `cat` would, instead of dying on EPIPE with a stack trace.
 */
function quietOnClosedStdout(): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') process.exit(0);
    process.stderr.write(`rampart: cannot write to stdout: ${err.message}\n`);
    process.exit(1);
  });
}
