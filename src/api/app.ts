/**
 * createApi: the HTTP read side as a Fastify instance, not yet listening (the CLI calls listen/close).
 * Route groups are ApiPlugins, each in its own scope; later features pass theirs in `extraRoutes`.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify';
import { installErrorHandling, toHttpError } from './errors.js';
import { registerOpenApiDocs, registerOpenApiSpec } from './openapi.js';
import { RouteTable } from './route-table.js';
import { healthRoutes } from './routes/health.js';
import { ipRoutes } from './routes/ips.js';
import { pipelineMetricsRoutes } from './routes/pipeline-metrics.js';
import { ruleHitRoutes } from './routes/rule-hits.js';
import { scoreRoutes } from './routes/scores.js';
import { statsRoutes } from './routes/stats.js';
import { threatRoutes } from './routes/threats.js';
import { SHARED_SCHEMAS } from './schemas.js';
import { generateRequestId, installRequestLogging, installSecurityHeaders } from './security.js';
import type { ApiDeps, ApiOptions, ApiPlugin } from './types.js';

/** The read API takes no large bodies; the ingest API, when it lands, raises this for its own routes. */
export const DEFAULT_BODY_LIMIT = 16 * 1024;

export const CORE_ROUTES: readonly ApiPlugin[] = [
  healthRoutes,
  threatRoutes,
  statsRoutes,
  pipelineMetricsRoutes,
  ipRoutes,
  scoreRoutes,
  ruleHitRoutes,
];

export function createApi(deps: ApiDeps): FastifyInstance {
  const options = deps.options ?? {};
  const app = Fastify({
    loggerInstance: deps.logger,
    // Fastify's own request lines would log the full URL, query string included; security.ts logs instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    trustProxy: trustProxySetting(options.trustProxy),
    // Threat ids are up to 128 characters and looked-up indicators (URLs) up to 2 KiB; Fastify's default
    // (100) would turn longer ones into a bare 404. Each route's schema bounds its own parameters.
    routerOptions: { maxParamLength: 2100 },
    genReqId: generateRequestId,
    // Unknown query parameters are errors, not silently dropped: `severty=high` must not list everything.
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
    // Malformed URLs and the like go through the same JSON mapping as every other error.
    frameworkErrors: (err, request, reply) => {
      const { status, body } = toHttpError(err, request);
      void (reply as FastifyReply).code(status).send(body);
    },
  });

  const routes = new RouteTable();
  routes.attach(app);
  installErrorHandling(app, routes);
  installSecurityHeaders(app);
  installRequestLogging(app);
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);

  registerOpenApiSpec(app, deps.version);
  for (const plugin of [...CORE_ROUTES, ...(deps.extraRoutes ?? [])]) {
    app.register(async (scope) => {
      await plugin(scope, deps);
    });
  }
  registerOpenApiDocs(app);
  return app;
}

/** Fastify's types omit the hop count that proxy-addr accepts; a function says the same thing. */
function trustProxySetting(
  v: ApiOptions['trustProxy'],
): boolean | string | string[] | ((a: string, hop: number) => boolean) {
  if (typeof v === 'number') return (_address, hop) => hop < v;
  return v ?? false;
}
