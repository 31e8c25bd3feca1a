/**
 * Sharp edges found by trying the CLI as a new user would (issue 8): each case is what a user typed and
 * what they must see: one line naming the input and what was wrong, a non-zero exit, no stack trace.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-in-process.js';

/** Each run starts in an empty directory unless told otherwise: no `.env` or `rampart.yaml` leaks in. */
const run = (args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) =>
  runCli(args, { ...opts, cwd: opts.cwd ?? mkdtempSync(join(tmpdir(), 'rampart-cwd-')) });

/** No stack trace: no "    at " frame and no "Error:" class prefix in what the user sees. */
function expectNoStack(text: string): void {
  expect(text).not.toMatch(/^\s+at /m);
  expect(text).not.toMatch(/\w*Error: /);
}

describe('rampart migrate', () => {
  it('--status only looks; migrate lists what it applied, then says up to date', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rampart-migrate-'));
    const status = await run(['migrate', '--status', '--data-dir', dataDir]);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/^applied: \(none\)\npending: 0001_/);
    const applied = await run(['migrate', '--data-dir', dataDir]);
    expect(applied.code).toBe(0);
    expect(applied.out).toMatch(/^applied 0001_\S+, 0002_/);
    const upToDate = await run(['migrate', '--data-dir', dataDir]);
    expect(upToDate.out).toMatch(/^up to date \(\d+ migrations\)\n$/);
  }, 60_000);
});

describe('rampart migrate --data-dir where no folder can be made', () => {
  // mkdir -p under /proc never returned: the command hung instead of failing.
  it.skipIf(!existsSync('/proc/self'))('exits non-zero with one line naming the path', async () => {
    const r = await run(['migrate', '--data-dir', '/proc/nope']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/^rampart: .*'\/proc\/nope'\n$/);
    expectNoStack(r.err);
  }, 10_000);
});

describe('rampart config --env', () => {
  it('lists every variable with its aliases, effective value (masked) and where it came from', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'rampart-dotenv-'));
    writeFileSync(join(cwd, '.env'), 'DB_HOST=db.example\nDB_USER=rampart\nDB_PASSWORD=hunter2\nPORT=9001\nHTTP_TIMEOUT=2\n');
    const r = await run(['config', '--env'], { cwd, env: { API_PORT: '9002' } });
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('hunter2');
    const row = (name: string) => r.out.split('\n').find((l) => l.startsWith(`${name} `))?.split(/\s{2,}/);
    expect(row('RAMPART_PORT')).toEqual(['RAMPART_PORT', 'API_PORT, PORT', 'server.port', '9002', 'env API_PORT']);
    expect(row('DATABASE_URL')).toEqual([
      'DATABASE_URL',
      'DB_HOST+DB_PORT+DB_NAME+DB_USER+DB_PASSWORD',
      'store.databaseUrl',
      'postgres://rampart:***@db.example/',
      '.env DB_HOST+DB_USER+DB_PASSWORD',
    ]);
    expect(row('HTTP_READ_TIMEOUT')).toEqual(['HTTP_READ_TIMEOUT', 'HTTP_TIMEOUT', 'enrich.http.readTimeoutMs', '2000', '.env HTTP_TIMEOUT']);
    expect(row('RAMPART_LOGS')?.at(-1)).toBe('default');
  });
});

describe('bad values stop with one line naming the input', () => {
  it.each([
    [['demo', '--lines', 'abc', '-o', '/nonexistent/x.log'], "option '-n, --lines <n>' argument 'abc' is invalid. expected a whole number from 0 to 1,000,000,000."],
    [['demo', '--lines', '1e3', '-o', '/nonexistent/x.log'], "argument '1e3' is invalid"],
    [['demo', '--seed', '-1', '-o', '/nonexistent/x.log'], "option '--seed <n>' argument '-1' is invalid"],
    [['demo', '--start', 'yesterday', '-o', '/nonexistent/x.log'], "option '--start <time>' argument 'yesterday' is invalid. expected an ISO 8601 time"],
    [['serve', '--port', 'http'], "option '-p, --port <port>' argument 'http' is invalid. expected a whole number from 0 to 65,535."],
    [['serve', '--port', '70000'], "argument '70000' is invalid"],
  ])('%j', async (args, message) => {
    const r = await run(args);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(message);
    expectNoStack(r.err);
  });

  it.each([
    ['redis://:pw@127.0.0.1:1', 'config redis.url: cannot connect to Redis at redis://:***@127.0.0.1:1 (connect ECONNREFUSED 127.0.0.1:1)'],
    ['localhost:6379', 'config redis.url: "localhost:6379": expected a redis:// or rediss:// URL (REDIS_URL)'],
    ['cache', 'config redis.url: "cache" is not a URL: expected redis://host:port (REDIS_URL)'],
  ])('lookup with REDIS_URL=%s', async (url, message) => {
    const r = await run(['lookup', '192.0.2.1'], { env: { REDIS_URL: url } });
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain(message);
    expect(r.err).not.toContain(':pw@');
    expectNoStack(r.err);
  });
});

describe('health and status find the server where serve would listen', () => {
  it('takes the port from PORT in .env (an alias of RAMPART_PORT)', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const cwd = mkdtempSync(join(tmpdir(), 'rampart-health-'));
      writeFileSync(join(cwd, '.env'), `PORT=${port}\n`);
      const r = await run(['health', '--live'], { cwd });
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
    } finally {
      server.close();
    }
  });

  it.each([
    [['status', '--url', 'foo'], '--url: expected http://host:port, got "foo"', {}],
    [['health'], 'RAMPART_URL: expected http://host:port, got "ftp://x"', { RAMPART_URL: 'ftp://x' }],
    [['status'], 'the port setting: expected http://host:port, got "http://127.0.0.1:abc"', { RAMPART_PORT: 'abc' }],
  ])('%j names a bad address', async (args, message, env) => {
    const r = await run(args, { env });
    expect(r.code).toBe(2);
    expect(r.err).toBe(`rampart: ${message}\n`);
  });
});
