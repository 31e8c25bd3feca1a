/**
 * Runs `rampart serve` as a real child process (through tsx, on the sources) for end-to-end tests:
 * start, wait until ready, query the API, stop gracefully or with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServeProcess {
  child: ChildProcess;
  baseUrl: string;
  /** The admin key the process was given (RAMPART_API_KEY); `get` sends it. */
  apiKey: string;
  stderr: () => string;
  /** What it logged to stdout (pino's JSON lines). */
  stdout: () => string;
  get(path: string): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServe(args: string[], env: NodeJS.ProcessEnv = {}, readyTimeoutMs = 90_000): Promise<ServeProcess> {
  const apiKey = env.RAMPART_API_KEY ?? `rk_e2e_${randomBytes(16).toString('hex')}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'serve', '--port', '0', ...args], {
    cwd: ROOT,
    // Tests poll every 50 ms: the default per-key limit (20/s) is not what they test.
    env: { ...process.env, LOG_LEVEL: 'warn', RAMPART_API_KEY: apiKey, RAMPART_RATE_LIMIT_PER_KEY: '1000000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    // Bounded: a long test must not keep every log line.
    out = out.length > 1 << 20 ? out.slice(-(1 << 19)) + d : out + d;
  });
  let err = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`serve did not start within ${readyTimeoutMs} ms:\n${err}`)), readyTimeoutMs);
    const check = () => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(err);
      if (m) {
        clearTimeout(deadline);
        resolve(m[1]!);
      }
    };
    child.stderr!.on('data', check);
    void exited.then((code) => {
      clearTimeout(deadline);
      reject(new Error(`serve exited with ${code} before listening:\n${err}`));
    });
  });
  const get = async (path: string) => {
    const res = await fetch(baseUrl + path, { headers: { 'x-api-key': apiKey } });
    return { status: res.status, body: await res.json() };
  };
  return {
    child,
    baseUrl,
    apiKey,
    stderr: () => err,
    stdout: () => out,
    get,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
