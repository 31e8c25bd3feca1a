/**
 * Sharp edges that only show in a real process (issue 8): a port already in use, an unreachable Redis,
 * a reader that closes the pipe. Each ends with one line, or quietly, and never with a stack trace.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { holdBusyPort } from '../../src/api/testing/busy-port.js';
import { attackLine } from '../e2e/log-lines.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The environment without any Rampart setting of the machine running the tests. */
function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(RAMPART_|DATABASE_URL|REDIS_|DB_|PORT$|API_PORT$|LOG_LEVEL$)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, LOG_LEVEL: 'warn', ...extra };
}

interface Ran {
  code: number | null;
  out: string;
  err: string;
}

/** Runs the CLI; with `closeAfterFirstChunk`, the reader goes away after the first output, as `head -1` does. */
function rampart(args: string[], opts: { env?: NodeJS.ProcessEnv; closeAfterFirstChunk?: boolean; timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], {
      cwd: ROOT,
      env: cleanEnv(opts.env ?? {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      if (opts.closeAfterFirstChunk) child.stdout.destroy();
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (err += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`rampart ${args.join(' ')} still running after ${opts.timeoutMs ?? 60_000} ms:\n${err}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

function expectNoStack(text: string): void {
  expect(text).not.toMatch(/^\s+at /m);
  expect(text).not.toContain('Unhandled');
}

describe('serve', () => {
  const busy = holdBusyPort();

  it('on a port already in use exits non-zero with one line naming the port', async () => {
    const port = busy.port;
    const dataDir = mkdtempSync(join(tmpdir(), 'rampart-proc-data-'));
    const r = await rampart(['serve', '--port', String(port), '--no-demo', '--data-dir', dataDir]);
    expect(r.code).not.toBe(0);
    expectNoStack(r.err);
    expect(r.err.trim().split('\n')).toEqual([
      `rampart: config server.port: port ${port} is already in use on 127.0.0.1 (is another Rampart running?): choose another with --port or RAMPART_PORT`,
    ]);
  }, 90_000);

  it('with an unreachable REDIS_URL exits non-zero naming the setting and what was tried', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rampart-proc-data-'));
    const r = await rampart(['serve', '--port', '0', '--no-demo', '--data-dir', dataDir], { env: { REDIS_URL: 'redis://:pw@127.0.0.1:1' } });
    expect(r.code).not.toBe(0);
    expectNoStack(r.err);
    expect(r.err).toContain('rampart: config redis.url: cannot connect to Redis at redis://:***@127.0.0.1:1 (connect ECONNREFUSED 127.0.0.1:1)');
    expect(r.err).not.toContain(':pw@');
  }, 90_000);
});

describe('a reader that closes the pipe', () => {
  it('rules list | head -1 stops quietly', async () => {
    const r = await rampart(['rules', 'list'], { closeAfterFirstChunk: true });
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
  }, 60_000);

  it('analyze --output jsonl | head -1 stops quietly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-proc-log-'));
    const file = join(dir, 'access.log');
    writeFileSync(file, Array.from({ length: 20_000 }, (_, i) => attackLine(i, `192.0.2.${i % 250}`)).join('\n') + '\n');
    const r = await rampart(['analyze', file, '--output', 'jsonl', '--no-geo'], { closeAfterFirstChunk: true });
    expect(r.code).toBe(0);
    expectNoStack(r.err);
    expect(r.err).not.toContain('EPIPE');
  }, 90_000);
});
