/**
 * Who may call which route. Every route declares a scope (`config: { scope }`, route-scope.ts); this module
 * reads it from the matched route on each request, so there is no second list of paths to keep in step.
 *
 * - Fail closed: a route registered without a scope stops `app.ready()` (the server does not start), and if
 *   one slipped through anyway it answers 403.
 * - Keys come in `Authorization: Bearer …` or `X-Api-Key`; WebSocket upgrades and event streams may instead
 *   carry a single-use `?ticket=` (tickets.ts). `request.apiKey` tells handlers who called.
 * - Rate limits (@fastify/rate-limit, Redis-backed when a client is given): per key for keyed calls, per
 *   client IP otherwise, and a stricter one on failed authentication per IP; 429 with Retry-After.
 * - CORS only for the configured origins (@fastify/cors); none by default, so browsers keep same-origin.
 */
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import type { ApiErrorBody } from '../errors.js';
import { ROUTE_SCOPES, type RouteScope } from '../route-scope.js';
import { grants } from './api-key.js';
import { KeyVerifier, type Caller, type KeyLookup, type KeyVerifierOptions } from './key-verifier.js';
import { MemoryTickets, RedisTickets, TICKET_TTL_MS, type TicketStore } from './tickets.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who called: the key's id, name and scopes; null on public routes and before authentication. */
    apiKey: Caller | null;
  }
}

export interface RateLimits {
  /** Requests per window for each key. */
  perKey: number;
  /** Requests per window for each client IP, on calls without a key (public routes, failed keys). */
  perIp: number;
  /** Failed authentications per window for each client IP; past it every keyed request from the IP gets 429. */
  failedAuth: number;
  windowMs: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { perKey: 1200, perIp: 600, failedAuth: 10, windowMs: 60_000 };

export interface AccessOptions {
  /**
   * `keys`: every route that is not public needs a key with its scope. `open`: everyone is admitted as
   * admin (`auth.mode: off` on a loopback address, and route tests that are not about access).
   */
  mode: 'keys' | 'open';
  /** Stored keys (store.apiKeys). */
  keys?: KeyLookup;
  /** RAMPART_API_KEY: an admin key given by environment. */
  bootstrapKey?: string;
  /** False: no rate limit (tests that are not about limits). */
  limits?: RateLimits | false;
  /** Origins allowed to call from a browser (exact `scheme://host[:port]`); none by default. */
  corsOrigins?: readonly string[];
  /** Shares rate limits and WebSocket tickets between API processes. */
  redis?: Redis;
  clock?: () => number;
  /** How long a verified key is remembered (a revocation takes effect within it). Default 10 s. */
  keyCacheMs?: number;
}

/** For route tests that are not about access control: every request is admitted, as admin, without limits. */
export const OPEN_ACCESS_FOR_TESTS: AccessOptions = { mode: 'open', limits: false };

/** Without access options createApi admits only public routes: forgetting them must not open the API. */
export const CLOSED_ACCESS: AccessOptions = { mode: 'keys' };

/** The caller of every request in `open` mode. */
export const OPEN_CALLER: Caller = { id: 'open', name: 'anonymous (auth.mode off)', scopes: ['admin'] };

export interface RegisteredRoute {
  method: string;
  url: string;
  scope: RouteScope | undefined;
}

const registered = new WeakMap<FastifyInstance, RouteOptions[]>();

/** Every route of the app with the scope it declares (for the auth matrix test and the start-up check). */
export function routeScopes(app: FastifyInstance): RegisteredRoute[] {
  const out: RegisteredRoute[] = [];
  for (const r of registered.get(app) ?? []) {
    for (const method of Array.isArray(r.method) ? r.method : [r.method]) out.push({ method, url: r.url, scope: r.config?.scope });
  }
  return out;
}

/** Routes registered inside `plugin` that declare no scope get this one (third-party plugins: docs, CORS). */
export function withScope<T extends object>(scope: RouteScope, plugin: (app: FastifyInstance, opts: T) => Promise<void>) {
  return async (app: FastifyInstance, opts: T): Promise<void> => {
    app.addHook('onRoute', (route) => {
      if (route.config?.scope === undefined) route.config = { ...route.config, scope };
    });
    await plugin(app, opts);
  };
}

/**
 * True when the request may authenticate with `?ticket=`: a WebSocket upgrade or an event stream. Exported so
 * a route that streams can say why a ticket was refused.
 */
export function acceptsTicket(request: FastifyRequest): boolean {
  const upgrade = request.headers.upgrade;
  if (typeof upgrade === 'string' && upgrade.toLowerCase() === 'websocket') return true;
  const accept = request.headers.accept;
  return typeof accept === 'string' && accept.includes('text/event-stream');
}

function ticketOf(request: FastifyRequest): string | undefined {
  const q = request.query as Record<string, unknown> | undefined;
  const t = q?.ticket;
  return typeof t === 'string' ? t.slice(0, 100) : undefined;
}

/** The key of a request: `Authorization: Bearer <key>` or `X-Api-Key: <key>`. */
export function keyOf(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(auth);
    if (m) return m[1];
  }
  const x = request.headers['x-api-key'];
  return typeof x === 'string' && x.length > 0 ? x.trim() : undefined;
}

