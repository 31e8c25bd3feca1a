/**
 * Times every answered request for the Prometheus registry. The route label is the matched pattern
 * (`/api/threats/:id`), never the raw URL, so a scan of random paths adds one `unmatched` series, not one
 * per path; methods are the few Node's parser accepts. One Map lookup, one increment and one histogram
 * observation per request (docs/benchmarks.md, "Metrics (issue #12)").
 */
import type { FastifyInstance } from 'fastify';
import type { ApiMetrics } from './registry.js';

export const UNMATCHED_ROUTE = 'unmatched';

export function installHttpMetrics(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeHttp(request.method, request.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
