/**
 * A local HTTP receiver for tests: records every request's headers and exact body, checks the signature when
 * given the secret, and answers what the test scripted, in order (then 200): a status with headers and body,
 * hang (no answer until closed), or close (the socket is destroyed mid-request).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { verifySignature, type Verdict } from '../signature.js';

export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang' | 'close';

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The signature check, when the receiver knows the secret. */
  verified: Verdict | null;
}

export interface HttpReceiver {
  url: string;
  received: Received[];
  /** Answers for the next requests, taken in order; 200 when none is left. */
  answers: Answer[];
  /** Resolves when `n` requests have arrived; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startHttpReceiver(opts: { secret?: string; path?: string } = {}): Promise<HttpReceiver> {
  const received: Received[] = [];
  const answers: Answer[] = [];
  const sockets = new Set<Socket>();
  let waiters: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const one = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h);
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        verified:
          opts.secret === undefined
            ? null
            : verifySignature(opts.secret, { timestamp: one(req.headers['x-rampart-timestamp']), signature: one(req.headers['x-rampart-signature']) }, body, Math.floor(Date.now() / 1000)),
      });
      const w = waiters;
      waiters = [];
      for (const f of w) f();
      const answer = answers.shift() ?? { status: 200 };
      if (answer === 'hang') return;
      if (answer === 'close') {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      res.end(answer.body ?? '');
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}${opts.path ?? '/hook'}`,
    received,
    answers,
    async waitFor(n, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`the receiver got ${received.length} of ${n} requests within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return received.slice(0, n);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
