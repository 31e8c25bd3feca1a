/**
 * End to end with the real CrowdSec bouncers (Debian packages crowdsec-custom-bouncer and
 * crowdsec-firewall-bouncer): `rampart serve` as a process, a bouncer key from `rampart bouncers add`, and the
 * bouncer binary pointed at Rampart's /v1 API. The custom bouncer runs a script per decision added or deleted; the
 * script records its calls. A ban added with `rampart decisions add`, and one the policy makes from an attack in
 * the log, reach the bouncer within one poll; a deleted one and an expired one leave it. The firewall bouncer (it
 * has no dry mode in this version) runs in nftables mode inside a private network namespace: a ban shows in its
 * nftables set within one poll and leaves it when deleted.
 *
 * Skipped, with a visible message, when the binaries are absent (`.ci/run` installs the packages).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-in-process.js';
import { attackLine } from './log-lines.js';
import { startServe, waitFor, type ServeProcess } from './serve-process.js';

const CUSTOM = '/usr/bin/crowdsec-custom-bouncer';
const FIREWALL = '/usr/bin/crowdsec-firewall-bouncer';
const haveCustom = existsSync(CUSTOM);
const haveFirewall = existsSync(FIREWALL);
// .ci/run installs the bouncers: there a missing one is a failure, not a skip.
if (process.env.RAMPART_REQUIRE_SERVICES === '1' && (!haveCustom || !haveFirewall)) {
  throw new Error(`RAMPART_REQUIRE_SERVICES=1 but ${!haveCustom ? CUSTOM : FIREWALL} is absent (apt-get install -y crowdsec-custom-bouncer crowdsec-firewall-bouncer)`);
}
if (!haveCustom) console.warn(`SKIP crowdsec bouncer e2e: ${CUSTOM} is absent (apt-get install -y crowdsec-custom-bouncer)`);
/** A private network namespace for the firewall bouncer's nftables rules (root or CAP_SYS_ADMIN, nft, socat). */
const haveNetns = haveFirewall && ['/usr/bin/unshare', '/usr/bin/nsenter', '/usr/sbin/nft', '/usr/bin/socat'].every(existsSync) && spawnSync('/usr/bin/unshare', ['-n', 'true']).status === 0;
if (haveFirewall && !haveNetns) console.warn('SKIP crowdsec firewall bouncer e2e: no private network namespace here (needs unshare -n as root, nsenter, nft, socat)');
if (!haveFirewall) console.warn(`SKIP crowdsec firewall bouncer e2e: ${FIREWALL} is absent (apt-get install -y crowdsec-firewall-bouncer)`);

/**
 * The bouncers poll every second (0.7-0.85 s from ban to script on a quiet machine); the wait allows one poll plus
 * what a loaded machine may take to start the script: 16.6 s was seen once at a load average of 12.
 */
const POLL_S = 1;
const ONE_POLL_MS = 30_000;

interface Call {
  at: number;
  action: string;
  value: string;
  seconds: number;
  reason: string;
}

