/**
 * `rampart serve`: follow logs, detect, store, serve the API. With no log configured it runs the
 * traffic simulator and follows its output, so a newcomer sees detections within seconds. The process
 * is assembled by the runtime (src/runtime, role `all`); this module parses flags and handles signals.
 */
import { Option, type Command } from 'commander';
import type { Config } from '../config/index.js';
import { startRuntime } from '../runtime/index.js';
import { cliCache } from './cache.js';
import { addConfigFlag, addFormatFlags, addStoreFlags, loadWithFlags, type CommonFlags } from './flags.js';
import { wholeNumber } from './flag-parsers.js';
import type { CliIO } from './io.js';
import { VERSION } from './version.js';

interface ServeFlags extends CommonFlags {
  log?: string[];
  host?: string;
  port?: number;
  demo?: boolean;
  demoFormat?: string;
  fromStart?: boolean;
}

export function registerServe(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cmd = program
    .command('serve')
    .description('follow access logs, detect attacks, store them and serve the API')
    .option('-l, --log <path...>', 'access log to follow (repeatable; globs allowed, quote them)')
    .option('--host <host>', 'address the API listens on (default 127.0.0.1)')
    .option('-p, --port <port>', 'API port (default 8000)', wholeNumber(0, 65535))
    .option('--no-demo', 'do not run the traffic simulator when no log is configured')
    .addOption(new Option('--demo-format <name>', "the simulator's log format: combined, or ja4 (combined plus a JA4, parsed as such)").choices(['combined', 'ja4']))
    .option('--from-start', 'read existing log files from their beginning instead of their end');
  addConfigFlag(cmd);
  addStoreFlags(cmd);
  addFormatFlags(cmd);
  cmd.action(async (flags: ServeFlags) => {
    const extra: Record<string, string> = { log: 'ingest.logs', host: 'server.host', demoFormat: 'demo.format' };
    if (flags.demo === false) extra.demo = 'demo.enabled';
    const layerFlags: Record<string, unknown> = { ...flags };
    if (flags.fromStart) layerFlags.fromStart = 'start';
    const { config, file } = loadWithFlags(layerFlags, io, {
      ...extra,
      port: 'server.port',
      fromStart: 'ingest.startAt',
    });
    const code = await serve(config, file, io);
    setExit(code);
  });
}

export async function serve(config: Config, configFile: string | null, io: CliIO): Promise<number> {
  const runtime = await startRuntime({ config, configFile, role: 'all', version: VERSION, cache: cliCache(io) });
  io.err(`rampart ${VERSION} listening on http://${config.server.host}:${runtime.port} (API docs at /docs)\n`);
  announceAccess(config, runtime.firstRunKey, io);
  const signal = await new Promise<string>((resolveStop) => {
    process.once('SIGINT', () => resolveStop('SIGINT'));
    process.once('SIGTERM', () => resolveStop('SIGTERM'));
  });
  await runtime.stop(signal);
  return 0;
}

/** How to call the API: the first-run key (printed here once, never logged), or where keys come from. */
function announceAccess(config: Config, firstRunKey: Promise<string | null> | undefined, io: CliIO): void {
  if (config.auth.mode === 'off') {
    io.err('WARNING: auth.mode is off: the API answers anyone who reaches it, without a key (loopback only)\n');
    return;
  }
  void firstRunKey?.then((key) => {
    if (key === null) return;
    io.err(
      `\nrampart: first run: created an admin API key. It is shown once, only its hash is stored:\n\n` +
        `    ${key}\n\n` +
        `Send it as "Authorization: Bearer <key>" or "X-Api-Key: <key>"; for the CLI: export RAMPART_API_KEY=<key>.\n` +
        `Create narrower keys with: rampart keys create --name NAME --scopes read\n\n`,
    );
  });
}