type Limiter = (req: FastifyRequest) => Promise<{ isExceeded: boolean; max: number; ttlInSeconds: number; timeWindow: number }>;

/** Installs access control on the root instance; call before any route is registered. */
export function installAccessControl(app: FastifyInstance, access: AccessOptions): void {
  const routes: RouteOptions[] = [];
  registered.set(app, routes);
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  // Checked once every plugin has added its routes (and scope-setting hooks such as withScope have run).
  app.addHook('onReady', async () => {
    const missing = routeScopes(app).filter((r) => r.scope === undefined || !ROUTE_SCOPES.includes(r.scope));
    if (missing.length > 0) {
      throw new Error(
        `routes without a valid scope (set config: { scope } to one of ${ROUTE_SCOPES.join(', ')}): ` +
          missing.map((r) => `${r.method} ${r.url}`).join(', '),
      );
    }
  });
  app.decorateRequest('apiKey', null);

  const clock = access.clock ?? Date.now;
  const verifierOptions: KeyVerifierOptions = {
    clock,
    onTouchError: (err) => app.log.debug({ err: String(err) }, 'could not record the last use of an API key'),
  };
  if (access.keys) verifierOptions.keys = access.keys;
  if (access.bootstrapKey) verifierOptions.bootstrapKey = access.bootstrapKey;
  if (access.keyCacheMs !== undefined) verifierOptions.cacheMs = access.keyCacheMs;
  const verifier = new KeyVerifier(verifierOptions);
  const tickets: TicketStore = access.redis ? new RedisTickets(access.redis) : new MemoryTickets(clock);
  const limits = access.limits === undefined ? DEFAULT_RATE_LIMITS : access.limits;

  // The plugins register in order, so the access hook runs after CORS has answered preflights and set its
  // headers (a refused call still carries them, and the browser shows the 401 instead of a CORS error).
  app.register(cors, corsOptions(access.corsOrigins ?? []));
  // The preflight route @fastify/cors adds (OPTIONS *) is public: browsers send preflights without credentials.
  app.addHook('onRoute', (route) => {
    if (route.method === 'OPTIONS' && route.url === '*' && route.config?.scope === undefined) route.config = { ...route.config, scope: 'public' };
  });
  if (limits) {
    app.register(rateLimit, {
      global: false,
      skipOnError: true,
      ...(access.redis ? { redis: access.redis, nameSpace: 'rampart:rate-limit:' } : {}),
    });
  }
  app.register(
    fp(async (root: FastifyInstance) => {
      const limiters = limits ? makeLimiters(root, limits) : null;
      const failedUntil = new Map<string, number>();
      root.addHook('onRequest', async (request, reply) => {
        const matched = request.routeOptions.url !== undefined;
        const scope = request.routeOptions.config?.scope;
        if (matched && (scope === undefined || !ROUTE_SCOPES.includes(scope))) {
          request.log.error({ route: request.routeOptions.url }, 'route declares no scope: refused');
          return deny(reply, 403, 'forbidden', 'this route declares no access scope, so it is refused');
        }
        // Bouncer routes (/v1) check bouncer keys themselves (routes/bouncer-lapi.ts), as CrowdSec answers.
        if (matched && scope !== 'public' && scope !== 'bouncer') {
          if (access.mode === 'open') request.apiKey = OPEN_CALLER;
          else {
            const ip = request.ip;
            const blocked = failedUntil.get(ip);
            if (blocked !== undefined && blocked > clock()) return tooMany(reply, Math.ceil((blocked - clock()) / 1000), 'too many failed authentications from this address');
            let outcome: Outcome;
            try {
              outcome = await authenticate(request, verifier, tickets);
            } catch (err) {
              if (!(err instanceof TicketsUnavailable)) throw err;
              return ticketsDown(request, reply, err.cause);
            }
            if ('status' in outcome) {
              if (outcome.counted && limiters) {
                const r = await limiters.failed(request);
                if (r.isExceeded) {
                  if (failedUntil.size > 10_000) failedUntil.clear();
                  failedUntil.set(ip, clock() + r.ttlInSeconds * 1000);
                  request.log.warn({ ip }, 'too many failed authentications');
                  return tooMany(reply, r.ttlInSeconds, 'too many failed authentications from this address');
                }
              }
              request.log.info({ ip, reason: outcome.reason }, 'authentication failed');
              if (outcome.status === 401) reply.header('www-authenticate', 'Bearer realm="rampart"');
              return deny(reply, outcome.status, 'unauthorized', outcome.message);
            }
            if (!grants(outcome.scopes, scope as RouteScope)) {
              return deny(reply, 403, 'forbidden', `key ${JSON.stringify(outcome.name)} has scopes ${outcome.scopes.join(', ')}; this route needs ${scope}${scope === 'metrics' ? ' or admin' : scope === 'admin' ? '' : ' (or admin)'}`);
            }
            request.apiKey = outcome;
          }
        }
        if (limiters) {
          const keyed = request.apiKey !== null && access.mode === 'keys';
          const r = await (keyed ? limiters.perKey : limiters.perIp)(request);
          if (r.isExceeded) {
            return tooMany(reply, r.ttlInSeconds, `rate limit of ${r.max} requests per ${Math.round(r.timeWindow / 1000)} s exceeded for this ${keyed ? 'key' : 'address'}`);
          }
        }
      });

      // A refused WebSocket handshake: the answer goes out on the upgrade's own socket, which nothing else
      // will close (@fastify/websocket closes only sockets its own hooks saw, and ours answered first). Say
      // so, so that a client does not send its next request on it, and close it once the answer is out.
      root.addHook('onSend', async (request, reply, payload) => {
        if (request.headers.upgrade !== undefined && reply.statusCode !== 101) reply.header('connection', 'close');
        return payload;
      });
      root.addHook('onResponse', async (request, reply) => {
        if (reply.statusCode !== 101 && request.headers.upgrade !== undefined && request.raw.socket && !request.raw.socket.destroyed) {
          request.raw.socket.end();
        }
      });

      root.post(
        '/api/ws-ticket',
        {
          config: { scope: 'read' },
          schema: {
            tags: ['access'],
            summary: `A single-use ticket for a WebSocket or event stream (?ticket=), valid ${TICKET_TTL_MS / 1000} s, with the scopes of the key that asked`,
            response: {
              200: {
                type: 'object',
                properties: { ticket: { type: 'string' }, expiresInS: { type: 'integer' } },
                required: ['ticket', 'expiresInS'],
              },
            },
          },
        },
        async (request, reply) => {
          try {
            return { ticket: await tickets.issue(request.apiKey ?? OPEN_CALLER), expiresInS: TICKET_TTL_MS / 1000 };
          } catch (err) {
            return ticketsDown(request, reply, err);
          }
        },
      );
    }),
  );
}

