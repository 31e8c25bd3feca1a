/**
 * The optional second address for a Prometheus scraper on a private network (`server.metricsListen`):
 * a bare HTTP server that answers GET /metrics from the same registry as the API port and nothing else.
 * It asks for no key, so it belongs on a loopback or private address only; the API port's /metrics keeps
 * requiring the `metrics` (or `admin`) scope.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ConfigError } from '../../core/index.js';
import type { ApiErrorBody } from '../errors.js';
import { hostAllowed, hostPolicy, type HostPolicy } from '../host-check.js';
import type { ApiMetrics } from './registry.js';

export interface MetricsListener {
  port: number;
  close(): Promise<void>;
}

/** `host:port`, `[v6]:port` or `:port` (all interfaces is spelled out: `0.0.0.0:9464`). */
export function parseListenAddress(value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(value.trim());
  const port = Number(m?.[3]);
  if (!m || !Number.isInteger(port) || port > 65535) {
    throw new ConfigError('server.metricsListen', `${JSON.stringify(value.slice(0, 100))} is not host:port (e.g. 127.0.0.1:9464 or [::1]:9464)`);
  }
  return { host: (m[1] ?? m[2])!, port };
}

export interface ListenMetricsOptions {
  /** Host names accepted besides loopback names and IP addresses (`server.allowedHosts`), as on the API port. */
  allowedHosts?: readonly string[];
  onError?: (err: unknown) => void;
}

export async function listenMetrics(metrics: ApiMetrics, at: { host: string; port: number }, opts: ListenMetricsOptions = {}): Promise<MetricsListener> {
  // The same Host check as the API port: a keyless address on loopback must not be readable through DNS rebinding.
  const policy = hostPolicy(at.host, opts.allowedHosts);
  const server = createServer((req, res) => void answer(metrics, policy, req, res, opts.onError));
  // The scraper keeps its connection; a stop must not wait for it.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}`;
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL'
          ? new ConfigError('server.metricsListen', `cannot listen on ${where} for metrics (${err.code}): choose another address or unset it`)
          : err,
      );
    });
    server.listen(at.port, at.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : at.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(metrics: ApiMetrics, policy: HostPolicy, req: IncomingMessage, res: ServerResponse, onError?: (err: unknown) => void): Promise<void> {
  if (!hostAllowed(policy, req.headers.host)) {
    return json(res, 403, { error: 'forbidden', message: `host ${JSON.stringify((req.headers.host ?? '').slice(0, 100))} is not allowed on the metrics address (server.allowedHosts)` });
  }
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/metrics') return json(res, 404, { error: 'not_found', message: 'this address serves GET /metrics only' });
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return json(res, 405, { error: 'method_not_allowed', message: `method ${req.method} is not allowed on /metrics; allowed: GET, HEAD` });
  }
  try {
    const text = await metrics.render();
    res.writeHead(200, { 'content-type': metrics.contentType, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : text);
  } catch (err) {
    onError?.(err);
    json(res, 500, { error: 'internal_error', message: 'collecting metrics failed (see the server log)' });
  }
}

function json(res: ServerResponse, status: number, body: ApiErrorBody): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-content-type-options': 'nosniff' });
  res.end(JSON.stringify(body));
}
