/**
 * createApi: the HTTP read side as a Fastify instance, not yet listening (the CLI calls listen/close).
 * Route groups each run in their own scope and get only the repositories they read (coreRoutes); later
 * features pass theirs in `extraRoutes`.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { CLOSED_ACCESS, installAccessControl } from './auth/access-control.js';
import { installErrorHandling, toHttpError, type ApiErrorBody } from './errors.js';
import { hostAllowed, hostPolicy } from './host-check.js';
import { registerOpenApiDocs, registerOpenApiSpec } from './openapi.js';
import { compileRequestSchema } from './request-schema.js';
import { RouteTable } from './route-table.js';
import './route-scope.js';
import { behaviourRoutes } from './routes/behaviour.js';
import { bouncerApiRoutes } from './routes/bouncer-lapi.js';
import { decisionRoutes } from './routes/decisions.js';
import { healthRoutes } from './routes/health.js';
import { ApiMetrics, installHttpMetrics } from './metrics/index.js';
import { metricsRoutes } from './routes/metrics.js';
import { redisHealthRoutes } from './routes/redis-health.js';
import { ipRoutes } from './routes/ips.js';
import { keyRoutes } from './routes/keys.js';
import { pipelineMetricsRoutes } from './routes/pipeline-metrics.js';
import { ruleHitRoutes } from './routes/rule-hits.js';
import { scoreRoutes } from './routes/scores.js';
import { analyticsCacheFor, socRoutes } from './routes/soc.js';
import { statsRoutes } from './routes/stats.js';
import { threatRoutes } from './routes/threats.js';
import { SHARED_SCHEMAS } from './schemas.js';
import { generateRequestId, installRequestLogging, installSecurityHeaders } from './security.js';
import type { ApiDeps, ApiOptions } from './types.js';

type ValidatorFactory = NonNullable<
  NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']
>;
// Fastify types the factory as ajv-compiler's; any factory returning a schema compiler is accepted.
const zodValidatorFactory = (() => compileRequestSchema) as unknown as ValidatorFactory;

/** The read API takes no large bodies; the ingest routes set their own limits (routes/ingest-schema.ts). */
export const DEFAULT_BODY_LIMIT = 16 * 1024;

type RouteGroup = (app: FastifyInstance) => void | Promise<void>;

/** The core route groups, each handed the repositories it uses and nothing else of the store. */
export function coreRoutes(deps: ApiDeps, cache = analyticsCacheFor(deps)): RouteGroup[] {
  const { store, clock } = deps;
  const { behaviour } = store;
  return [
    (app) => healthRoutes(app, deps),
    (app) => redisHealthRoutes(app, deps),
    (app) => threatRoutes(app, { threats: store.threats, clock }),
    (app) => statsRoutes(app, { rollups: store.rollups, clock, cache }),
    (app) => pipelineMetricsRoutes(app, deps),
    (app) => ipRoutes(app, { windows: store.windows, store, clock }),
    (app) => scoreRoutes(app, { windows: store.windows, clock }),
    (app) => keyRoutes(app, { apiKeys: store.apiKeys, clock }),
    (app) => ruleHitRoutes(app, { rollups: store.rollups, clock, ruleIds: deps.ruleIds, notApplicable: deps.notApplicable, allowlist: deps.allowlist }),
    ...socRoutes(deps, cache),
    ...decisionRouteGroups(deps, cache),
    ...(behaviour ? [(app: FastifyInstance) => behaviourRoutes(app, { behaviour, clock })] : []),
  ];
}