function startBouncer(bin: string, args: string[], dir: string, name: string): { child: ChildProcess; output: () => string; stop(): Promise<void> } {
  const child = spawn(bin, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString('utf8')).slice(-(1 << 18));
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => `${name}:\n${out}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

describe.skipIf(!haveCustom)('the real CrowdSec bouncers against Rampart', { timeout: 240_000 }, () => {
  let dir: string;
  let log: string;
  let serve: ServeProcess;
  let env: NodeJS.ProcessEnv;
  let calls: string;
  const bouncers: { stop(): Promise<void>; output: () => string }[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  const cli = async (args: string[]) => {
    const r = await runCli([...args, '--url', serve.baseUrl], { env, cwd: dir });
    expect(r.code, `rampart ${args.join(' ')}: ${r.err}`).toBe(0);
    return r.out;
  };
  const recorded = (): Call[] =>
    existsSync(calls)
      ? readFileSync(calls, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => {
            const [at, action, value, seconds, reason] = l.split('\t');
            return { at: Number(at) * 1000, action: action!, value: value!, seconds: Number(seconds), reason: reason ?? '' };
          })
      : [];
  const waitCall = (what: string, pred: (c: Call) => boolean) =>
    waitFor(what, async () => recorded().find(pred), ONE_POLL_MS, 100).catch((err: Error) => {
      throw new Error(`${err.message}\ncalls:\n${readFileSync(calls, 'utf8')}\n${bouncers.map((b) => b.output()).join('\n')}`);
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-e2e-bouncer-'));
    log = join(dir, 'access.log');
    calls = join(dir, 'calls.tsv');
    writeFileSync(log, '');
    // The policy for this test: every SQL injection is banned for an hour.
    const config = join(dir, 'rampart.yaml');
    writeFileSync(config, 'decisions:\n  rules:\n    - id: e2e-sqli\n      scenarios: ["sqli-*"]\n      durations: ["1h"]\n');
    serve = await startServe(['--no-demo', '--log', log, '--data-dir', join(dir, 'data'), '--config', config]);
    env = { RAMPART_API_KEY: serve.apiKey };
  }, 120_000);

  afterAll(async () => {
    for (const b of bouncers) await b.stop();
    for (const c of cleanups) await c();
    await serve?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gives bans to the custom bouncer within one poll, and takes deleted and expired ones back', async () => {
    const key = (await cli(['bouncers', 'add', 'custom-e2e'])).trim();
    expect(key).toMatch(/^rb_[A-Za-z0-9_-]{43}$/);
    const script = join(dir, 'record.sh');
    writeFileSync(script, `#!/bin/sh\nprintf '%s\\t%s\\t%s\\t%s\\t%s\\n' "$(date +%s.%N)" "$1" "$2" "$3" "$4" >> '${calls}'\n`);
    chmodSync(script, 0o755);
    const cfg = join(dir, 'custom.yaml');
    writeFileSync(
      cfg,
      [
        `bin_path: ${script}`,
        'feed_via_stdin: false',
        'total_retries: 0',
        'scenarios_containing: []',
        'scenarios_not_containing: []',
        'origins: []',
        `piddir: ${dir}`,
        `update_frequency: ${POLL_S}s`,
        'cache_retention_duration: 10s',
        'daemonize: false',
        'log_mode: stdout',
        'log_level: info',
        `api_url: ${serve.baseUrl}/`,
        `api_key: ${key}`,
        'prometheus:',
        '  enabled: false',
        '',
      ].join('\n'),
    );
    bouncers.push(startBouncer(CUSTOM, ['-c', cfg], dir, 'custom bouncer'));
    // Its first pull (startup=true) shows in the bouncer list.
    await waitFor('the first pull', async () => ((await cli(['bouncers', 'list', '--json'])).includes('"last_pull": "2') ? true : undefined), ONE_POLL_MS);
    expect(await cli(['bouncers', 'list'])).toMatch(/custom-e2e .* crowdsec-custom-bouncer/);

    // A manual ban.
    const t0 = Date.now();
    expect(await cli(['decisions', 'add', '--ip', '192.0.2.44', '--duration', '4h', '--reason', 'e2e manual'])).toMatch(/added decision \d+: ban Ip:192.0.2.44/);
    const added = await waitCall('the manual ban at the bouncer', (c) => c.action === 'add' && c.value === '192.0.2.44');
    expect(added.reason).toBe('e2e manual');
    expect(added.seconds).toBeGreaterThan(4 * 3600 - 60);
    expect(added.seconds).toBeLessThanOrEqual(4 * 3600);
    console.log(`bouncer e2e: a manual ban reached the custom bouncer ${added.at - t0} ms after it was added (poll every ${POLL_S} s)`);

    // A ban the policy makes from an attack in the log.
    appendFileSync(log, attackLine(1, '198.51.100.23') + '\n');
    const policy = await waitCall('the policy ban at the bouncer', (c) => c.action === 'add' && c.value === '198.51.100.23');
    expect(policy.reason).toMatch(/^sqli-/);
    expect(policy.seconds).toBeLessThanOrEqual(3600);
    expect(await cli(['decisions', 'list', '--origin', 'rampart'])).toMatch(/Ip:198\.51\.100\.23\s+ban\s+rampart/);

    // Deleted, then expired.
    expect(await cli(['decisions', 'delete', '--ip', '192.0.2.44'])).toBe('deleted 1 decision\n');
    await waitCall('the deletion at the bouncer', (c) => c.action === 'del' && c.value === '192.0.2.44');
    await cli(['decisions', 'add', '--range', '203.0.113.0/24', '--duration', '3s', '--type', 'captcha']);
    await waitCall('the short range at the bouncer', (c) => c.action === 'add' && c.value === '203.0.113.0/24');
    await waitCall('its expiry at the bouncer', (c) => c.action === 'del' && c.value === '203.0.113.0/24');
    // The policy ban stays.
    expect(recorded().some((c) => c.action === 'del' && c.value === '198.51.100.23')).toBe(false);
  });

  it.skipIf(!haveFirewall || !haveNetns)('the firewall bouncer puts a ban in nftables (in a private network namespace) and takes it out', async () => {
    const key = (await cli(['bouncers', 'add', 'firewall-e2e'])).trim();
    // The bouncer runs in a network namespace of its own (its nftables rules touch nothing else); it reaches
    // Rampart through socat on its own loopback, relayed over a unix socket (which crosses namespaces).
    const sock = join(dir, 'rampart.sock');
    const port = Number(new URL(serve.baseUrl).port);
    const relay = createServer((c) => {
      const up = connect(port, '127.0.0.1');
      c.pipe(up).pipe(c);
      const end = () => {
        c.destroy();
        up.destroy();
      };
      c.on('error', end);
      up.on('error', end);
    });
    await new Promise<void>((resolve) => relay.listen(sock, resolve));
    cleanups.push(() => new Promise<void>((resolve) => relay.close(() => resolve())));
    const cfg = join(dir, 'firewall.yaml');
    writeFileSync(
      cfg,
      [
        'mode: nftables',
        `pid_dir: ${dir}`,
        `update_frequency: ${POLL_S}s`,
        'daemonize: false',
        'log_mode: stdout',
        'log_level: info',
        'api_url: http://127.0.0.1:8081/',
        `api_key: ${key}`,
        'disable_ipv6: false',
        'deny_action: DROP',
        'deny_log: false',
        'supported_decisions_types:',
        '  - ban',
        'blacklists_ipv4: crowdsec-blacklists',
        'blacklists_ipv6: crowdsec6-blacklists',
        'nftables:',
        '  ipv4:',
        '    enabled: true',
        '    set-only: false',
        '    table: crowdsec',
        '    chain: crowdsec-chain',
        '  ipv6:',
        '    enabled: true',
        '    set-only: false',
        '    table: crowdsec6',
        '    chain: crowdsec6-chain',
        'prometheus:',
        '  enabled: false',
        '',
      ].join('\n'),
    );
    const socatPid = join(dir, 'socat.pid');
    // The bouncer gives up when its first pull fails: it starts once socat listens (up to 10 s on a loaded machine).
    const script =
      `ip link set lo up && socat TCP-LISTEN:8081,bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:${sock} & echo $! > ${socatPid}; ` +
      `(for i in $(seq 100); do socat -u OPEN:/dev/null TCP:127.0.0.1:8081 2>/dev/null && break; sleep 0.1; done); exec ${FIREWALL} -c ${cfg}`;
    const fw = startBouncer('/usr/bin/unshare', ['-n', 'sh', '-c', script], dir, 'firewall bouncer');
    bouncers.push(fw);
    cleanups.push(async () => {
      if (existsSync(socatPid)) {
        try {
          process.kill(Number(readFileSync(socatPid, 'utf8').trim()), 'SIGTERM');
        } catch {
          // already gone
        }
      }
    });
    const nftSet = () =>
      new Promise<string>((resolve) => {
        const c = spawn('nsenter', ['-t', String(fw.child.pid), '-n', 'nft', 'list', 'set', 'ip', 'crowdsec', 'crowdsec-blacklists'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
        c.stderr!.on('data', (d: Buffer) => (out += d.toString()));
        c.on('exit', () => resolve(out));
      });
    const waitSet = (what: string, pred: (set: string) => boolean) =>
      waitFor(what, async () => ((await nftSet().then(pred)) ? true : undefined), ONE_POLL_MS, 200).catch(async (err: Error) => {
        throw new Error(`${err.message}\nnft: ${await nftSet()}\n${fw.output()}`);
      });
    await waitFor('the firewall bouncer\u2019s first pull', async () => (/"name": "firewall-e2e"[^}]*"last_pull": "2/.test(await cli(['bouncers', 'list', '--json'])) ? true : undefined), ONE_POLL_MS).catch((err: Error) => {
      throw new Error(`${err.message}\n${fw.output()}`);
    });
    // The policy ban of the first test is already there (startup).
    await waitSet('the policy ban in the nftables set', (set) => set.includes('198.51.100.23'));
    await cli(['decisions', 'add', '--ip', '192.0.2.55', '--duration', '1h']);
    await waitSet('the new ban in the nftables set', (set) => set.includes('192.0.2.55'));
    await cli(['decisions', 'delete', '--ip', '192.0.2.55']);
    await waitSet('the ban out of the nftables set', (set) => !set.includes('192.0.2.55') && set.includes('198.51.100.23'));
    expect(await cli(['bouncers', 'list'])).toMatch(/firewall-e2e .* crowdsec-firewall-bouncer/);
  });
});
