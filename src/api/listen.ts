/**
 * Listening, with the failures a user causes turned into one line that names the setting: a port
 * already in use, a port that needs privileges, a host that is not an address of this machine.
 */
import type { FastifyInstance } from 'fastify';
import { ConfigError } from '../core/index.js';

export interface ListenAt {
  host: string;
  port: number;
}

/** Listens and returns the port bound (the one asked for, or the one chosen for port 0). */
export async function listenApi(app: Pick<FastifyInstance, 'listen' | 'server'>, at: ListenAt): Promise<number> {
  try {
    await app.listen({ host: at.host, port: at.port });
  } catch (err) {
    throw listenError(err, at) ?? err;
  }
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : at.port;
}

/** The user-facing error for a listen failure, or null when it is not one a setting explains. */
export function listenError(err: unknown, at: ListenAt): ConfigError | null {
  const where = `${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}`;
  switch ((err as NodeJS.ErrnoException | null)?.code) {
    case 'EADDRINUSE':
      return new ConfigError('server.port', `port ${at.port} is already in use on ${at.host} (is another Rampart running?): choose another with --port or RAMPART_PORT`);
    case 'EACCES':
      return new ConfigError('server.port', `not allowed to listen on ${where} (ports below 1024 need privileges): choose a port from 1024 with --port or RAMPART_PORT`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConfigError('server.host', `cannot listen on ${where}: ${JSON.stringify(at.host)} is not an address of this machine (--host or RAMPART_HOST)`);
    default:
      return null;
  }
}
