/** `rampart health`: asks a running server; exit 0 when ready, 1 otherwise. */
import type { Command } from 'commander';
import { getJson, serverUrl } from './http-client.js';
import type { CliIO } from './io.js';

export function registerHealth(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('health')
    .description('ask a running Rampart whether it is ready (exit 0) or not (exit 1)')
    .option('--url <url>', 'server address (default http://127.0.0.1:8000, env RAMPART_URL)')
    .option('--live', 'check liveness (/health) only, not readiness (/ready)')
    .action(async (opts: { url?: string; live?: boolean }) => {
      const base = serverUrl(opts.url, io.env, io.cwd);
      const path = opts.live ? '/health' : '/ready';
      try {
        const { status, body } = await getJson(base + path);
        io.out(JSON.stringify(body, null, 2) + '\n');
        setExit(status === 200 ? 0 : 1);
      } catch (err) {
        io.err(`rampart health: cannot reach ${base}${path}: ${(err as Error).message}\n`);
        setExit(1);
      }
    });
}
