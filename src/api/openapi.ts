/**
 * OpenAPI 3.1 from the routes' own schemas (@fastify/swagger), served at /openapi.json, with Swagger UI
 * at /docs. The spec plugin must be registered before any route: it collects them as they are added.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { withScope } from './auth/access-control.js';
import { requestSchemaToOpenApi } from './request-schema.js';

export function registerOpenApiSpec(app: FastifyInstance, version: string): void {
  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Rampart API',
        version,
        description:
          'Threats detected in web server logs, aggregate statistics, pipeline counters and health. ' +
          'Errors are JSON: {"error": "<code>", "message": "<what was wrong>"}. ' +
          'Every route but /health, /ready and the documentation needs an API key (Authorization: Bearer <key> or X-Api-Key) ' +
          'with the scope the route names (read, ingest, metrics, admin).',
      },
      tags: [
        { name: 'health', description: 'Liveness and readiness' },
        { name: 'threats', description: 'Stored threats and their detections' },
        { name: 'stats', description: 'Aggregates from per-minute rollups' },
        { name: 'metrics', description: 'Pipeline counters' },
        { name: 'access', description: 'Tickets for WebSocket and event-stream clients (access control: README, docs/api.md)' },
        { name: 'enrichment', description: 'Indicator lookups (GeoIP/ASN, AbuseIPDB, VirusTotal, OTX) and enrichment status' },
        { name: 'alerts', description: 'Live alerts as they are stored: WebSocket (/ws/alerts) and Server-Sent Events' },
        { name: 'notifications', description: 'Webhook, Slack and e-mail notifications: what failed after the last attempt (docs/notifications.md)' },
      ],
    },
    // Request schemas are zod; the document shows their JSON Schema (what a client sends).
    transform: requestSchemaToOpenApi,
    // Shared schemas become components named by their $id (Threat, Detection, ApiError), not def-0…
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  });
}

export function registerOpenApiDocs(app: FastifyInstance): void {
  app.get('/openapi.json', { schema: { hide: true }, config: { scope: 'public' } }, async () => app.swagger());
  // The documentation is public: it describes the API, it holds no data.
  app.register(withScope('public', async (docs) => {
    await docs.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  }));
}