/** Decisions (/api/decisions, seed shapes) and the CrowdSec bouncer API (/v1), sharing the bouncer key cache. */
function decisionRouteGroups(deps: ApiDeps, cache: ReturnType<typeof analyticsCacheFor>): RouteGroup[] {
  const { decisions, analytics } = deps.store;
  let keys: { clear(): void } | undefined;
  return [
    (app) => decisionRoutes(app, { store: { decisions, analytics }, cache, ...(deps.clock ? { clock: deps.clock } : {}), onBouncersChanged: () => keys?.clear() }),
    (app) => {
      keys = bouncerApiRoutes(app, { decisions, ...(deps.clock ? { clock: deps.clock } : {}) });
    },
  ];
}

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
    // Request schemas are zod (request-schema.ts): one schema gives the type, the bounds and the docs. A
    // compiler factory rather than setValidatorCompiler, so scopes that add their own schemas keep it.
    schemaController: { compilersFactory: { buildValidator: zodValidatorFactory } },
    // Malformed URLs and the like go through the same JSON mapping as every other error.
    frameworkErrors: (err, request, reply) => {
      const { status, body } = toHttpError(err, request);
      void (reply as FastifyReply).code(status).send(body);
    },
  });

  const routes = new RouteTable();
  routes.attach(app);
  installHostCheck(app, options);
  // Before any route: it records every route and refuses to start when one declares no scope.
  installAccessControl(app, deps.access ?? CLOSED_ACCESS);
  installStaticRoutePreference(app, routes);
  installErrorHandling(app, routes);
  installSecurityHeaders(app);
  installRequestLogging(app);
  // The runtime passes its own (every source, process metrics); this fallback serves tests and embedders
  // without starting an event-loop monitor per app.
  const metrics = deps.metrics ?? new ApiMetrics({ pipeline: deps.pipeline, processMetrics: false });
  if (options.httpMetrics !== false) installHttpMetrics(app, metrics);
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);

  registerOpenApiSpec(app, deps.version);
  const analyticsCache = analyticsCacheFor(deps);
  app.decorate('analyticsCache', analyticsCache);
  const extra = (deps.extraRoutes ?? []).map((plugin): RouteGroup => (scope) => plugin(scope, deps));
  for (const group of [...coreRoutes(deps, analyticsCache), (scope: FastifyInstance) => metricsRoutes(scope, metrics), ...extra]) {
    app.register(async (scope) => {
      await group(scope);
    });
  }
  registerOpenApiDocs(app);
  return app;
}

/** Refuses Host names not allowed (host-check.ts) before anything else runs, 404 handler included. */
function installHostCheck(app: FastifyInstance, options: ApiOptions): void {
  const policy = hostPolicy(options.bindHost ?? '127.0.0.1', options.allowedHosts);
  if (policy.any) return;
  app.addHook('onRequest', async (request, reply) => {
    const host = request.headers.host;
    if (hostAllowed(policy, host)) return;
    const shown = JSON.stringify((host ?? '').slice(0, 100));
    const body: ApiErrorBody = {
      error: 'forbidden',
      message:
        `host ${shown} is not allowed: the API answers only loopback names, IP addresses and the names in ` +
        'server.allowedHosts (against DNS rebinding: a browser page must not reach it under a name it controls)',
    };
    return reply.code(403).send(body);
  });
}

/** A path that is a static route for other methods is 405 there, not a value of a parametric route's segment. */
function installStaticRoutePreference(app: FastifyInstance, routes: RouteTable): void {
  app.addHook('onRequest', async (request, reply) => {
    const pattern = request.routeOptions.url;
    if (pattern === undefined || !pattern.includes(':')) return;
    const path = request.url.split('?')[0] ?? '/';
    const allowed = routes.staticMethods(path);
    if (allowed.length === 0 || allowed.includes(request.method)) return;
    const body: ApiErrorBody = {
      error: 'method_not_allowed',
      message: `method ${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
    };
    return reply.code(405).header('allow', allowed.join(', ')).send(body);
  });
}

/** Fastify's types omit the hop count that proxy-addr accepts; a function says the same thing. */
function trustProxySetting(
  v: ApiOptions['trustProxy'],
): boolean | string | string[] | ((a: string, hop: number) => boolean) {
  if (typeof v === 'number') return (_address, hop) => hop < v;
  return v ?? false;
}
