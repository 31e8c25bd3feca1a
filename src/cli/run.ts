/** Process entry for the CLI (the bin script imports the compiled copy; tests run this one via tsx). */
import { main } from './main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
    if (code !== 0) exitOnceFlushed(code);
  },
  (err: unknown) => {
    console.error(`rampart: ${err instanceof Error ? err.message : String(err)}`);
    exitOnceFlushed(1);
  },
);

/**
 * A failed command is over: nothing it started may keep the process alive (a `serve` that could not
 * listen has already opened its store and sources). Exit once stdout and stderr have taken the output.
 */
function exitOnceFlushed(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
