/**
 * `rampart decisions` and `rampart bouncers` as a user meets them without a server, or with a wrong one: one
 * line naming the problem, exit code 1 or 2, never a stack trace.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-in-process.js';

let server: Server;
let base = '';
beforeAll(async () => {
  // A server that refuses every key, as Rampart does for a wrong one.
  server = createServer((_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'unauthorized', message: 'the API key is not valid' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('decisions and bouncers CLI', () => {
  it.each([
    [['decisions', 'list', '--url', 'http://127.0.0.1:1'], /cannot reach http:\/\/127\.0\.0\.1:1: .*is rampart serve running/],
    [['bouncers', 'list', '--url', 'http://127.0.0.1:1'], /cannot reach/],
    [['decisions', 'add', '--url', 'http://127.0.0.1:1'], /give exactly one of --ip and --range/],
    [['decisions', 'delete', '--url', 'http://127.0.0.1:1'], /give at least one of --ip, --range, --scenario, --origin, --id/],
    [['decisions', 'list', '--url', 'ftp://x'], /--url: expected http:\/\/host:port/],
  ])('%j', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('says what the server answered, with a hint, when it refuses', async () => {
    const r = await runCli(['decisions', 'add', '--ip', '192.0.2.1', '--url', base, '--api-key', 'rk_wrong']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/answered 401: the API key is not valid \(give a key: --api-key or RAMPART_API_KEY\)/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});