type Outcome = Caller | { status: 401; reason: string; message: string; counted: boolean };

async function authenticate(request: FastifyRequest, verifier: KeyVerifier, tickets: TicketStore): Promise<Outcome> {
  const key = keyOf(request);
  if (key === undefined) {
    const ticket = acceptsTicket(request) ? ticketOf(request) : undefined;
    if (ticket !== undefined) {
      const caller = await tickets.redeem(ticket).catch((err: unknown) => {
        throw new TicketsUnavailable(err);
      });
      if (caller) return caller;
      return { status: 401, reason: 'ticket', message: 'the ticket is unknown, already used or expired: ask POST /api/ws-ticket for a new one', counted: true };
    }
    return {
      status: 401,
      reason: 'missing',
      message: 'this route needs an API key: send it as "Authorization: Bearer <key>" or "X-Api-Key: <key>" (create one with rampart keys create)',
      counted: false,
    };
  }
  const verdict = await verifier.verify(key);
  if (verdict.ok) return verdict.caller;
  const message = verdict.reason === 'unknown' ? 'the API key is not valid' : `the API key is ${verdict.reason}`;
  return { status: 401, reason: verdict.reason, message, counted: true };
}

function makeLimiters(root: FastifyInstance, limits: RateLimits): { perKey: Limiter; perIp: Limiter; failed: Limiter } {
  const make = (max: number, prefix: string, id: (r: FastifyRequest) => string): Limiter =>
    root.createRateLimit({ max, timeWindow: limits.windowMs, keyGenerator: (r: FastifyRequest) => `${prefix}${id(r)}` }) as unknown as Limiter;
  return {
    perKey: make(limits.perKey, 'key:', (r) => r.apiKey?.id ?? r.ip),
    perIp: make(limits.perIp, 'ip:', (r) => r.ip),
    failed: make(limits.failedAuth, 'fail:', (r) => r.ip),
  };
}

