/**
 * A TCP forwarder on a port of its own that can be closed and opened: closed, connections are refused (a
 * database that is down); open, they reach the target. Lets a test take "the database" away from one process
 * without touching the shared server.
 */
import net from 'node:net';

export interface TcpGate {
  port: number;
  open(): Promise<void>;
  /** Stops listening and cuts every forwarded connection. */
  close(): Promise<void>;
}

export async function tcpGate(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpGate> {
  const port = await freePort();
  let server: net.Server | null = null;
  const sockets = new Set<net.Socket>();
  return {
    port,
    open: () =>
      new Promise((resolve, reject) => {
        if (server) return resolve();
        const s = net.createServer((client) => {
          const upstream = net.connect(targetPort, targetHost);
          for (const sock of [client, upstream]) {
            sockets.add(sock);
            sock.on('close', () => sockets.delete(sock));
            sock.on('error', () => {
              client.destroy();
              upstream.destroy();
            });
          }
          client.pipe(upstream).pipe(client);
        });
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => {
          server = s;
          resolve();
        });
      }),
    close: () =>
      new Promise((resolve) => {
        const s = server;
        server = null;
        for (const sock of sockets) sock.destroy();
        if (!s) return resolve();
        s.close(() => resolve());
      }),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
