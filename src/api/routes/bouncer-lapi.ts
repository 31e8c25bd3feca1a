/**
 * The CrowdSec Local API as bouncers use it (v1, as CrowdSec 1.4.6 answers; /work/shared/research/crowdsec-lapi.md):
 * `GET/HEAD /v1/decisions/stream` and `GET/HEAD /v1/decisions`, authenticated by `X-Api-Key` with a bouncer key
 * (`rampart bouncers add`), not by Rampart's API keys (route scope `bouncer`). Answers keep CrowdSec's shapes to
 * the letter: `null` (not `[]`) for an empty side, `403 {"message":"access forbidden"}` for a bad key, `500` for
 * an address it cannot parse, and the stream's per-bouncer bookkeeping (the last pull is where the next delta
 * starts).
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { normaliseIp, parseCidr } from '../../net/index.js';
import type { BouncerRecord, DecisionFilter, DecisionRepository } from '../../store/index.js';
import { hashApiKey, MAX_KEY_LENGTH } from '../auth/api-key.js';
import { pageReadGate, startupAnswer } from './bouncer-startup-stream.js';
import { lapiDecisionSchema, lapiDecisionsText } from './decision-json.js';

export interface BouncerApiDeps {
  decisions: Pick<DecisionRepository, 'bouncerByHash' | 'recordPull' | 'stream' | 'startupPage' | 'active'>;
  clock?: () => number;
  /** Rows per page of a streamed startup answer (default 5,000: some 700 kB of text). */
  startupPageSize?: number;
  /** Startup pages read at a time by this process (default 2; the store's pool has 10 connections). */
  startupPageReads?: number;
  /** How long a key's lookup is remembered (default 10 s; a deleted bouncer stops within it on other processes). */
  keyCacheMs?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    bouncer?: BouncerRecord;
  }
}

const FORBIDDEN = { message: 'access forbidden' };
const messageSchema = { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } as const;
const list = { anyOf: [{ type: 'array', items: lapiDecisionSchema }, { type: 'null' }] } as const;

/** CrowdSec's comma lists: trimmed, empty items dropped, bounded. */
function commaList(v: unknown): string[] {
  if (typeof v !== 'string' || v.length === 0) return [];
  return v
    .slice(0, 4096)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .slice(0, 100);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v.slice(0, 1024) : undefined);

/** Forgets cached bouncer keys (after a delete in this process). */
export interface BouncerKeyCache {
  clear(): void;
}

