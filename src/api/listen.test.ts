import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/index.js';
import { listenApi, listenError } from './listen.js';
import { holdBusyPort } from './testing/busy-port.js';

describe('listenApi', () => {
  const busy = holdBusyPort();

  it('names the port when it is already in use', async () => {
    const port = busy.port;
    const app = Fastify();
    const failed = listenApi(app, { host: '127.0.0.1', port });
    await expect(failed).rejects.toThrow(ConfigError);
    await expect(listenApi(Fastify(), { host: '127.0.0.1', port })).rejects.toThrow(
      `config server.port: port ${port} is already in use on 127.0.0.1 (is another Rampart running?): choose another with --port or RAMPART_PORT`,
    );
    await app.close();
  });

  it('returns the port chosen for port 0', async () => {
    const app = Fastify();
    const got = await listenApi(app, { host: '127.0.0.1', port: 0 });
    expect(got).toBeGreaterThan(0);
    await app.close();
  });
});

describe('listenError', () => {
  const at = { host: '::1', port: 80 };
  it.each([
    ['EADDRINUSE', /server\.port: port 80 is already in use on ::1/],
    ['EACCES', /server\.port: not allowed to listen on \[::1\]:80/],
    ['EADDRNOTAVAIL', /server\.host: cannot listen on \[::1\]:80: "::1" is not an address of this machine/],
  ])('%s → %s', (code, message) => {
    expect(listenError(Object.assign(new Error('x'), { code }), at)?.message).toMatch(message);
  });

  it('leaves other errors alone', () => {
    expect(listenError(new Error('boom'), at)).toBeNull();
  });
});
