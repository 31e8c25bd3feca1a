#!/usr/bin/env node
// The package's bin: the bundled CLI (`npm ci` builds dist/ through the prepare script; dist/bundle/cli.cjs
// is the CLI in one file, scripts/bundle.js), run by load-cli.cjs with V8's code cache. Stack traces
// point into the bundle. CommonJS (bin/package.json), like everything a start loads: Node's ES module
// loader alone costs about 10 ms of every command.
//
// `analyze` allocates a few short-lived strings and objects per log line; with V8's default 16 MiB
// semi-spaces a quarter of its time went to scavenges. A larger young generation can only be set when
// V8 starts (v8.setFlagsFromString is too late for heap sizing), so `analyze` of a large input runs in
// a child Node with the flag: measured 25-40% more lines/s, for about 60 MB more peak RSS
// (docs/benchmarks.md). A small input runs in this process: a second Node start would cost more than
// the larger heap saves (dist/bundle/respawn.cjs, built from src/cli/respawn.ts, decides).
// RAMPART_NO_RESPAWN=1 never respawns, RAMPART_RESPAWN=1 always does; a semi-space flag already given
// to node runs in this process.
const { spawn } = require('node:child_process');

const YOUNG = '--max-semi-space-size=64';
const args = process.argv.slice(2);
const command = args.find((a) => !a.startsWith('-'));
const tuned = process.execArgv.some((a) => a.startsWith('--max-semi-space-size')) || (process.env.NODE_OPTIONS ?? '').includes('--max-semi-space-size');
const respawn =
  command === 'analyze' && !tuned && require('../dist/bundle/respawn.cjs').analyzeRespawn(args.slice(args.indexOf(command) + 1), process.env) === 'child';

if (respawn) {
  const child = spawn(process.execPath, [YOUNG, ...process.execArgv, __filename, ...args], {
    stdio: 'inherit',
  });
  // Ctrl-C reaches the child through the terminal's process group; other signals are passed on.
  process.on('SIGINT', () => {});
  for (const sig of ['SIGTERM', 'SIGHUP', 'SIGQUIT']) process.on(sig, () => child.kill(sig));
  child.on('error', (err) => {
    console.error(`rampart: cannot start ${process.execPath}: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal !== null) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    process.exit(code ?? 1);
  });
} else {
  require('./load-cli.cjs');
}
