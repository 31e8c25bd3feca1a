/**
 * GET /health/redis: is the Redis this process uses reachable now (one PING, timed), since when, and what
 * degrades without it. 200 when reachable or not configured, 503 when unreachable: Rampart keeps
 * answering meanwhile (what used Redis runs in this process), so /ready stays ready and says "degraded".
 * Scope `read`, unlike /health and /ready: it names infrastructure (what uses Redis, why it failed).
 */
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../errors.js';
import type { ApiDeps, RedisHealthReport } from '../types.js';

const reportSchema = {
  type: 'object',
  properties: {
    configured: { type: 'boolean', description: 'False when no Redis is configured (REDIS_URL unset): nothing else is reported.' },
    reachable: { type: 'boolean' },
    latency_ms: { type: ['number', 'null'], description: "This check's PING round trip; null when it did not answer." },
    since: { type: ['string', 'null'], format: 'date-time', description: 'When the current state (reachable or not) began.' },
    last_error: { type: ['string', 'null'], description: 'Why the last check failed (no address); null while reachable.' },
    used_by: { type: 'array', items: { type: 'string' }, description: 'What degrades to in-process behaviour while Redis is unreachable.' },
    outages: { type: 'integer', minimum: 0, description: 'Unreachable periods since start.' },
  },
  required: ['configured', 'reachable', 'latency_ms', 'since', 'last_error', 'used_by', 'outages'],
} as const;

const NOT_CONFIGURED: RedisHealthReport = { configured: false, reachable: false, latency_ms: null, since: null, last_error: null, used_by: [], outages: 0 };

export function redisHealthRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'redis'>): void {
  app.get(
    '/health/redis',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['health'],
        summary: 'Redis: reachable, PING latency, what uses it (503 while unreachable)',
        response: { 200: reportSchema, 503: reportSchema, ...errorResponses },
      },
    },
    async (_request, reply) => {
      if (!deps.redis) return NOT_CONFIGURED;
      const report = await deps.redis.check();
      return reply.code(report.reachable ? 200 : 503).send(report);
    },
  );
}
