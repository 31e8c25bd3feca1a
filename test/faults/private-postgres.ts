/**
 * A PostgreSQL server of the test's own (initdb into a temp dir, its own port in 55432-55439, run as user
 * `postgres` through runuser since tests run as root), which a fault test may stop and start at will. The shared
 * server is never touched. remove() stops it and deletes its data.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PrivatePostgres {
  port: number;
  url: string;
  start(): Promise<void>;
  /** pg_ctl stop -m fast: connections are cut, the port closes. */
  stop(): Promise<void>;
  remove(): Promise<void>;
}

/** The newest installed server's bin directory, or null when none (the caller skips). */
export function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

export async function privatePostgres(bin: string): Promise<PrivatePostgres> {
  const port = await firstFreePort(55432, 55439);
  const dir = mkdtempSync(join(tmpdir(), 'rampart-pg-'));
  const data = join(dir, 'data');
  chownSync(dir, idOf('-u', 'postgres'), idOf('-g', 'postgres'));
  const asPostgres = (cmd: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { cwd: dir });
  await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const pgCtl = (args: string[]) => asPostgres('pg_ctl', ['-D', data, '-w', '-t', '60', ...args]);
  const start = async () => {
    await pgCtl(['-l', join(dir, 'server.log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  };
  await start();
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop: async () => void (await pgCtl(['-m', 'fast', 'stop'])),
    remove: async () => {
      await pgCtl(['-m', 'immediate', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `id -u postgres` / `id -g postgres`: the owner the data directory needs. */
function idOf(flag: '-u' | '-g', user: string): number {
  return Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
}

async function firstFreePort(from: number, to: number): Promise<number> {
  for (let p = from; p <= to; p++) {
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(p, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return p;
  }
  throw new Error(`no free port in ${from}-${to} for a private PostgreSQL`);
}
