/**
 * What a caller must hold to reach a route. Every route declares it in its options
 * (`config: { scope: 'read' }`), so access control reads it from the matched route instead of keeping a
 * second list of paths that drifts from the routes.
 *
 * - `public`: no key (liveness, readiness, the API documentation).
 * - `read`: the evidence and the analytics.
 * - `ingest`: events from other sensors.
 * - `metrics`: Prometheus metrics (also allowed to `admin`).
 * - `admin`: analyst verdicts, allowlist edits, decisions, key administration.
 * - `bouncer`: the CrowdSec bouncer API (/v1): no API key; the route checks its own bouncer key (X-Api-Key).
 */
export const ROUTE_SCOPES = ['public', 'read', 'ingest', 'metrics', 'admin', 'bouncer'] as const;
export type RouteScope = (typeof ROUTE_SCOPES)[number];

declare module 'fastify' {
  interface FastifyContextConfig {
    scope?: RouteScope;
  }
}
