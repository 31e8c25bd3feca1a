/**
 * The package's bin (bin/rampart.js) on the built CLI: `analyze` of a large input runs in a child Node
 * with a larger young generation (forced here with RAMPART_RESPAWN=1), and the launcher must be
 * invisible: same output, same exit code, signals passed on.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/rampart.js');
const built = existsSync(join(ROOT, 'dist/bundle/cli.cjs'));
if (!built) console.warn('bin tests skipped: dist/ is not built (npm ci builds it)');

function run(args: string[], env: NodeJS.ProcessEnv = {}, onSpawn?: (kill: (s: NodeJS.Signals) => void) => void) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code, signal) => resolve({ code, signal, out, err }));
    onSpawn?.((s) => child.kill(s));
  });
}

describe.skipIf(!built)('bin/rampart.js', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bin-'));
  const log = join(dir, 'access.log');
  writeFileSync(
    log,
    '203.0.113.9 - - [10/Oct/2023:13:55:36 +0000] "GET /item?id=1%27%20union%20select%20password%20from%20users-- HTTP/1.1" 200 12 "-" "sqlmap/1.7"\n' +
      '198.51.100.4 - - [10/Oct/2023:13:55:37 +0000] "GET / HTTP/1.1" 200 512 "-" "Mozilla/5.0"\n',
  );

  it.each([
    ['through the child (RAMPART_RESPAWN=1; by default only for inputs of 16 MiB or more)', { RAMPART_RESPAWN: '1' }],
    ['in process (a small file, by default)', {}],
    ['in process (RAMPART_NO_RESPAWN=1)', { RAMPART_NO_RESPAWN: '1' }],
    ['with its parse thread (RAMPART_PARSE_THREAD=1: the bundled dist/bundle/parse-worker.cjs; by default for 32 MiB or more)', { RAMPART_PARSE_THREAD: '1' }],
    ['through the child with its parse thread', { RAMPART_RESPAWN: '1', RAMPART_PARSE_THREAD: '1' }],
  ])('analyze %s prints the same summary', async (_name, env) => {
    const r = await run(['analyze', log, '--output', 'json', '--no-progress'], env);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out) as { lines: number; threats: number; by_category: Record<string, number> };
    expect(summary.lines).toBe(2);
    expect(summary.threats).toBe(1);
    expect(summary.by_category.sqli).toBe(1);
  }, 30_000);

  it('reads stdin through the parse thread', async () => {
    const child = spawn(process.execPath, [BIN, 'analyze', '-', '--output', 'json', '--no-progress'], { cwd: ROOT, env: { ...process.env, RAMPART_PARSE_THREAD: '1' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stdin.end(readFileSync(log));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ lines: 2, threats: 1 });
  }, 30_000);

  it('names an unreadable input in one line from the parse thread too', async () => {
    const r = await run(['analyze', join(dir, 'missing.log'), '--no-progress'], { RAMPART_PARSE_THREAD: '1' });
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(`rampart: ${join(dir, 'missing.log')}: no such file`);
  }, 30_000);

  it("passes on the child's exit code", async () => {
    const r = await run(['analyze', join(dir, 'missing.log'), '--no-progress'], { RAMPART_RESPAWN: '1' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('missing.log');
  }, 30_000);

  it('passes SIGTERM on to the child and ends by it', async () => {
    // Reading stdin that never ends: only the signal can stop it.
    const r = await run(['analyze', '-', '--no-progress'], {}, (kill) => setTimeout(() => kill('SIGTERM'), 1500));
    expect(r.signal).toBe('SIGTERM');
  }, 30_000);

  describe('the code cache (bin/load-cli.cjs)', () => {
    const cacheFiles = (cache: string) => readdirSync(cache).filter((n) => n.startsWith('cli-code-config-'));

    it('is written by the first run of a command and read, not rewritten, by the next', async () => {
      const cache = mkdtempSync(join(tmpdir(), 'rampart-code-cache-'));
      const first = await run(['config'], { RAMPART_CACHE_DIR: cache });
      expect(first.code).toBe(0);
      const [name] = cacheFiles(cache);
      expect(name).toMatch(/^cli-code-config-[0-9a-f]{16}-[0-9a-f]{16}\.bin$/);
      const before = statSync(join(cache, name!));
      expect(before.mode & 0o077).toBe(0);
      const second = await run(['config'], { RAMPART_CACHE_DIR: cache });
      expect(second.out).toBe(first.out);
      expect(statSync(join(cache, name!)).mtimeMs).toBe(before.mtimeMs);
    }, 30_000);

    it('replaces a damaged cache and still runs the command', async () => {
      const cache = mkdtempSync(join(tmpdir(), 'rampart-code-cache-'));
      const first = await run(['config'], { RAMPART_CACHE_DIR: cache });
      const [name] = cacheFiles(cache);
      writeFileSync(join(cache, name!), Buffer.alloc(4096, 7), { mode: 0o600 });
      const second = await run(['config'], { RAMPART_CACHE_DIR: cache });
      expect(second.code).toBe(0);
      expect(second.out).toBe(first.out);
      expect(readFileSync(join(cache, name!)).equals(Buffer.alloc(4096, 7))).toBe(false);
    }, 30_000);

    it('is not written by a run that fails (a mistyped command leaves no file)', async () => {
      const cache = mkdtempSync(join(tmpdir(), 'rampart-code-cache-'));
      const r = await run(['analyse', log], { RAMPART_CACHE_DIR: cache });
      expect(r.code).not.toBe(0);
      expect(readdirSync(cache).filter((n) => n.startsWith('cli-code-'))).toEqual([]);
    }, 30_000);

    it('neither reads nor writes code in a folder others may write', async () => {
      const cache = mkdtempSync(join(tmpdir(), 'rampart-code-cache-'));
      chmodSync(cache, 0o777);
      const r = await run(['config'], { RAMPART_CACHE_DIR: cache });
      expect(r.code).toBe(0);
      expect(cacheFiles(cache)).toEqual([]);
    }, 30_000);
  });
});
