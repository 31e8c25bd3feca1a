/**
 * GET /metrics: Prometheus text exposition of the process (pipeline, store, enrichment, HTTP, Node.js).
 * Scope `metrics` (an `admin` key may read it too): a scraper gets a key that can read nothing else. The
 * same registry can also answer on a private address without a key (server.metricsListen, listener.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { ApiMetrics } from '../metrics/index.js';

export function metricsRoutes(app: FastifyInstance, metrics: ApiMetrics): void {
  app.get(
    '/metrics',
    {
      config: { scope: 'metrics' },
      schema: {
        tags: ['metrics'],
        summary: 'Prometheus metrics (text exposition format 0.0.4); names in docs/api.md',
        produces: ['text/plain'],
        response: { 200: { type: 'string', description: 'Prometheus text format.' } },
      },
    },
    async (_request, reply) => {
      const text = await metrics.render();
      return reply.type(metrics.contentType).header('cache-control', 'no-store').send(text);
    },
  );
}