export function bouncerApiRoutes(app: FastifyInstance, deps: BouncerApiDeps): BouncerKeyCache {
  const clock = deps.clock ?? Date.now;
  const ttl = deps.keyCacheMs ?? 10_000;
  const pageSize = deps.startupPageSize ?? 5000;
  const gate = pageReadGate(deps.startupPageReads ?? 2);
  const keys = new Map<string, { bouncer: BouncerRecord | null; at: number }>();

  async function bouncerOf(request: FastifyRequest): Promise<BouncerRecord | null> {
    const key = request.headers['x-api-key'];
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) return null;
    const hash = hashApiKey(key.trim());
    const now = clock();
    const hit = keys.get(hash);
    if (hit && now - hit.at < ttl) return hit.bouncer;
    const bouncer = await deps.decisions.bouncerByHash(hash);
    if (keys.size > 10_000) keys.clear();
    keys.set(hash, { bouncer, at: now });
    return bouncer;
  }

  app.addHook('onRequest', async (request, reply) => {
    const bouncer = await bouncerOf(request);
    if (!bouncer) {
      request.log.info({ ip: request.ip }, 'bouncer authentication failed');
      return reply.code(403).send(FORBIDDEN);
    }
    request.bouncer = bouncer;
  });

  /** Records this pull; returns the previous one (where a delta starts). */
  async function recordPull(request: FastifyRequest, at: number | null): Promise<number | null> {
    const ua = request.headers['user-agent'];
    return (await deps.decisions.recordPull(request.bouncer!.id, at, typeof ua === 'string' ? ua : null, request.ip)).previous;
  }

  const common = (v: Record<string, unknown>): DecisionFilter => {
    const f: DecisionFilter = {};
    const origins = commaList(v.origins);
    if (origins.length > 0) f.origins = origins;
    const inc = commaList(v.scenarios_containing);
    if (inc.length > 0) f.scenariosContaining = inc;
    const exc = commaList(v.scenarios_not_containing);
    if (exc.length > 0) f.scenariosNotContaining = exc;
    return f;
  };

  app.get(
    '/v1/decisions/stream',
    {
      config: { scope: 'bouncer' },
      schema: {
        tags: ['bouncers'],
        summary: 'CrowdSec LAPI: decisions new and deleted since this bouncer\u2019s last pull (startup=true: every active one)',
        response: {
          200: { type: 'object', properties: { deleted: list, new: list }, required: ['deleted', 'new'] },
          403: messageSchema,
          500: messageSchema,
        },
      },
    },
    async (request, reply) => {
      const q = request.query as Record<string, unknown>;
      const now = clock();
      const f = common(q);
      const scopes = commaList(q.scopes);
      f.scopes = scopes.length > 0 ? scopes : ['ip', 'range'];
      // The pull is recorded first (it returns the previous one atomically); a failed query puts it back.
      const previous = await recordPull(request, now);
      const startup = str(q.startup) === 'true';
      reply.type('application/json; charset=utf-8');
      try {
        if (startup) {
          // Every active decision: streamed page by page (bouncer-startup-stream.ts). HEAD has no body, so the
          // first pages (which tell a failing query) are all it reads; its headers are the GET's (no length).
          const body = await startupAnswer((side, before, limit) => gate(() => deps.decisions.startupPage(side, f, now, before, limit)), now, pageSize);
          if (request.method === 'HEAD') body.destroy();
          return reply.send(request.method === 'HEAD' ? Readable.from([]) : body);
        }
        const got = await deps.decisions.stream(f, previous ?? 0, now);
        return reply.send(`{"deleted":${lapiDecisionsText(got.deleted, now)},"new":${lapiDecisionsText(got.new, now)}}`);
      } catch (err) {
        await recordPull(request, previous).catch(() => undefined);
        throw err;
      }
    },
  );

  app.get(
    '/v1/decisions',
    {
      config: { scope: 'bouncer' },
      schema: {
        tags: ['bouncers'],
        summary: 'CrowdSec LAPI: active decisions matching ip, range, scope, value, type (null when none)',
        response: { 200: list, 403: messageSchema, 500: messageSchema },
      },
    },
    async (request, reply: FastifyReply) => {
      const q = request.query as Record<string, unknown>;
      const now = clock();
      const f = common(q);
      const ip = str(q.ip);
      const range = str(q.range);
      const bad = (v: string) => reply.code(500).send({ message: `unable to convert '${v.slice(0, 100)}' to int: invalid address: invalid ip address / range` });
      if (ip !== undefined && ip !== '') {
        const n = normaliseIp(ip);
        if (n === null) return bad(ip);
        f.ip = n;
      }
      if (range !== undefined && range !== '') {
        try {
          const c = parseCidr(range);
          f.range = `${c.network}/${c.prefix}`;
        } catch {
          return bad(range);
        }
      }
      f.contains = str(q.contains) !== 'false';
      const scope = str(q.scope);
      if (scope) f.scopes = [scope];
      const value = str(q.value);
      if (value) f.value = value;
      const type = str(q.type);
      if (type) f.type = type;
      const rows = await deps.decisions.active(f, now, 1_000_000);
      await recordPull(request, now);
      return reply.type('application/json; charset=utf-8').send(lapiDecisionsText(rows, now));
    },
  );

  return { clear: () => keys.clear() };
}
