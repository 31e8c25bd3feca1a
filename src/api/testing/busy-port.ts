import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

/**
 * Holds a port on 127.0.0.1 for the enclosing describe block, so a test can listen on a port that is
 * already in use (EADDRINUSE). Read `port` inside a test, not while the block is being declared.
 */
export function holdBusyPort(): { readonly port: number } {
  let busy: Server;
  let port = 0;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    port = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));
  return {
    get port() {
      return port;
    },
  };
}
