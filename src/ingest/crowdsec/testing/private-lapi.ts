/**
 * A CrowdSec LAPI of the test's own (the real `crowdsec` Debian package): its own config folder, listen port,
 * SQLite database and data folder under a temporary directory, LAPI only (`-no-cs`), Central API off (`-no-capi`);
 * a system instance and /etc/crowdsec are only read (profiles, simulation, hub index), never written. A bouncer and
 * a machine are registered with cscli. `null` when crowdsec is not installed (the test skips, visibly; CI installs
 * it: see docs/crowdsec.md).
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PrivateLapi {
  url: string;
  port: number;
  bouncerKey: string;
  machine: { login: string; password: string };
  /** Runs cscli against this instance; resolves with its stdout. */
  cscli(...args: string[]): Promise<string>;
  stop(): Promise<void>;
  /** Starts it again on the same port and database; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  destroy(): Promise<void>;
  log(): string;
}

export function crowdsecInstalled(): boolean {
  return spawnSync('crowdsec', ['-version']).status === 0 && spawnSync('cscli', ['version']).status === 0;
}

/** Whether the package is there; says so (SKIP) when not, or throws under RAMPART_REQUIRE_SERVICES=1. */
export function probeCrowdsec(what: string): boolean {
  if (crowdsecInstalled()) return true;
  if (process.env.RAMPART_REQUIRE_SERVICES === '1') throw new Error('RAMPART_REQUIRE_SERVICES=1 but crowdsec is not installed');
  console.warn(`SKIP ${what}: the crowdsec package is not installed (apt-get install crowdsec, see docs/crowdsec.md)`);
  return false;
}

export async function startPrivateLapi(what: string): Promise<PrivateLapi | null> {
  if (!probeCrowdsec(what)) return null;
  const dir = mkdtempSync(join(tmpdir(), 'rampart-crowdsec-'));
  mkdirSync(join(dir, 'data'));
  const port = await freePort();
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `common:
  daemonize: false
  log_media: stdout
  log_level: info
  working_dir: .
config_paths:
  config_dir: ${dir}/
  data_dir: ${dir}/data/
  simulation_path: /etc/crowdsec/simulation.yaml
  hub_dir: /var/lib/crowdsec/hub/
  index_path: /var/lib/crowdsec/hub/.index.json
  notification_dir: /etc/crowdsec/notifications/
  plugin_dir: /usr/lib/crowdsec/plugins/
cscli:
  output: human
db_config:
  log_level: info
  type: sqlite
  use_wal: true
  db_path: ${dir}/data/crowdsec.db
  flush:
    max_items: 5000
    max_age: 7d
api:
  client:
    insecure_skip_verify: false
    credentials_path: ${dir}/local_api_credentials.yaml
  server:
    log_level: info
    listen_uri: 127.0.0.1:${port}
    profiles_path: /etc/crowdsec/profiles.yaml
    online_client:
      credentials_path: ${dir}/online_api_credentials.yaml
    trusted_ips:
      - 127.0.0.1
      - ::1
prometheus:
  enabled: false
  level: full
  listen_addr: 127.0.0.1
  listen_port: 6060
`,
  );
  // The Central API is unreachable here: a file with only a comment keeps the LAPI from asking for it.
  writeFileSync(join(dir, 'online_api_credentials.yaml'), '# offline: no Central API\n');
  const cscli = async (...args: string[]): Promise<string> => (await run('cscli', ['-c', config, ...args], { cwd: dir, maxBuffer: 16 << 20 })).stdout;
  const machine = { login: 'rampart-e2e', password: `pw-${Math.random().toString(36).slice(2)}-${Date.now()}` };
  await cscli('machines', 'add', machine.login, '--password', machine.password, '-f', join(dir, 'local_api_credentials.yaml'), '--force');
  const bouncerKey = (await cscli('bouncers', 'add', 'rampart-e2e', '-o', 'raw')).trim();

  let child: ChildProcess | null = null;
  let out = '';
  const start = async (): Promise<void> => {
    child = spawn('crowdsec', ['-c', config, '-no-cs', '-no-capi'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => {
      out = (out + d.toString('utf8')).slice(-(1 << 16));
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    await waitForPort(port, 30_000, () => out);
  };
  const stop = async (): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
    child = null;
  };
  await start();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    bouncerKey,
    machine,
    cscli,
    stop,
    start,
    log: () => out,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => (s.end(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (performance.now() > deadline) throw new Error(`private crowdsec LAPI did not listen on ${port} within ${timeoutMs} ms:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
