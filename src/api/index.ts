export { createApi, coreRoutes, DEFAULT_BODY_LIMIT } from './app.js';
export { ROUTE_SCOPES, type RouteScope } from './route-scope.js';
export { listenApi, listenError, type ListenAt } from './listen.js';
export { isLoopbackBind } from './host-check.js';
export { toHttpError, type ApiErrorBody, type ApiErrorCode } from './errors.js';
export { READINESS_TIMEOUT_MS } from './routes/health.js';
export { STATS_RANGES, type StatsRange } from './routes/stats.js';
export type {
  ApiDeps,
  ApiOptions,
  ApiPlugin,
  PipelineMetrics,
  PipelineStatus,
  ReadinessCheck,
  ReadinessReport,
  RedisHealthApi,
  RedisHealthReport,
  SourceMetrics,
  StageMetrics,
} from './types.js';
export { storeChecks } from './readiness.js';
export { enrichmentRoutes, databasesToJson, type EnrichmentApi, type CollectorStatus } from './routes/enrichment.js';
export { ingestApi, ingestRoutes } from './routes/ingest.js';
export { liveAlertRoutes, type LiveAlertRouteDeps } from './routes/live-alerts.js';
export { notificationRoutes, deadLetterJson, type NotificationRouteDeps } from './routes/notifications.js';
export * from './live/index.js';
export { ApiMetrics, listenMetrics, parseListenAddress, type MetricsListener, type MetricsSources, type RedisHealthCounts } from './metrics/index.js';
export {
  acceptsTicket,
  DEFAULT_RATE_LIMITS,
  keyOf,
  OPEN_ACCESS_FOR_TESTS,
  OPEN_CALLER,
  routeScopes,
  withScope,
  type AccessOptions,
  type RateLimits,
  type RegisteredRoute,
} from './auth/access-control.js';
export { apiKeyJson, generateApiKey, grants, hashApiKey, issueApiKey, maskKey, parseExpiry, parseScopes, KEY_PREFIX, type ApiKeyJson, type KeySpec } from './auth/api-key.js';
export { BOOTSTRAP_CALLER, KeyVerifier, type Caller, type KeyLookup } from './auth/key-verifier.js';
export { MemoryTickets, RedisTickets, TICKET_TTL_MS, type TicketStore } from './auth/tickets.js';