/** The ticket store (Redis) failed: the request cannot be judged, which is not the client's fault. */
class TicketsUnavailable extends Error {
  constructor(cause: unknown) {
    super('ticket store unavailable', { cause });
  }
}

function ticketsDown(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  request.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'WebSocket tickets unavailable');
  const body: ApiErrorBody = { error: 'store_unavailable', message: 'tickets are unavailable just now (their store, Redis, does not answer): send the key in a header, or retry' };
  return reply.code(503).type('application/json; charset=utf-8').send(body);
}

function deny(reply: FastifyReply, status: 401 | 403, error: 'unauthorized' | 'forbidden', message: string): FastifyReply {
  const body: ApiErrorBody = { error, message };
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

function tooMany(reply: FastifyReply, retryAfterS: number, what: string): FastifyReply {
  const wait = Math.max(1, retryAfterS);
  const body: ApiErrorBody = { error: 'rate_limited', message: `${what}; retry after ${wait} s` };
  return reply.code(429).header('retry-after', String(wait)).type('application/json; charset=utf-8').send(body);
}

function corsOptions(origins: readonly string[]) {
  const allowed = new Set(origins.map((o) => o.replace(/\/+$/, '').toLowerCase()));
  return {
    // Exact origins only; no origin (same-origin or non-browser) needs no CORS header.
    origin: (origin: string | undefined, cb: (err: Error | null, allow: boolean) => void) => cb(null, origin !== undefined && allowed.has(origin.toLowerCase())),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'x-api-key', 'content-type', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
    strictPreflight: true,
  };
}
