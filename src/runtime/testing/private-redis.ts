/**
 * A Redis of the test's own, on a free port, that the test may stop and start again (the shared Redis on
 * 6379 is never touched). No persistence: a restart comes back empty, as a Redis restarted without its
 * data would. `null` when redis-server is not installed (the test skips, visibly; CI requires it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';

export interface PrivateRedis {
  port: number;
  url: string;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port; resolves once it accepts connections. Returns when that was (performance.now()). */
  start(): Promise<number>;
  /** SIGSTOP: connections stay open and nothing answers (a hung Redis, or a network that drops packets). */
  pause(): void;
  /** SIGCONT after pause. */
  resume(): void;
}

export async function startPrivateRedis(): Promise<PrivateRedis | null> {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    if (process.env.RAMPART_REQUIRE_SERVICES === '1') throw new Error('RAMPART_REQUIRE_SERVICES=1 but redis-server is not installed');
    console.warn('SKIP private Redis: redis-server is not installed');
    return null;
  }
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async (): Promise<number> => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    return waitForPort(port, 10_000);
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGCONT'); // a paused server would hold the SIGTERM
        c.kill('SIGTERM');
      });
      child = null;
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

async function waitForPort(port: number, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => (s.end(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return performance.now();
    if (performance.now() > deadline) throw new Error(`private redis-server did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
