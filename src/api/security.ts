/**
 * Request ids, defensive response headers and request logging. Log lines carry the path only: query
 * strings may hold tokens (`?api_key=`), so they never reach the log.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** A caller-supplied id is kept only when it is short and plain, so it can be logged and echoed safely. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function generateRequestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
}

/** Prefixes whose pages need scripts and styles (Swagger UI sets its own CSP there). */
const HTML_PREFIXES = ['/docs'];

const JSON_CSP = "default-src 'none'; frame-ancestors 'none'";

export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-resource-policy', 'same-origin');
    const path = request.url.split('?')[0] ?? '';
    if (!HTML_PREFIXES.some((p) => path === p || path.startsWith(p + '/'))) {
      reply.header('content-security-policy', JSON_CSP);
      // Threat data is sensitive and changes every second: no shared or stale copies.
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    } else if (!reply.hasHeader('content-security-policy')) {
      // A docs path Swagger UI did not answer (a 404, a refusal): JSON, so the strictest policy.
      reply.header('content-security-policy', JSON_CSP);
    }
    return payload;
  });
}

export function installRequestLogging(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        path: (request.url.split('?')[0] ?? '').slice(0, 1024),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ip: request.ip,
      },
      'request',
    );
  });
}
