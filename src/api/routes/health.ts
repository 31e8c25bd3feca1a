/**
 * GET /health (liveness: the process answers) and GET /ready (readiness: store reachable, migrations
 * applied, sources running). Orchestrators restart on the first and stop routing on the second, so
 * /health never touches the store.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps, ReadinessReport } from '../types.js';

/** A readiness probe that hangs is a failed probe; load balancers time out around a few seconds. */
export const READINESS_TIMEOUT_MS = 2_000;

const checksSchema = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: { ok: { type: 'boolean' }, detail: { type: 'string' } },
    required: ['ok'],
  },
} as const;

const readySchema = {
  type: 'object',
  properties: {
    ready: { type: 'boolean' },
    checks: checksSchema,
    reasons: { type: 'array', items: { type: 'string' }, description: 'One line per failed check.' },
  },
  required: ['ready', 'checks'],
} as const;

async function runReadiness(readiness: () => Promise<ReadinessReport>): Promise<ReadinessReport> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ReadinessReport>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          checks: { readiness: { ok: false, detail: `no answer within ${READINESS_TIMEOUT_MS} ms` } },
        }),
      READINESS_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([readiness(), timeout]);
  } catch (err) {
    return { checks: { readiness: { ok: false, detail: err instanceof Error ? err.message : String(err) } } };
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'readiness' | 'version'>): void {
  app.get(
    '/health',
    {
      config: { scope: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process is up',
        response: {
          200: {
            type: 'object',
            properties: {
              status: { type: 'string', enum: ['ok'] },
              version: { type: 'string' },
              uptime_s: { type: 'number' },
            },
            required: ['status', 'version', 'uptime_s'],
          },
        },
      },
    },
    async () => ({
      status: 'ok' as const,
      version: deps.version,
      uptime_s: Math.floor(process.uptime()),
    }),
  );

  app.get(
    '/ready',
    {
      config: { scope: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Readiness: store reachable, migrations applied, sources running',
        response: { 200: readySchema, 503: readySchema },
      },
    },
    async (request, reply) => {
      const report = await runReadiness(deps.readiness);
      const failed = Object.entries(report.checks).filter(([, c]) => !c.ok);
      if (failed.length === 0) return { ready: true, checks: report.checks };
      const reasons = failed.map(([name, c]) => (c.detail ? `${name}: ${c.detail}` : `${name} failed`));
      request.log.warn({ reasons }, 'not ready');
      return reply.code(503).send({ ready: false, checks: report.checks, reasons });
    },
  );
}
