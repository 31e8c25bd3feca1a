/**
 * API contracts: what the HTTP read side needs from the rest of the process.
 *
 * Obligations of the caller (the CLI `serve` command):
 * - `store` is open and migrated before the first request; the API never migrates or closes it.
 * - `pipeline.snapshot()` is cheap and synchronous (it copies counters, it does no I/O): it runs on every
 *   GET /api/metrics/pipeline.
 * - `readiness()` may do I/O but must settle; the API gives it READINESS_TIMEOUT_MS and reports "not ready"
 *   when it throws or takes longer.
 * - The API does not listen: the caller calls `app.listen()` and `app.close()`.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Store } from '../store/index.js';
import type { AllowEntryStats } from '../detect/index.js';
import type { RedisLike } from './cache/index.js';
import type { ApiMetrics } from './metrics/index.js';
import type { AccessOptions } from './auth/access-control.js';

/**
 * The counters GET /api/metrics/pipeline returns verbatim (`rampart status` reads these names). They are
 * defined once, beside the code that keeps them.
 */
export type {
  SourceMetrics,
  StageCounters as StageMetrics,
  PipelineSnapshot as PipelineMetrics,
} from '../pipeline/index.js';
import type { PipelineSnapshot as PipelineMetrics } from '../pipeline/index.js';

/** Implemented by src/pipeline (its PipelineMetrics class satisfies this). */
export interface PipelineStatus {
  /** A consistent copy of the counters; must not do I/O (it runs on every metrics request). */
  snapshot(): PipelineMetrics;
}

export interface ReadinessCheck {
  ok: boolean;
  /** Why it failed (or a short note when ok), e.g. "2 migrations pending". */
  detail?: string;
}

/** Checks by name, e.g. `store`, `migrations`, `sources`. Ready means every check is ok. */
export interface ReadinessReport {
  checks: Record<string, ReadinessCheck>;
}

/**
 * A route group. Core routes and later additions (lookup, decisions, websocket) share this shape; each is
 * registered in its own encapsulated Fastify scope, so hooks and decorators it adds stay local.
 */
export type ApiPlugin = (app: FastifyInstance, deps: ApiDeps) => void | Promise<void>;

export interface ApiOptions {
  /** Largest accepted request body in bytes; larger bodies get 413. Default 16 KiB. */
  bodyLimit?: number;
  /**
   * Fastify's trustProxy: false (default, the TCP peer is the client), true, a hop count, or the proxy
   * addresses/CIDRs whose X-Forwarded-For is believed.
   */
  trustProxy?: boolean | number | string | string[];
  /** The address the server listens on (default 127.0.0.1); decides the Host check's default (host-check.ts). */
  bindHost?: string;
  /** Host names accepted besides loopback names and IP literals (`server.allowedHosts`); `*` accepts any. */
  allowedHosts?: readonly string[];
  /** Times every request for GET /metrics (default true; false only to measure what the hook costs). */
  httpMetrics?: boolean;
}

/** The repositories the read API reads; app.ts hands each route group only the ones it uses. */
export type ApiRepositories = Pick<Store, 'threats' | 'windows' | 'rollups' | 'analytics' | 'detections' | 'traffic' | 'verdicts' | 'apiKeys' | 'decisions'> &
  Partial<Pick<Store, 'behaviour'>>;

export interface ApiDeps {
  store: ApiRepositories;
  pipeline: PipelineStatus;
  readiness: () => Promise<ReadinessReport>;
  logger: FastifyBaseLogger;
  version: string;
  /** Route groups added by later features, registered after the core routes. */
  extraRoutes?: readonly ApiPlugin[];
  options?: ApiOptions;
  /**
   * Ids of the rules and behaviour scenarios loaded now (read per request, so a reload shows at once).
   * GET /api/rules/silent is served only when given.
   */
  ruleIds?: () => string[];
  /**
   * Of the loaded ids, those the configured log format cannot feed (a JA4 scenario on a log without JA4), with the
   * reason: GET /api/rules/silent lists them as not applicable instead of silent.
   */
  notApplicable?: () => { id: string; reason: string }[];
  /**
   * Allowlist entries with what each has suppressed since start (read per request; counters survive a
   * reload). GET /api/rules/allowlist is served only when given.
   */
  allowlist?: () => AllowEntryStats[];
  /** Wall clock, epoch ms; tests pass a fixed one. */
  clock?: () => number;
  /** A Redis client (ioredis) for the analytics cache, shared by API nodes; absent, the cache is in process. */
  cacheRedis?: RedisLike;
  /** How long an analytics aggregate is kept (default 10 s); new threats invalidate it sooner. */
  analyticsCacheTtlMs?: number;
  /**
   * The Prometheus registry behind GET /metrics: the runtime builds it over every source it runs (and may
   * serve it on a second address too). Default: one over `pipeline` alone.
   */
  metrics?: ApiMetrics;
  /** Redis as the process uses it (GET /health/redis); absent when no Redis is configured. */
  redis?: RedisHealthApi;
  /**
   * Who may call (src/api/auth): keys and scopes, rate limits, CORS. Without it only public routes answer
   * (fail closed); the runtime always passes it, route tests pass OPEN_ACCESS_FOR_TESTS (testing/fixtures.ts).
   */
  access?: AccessOptions;
}

/** GET /health/redis: one PING timed now, with what the process uses Redis for. */
export interface RedisHealthReport {
  configured: boolean;
  reachable: boolean;
  /** This check's PING round trip; null when it did not answer. */
  latency_ms: number | null;
  /** When the current state (reachable or not) began, ISO 8601; null before the first check. */
  since: string | null;
  /** Why the last failed check failed (a short reason, never the address); null while reachable. */
  last_error: string | null;
  /** What degrades while it is unreachable, e.g. "enrichment cache, quotas and breakers". */
  used_by: string[];
  /** Unreachable periods since start. */
  outages: number;
}

export interface RedisHealthApi {
  check(): Promise<RedisHealthReport>;
}
