/**
 * The streamed startup answer (`/v1/decisions/stream?startup=true`, read page by page) is byte for byte the
 * one-shot answer (`DecisionRepository.stream(f, null, now)` written whole), whatever the page size: a side
 * that ends on a full page, one shorter than a page, an empty one (`null`), duplicates of a target (the longest
 * wins, ties to the higher id), simulated decisions (never sent) and filters that hide the longest duplicate (the
 * next longest shows). On PGlite and, when it answers, PostgreSQL; through inject and over a real socket; and
 * HEAD (no body, the pull recorded, no page beyond the first read).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type DecisionFilter, type NewDecision, type Store } from '../../store/index.js';
import { createTestSchema, probePostgres, type TestSchema } from '../../store/testing/postgres.js';
import { hashApiKey } from '../auth/api-key.js';
import { bouncerApiRoutes } from './bouncer-lapi.js';
import { pageReadGate } from './bouncer-startup-stream.js';
import { lapiDecisionsText } from './decision-json.js';

const NOW = Date.parse('2026-12-07T12:00:00.000Z');
const H = 3_600_000;
const KEY = 'rb_startup_stream_test_key_0123456789';
const pgUrl = await probePostgres('bouncer startup stream');

/** Decisions covering every case of the DISTINCT ON the pages replace. */
function decisions(): NewDecision[] {
  const d = (value: string, until: number, over: Partial<NewDecision> = {}): NewDecision => ({
    scope: value.includes('/') ? 'Range' : 'Ip',
    value,
    type: 'ban',
    origin: 'rampart',
    scenario: 'sqli-union-select',
    until,
    ...over,
  });
  const out: NewDecision[] = [];
  for (let i = 1; i <= 9; i++) out.push(d(`192.0.2.${i}`, NOW + i * H + 123, { scenario: i % 2 ? 'scanner-user-agent' : 'sqli-union-select' }));
  // The same target three times: the longest is sent, with its own id.
  out.push(d('198.51.100.7', NOW + 2 * H), d('198.51.100.7', NOW + 5 * H, { origin: 'manual' }), d('198.51.100.7', NOW + 3 * H));
  // Equal until: the higher id is sent.
  out.push(d('198.51.100.8', NOW + 4 * H), d('198.51.100.8', NOW + 4 * H));
  // Same value, another type: both sent.
  out.push(d('198.51.100.8', NOW + H, { type: 'captcha' }));
  out.push(d('10.9.0.0/16', NOW + 30 * 60_000, { type: 'captcha', scenario: 'needs "quotes" \\ and \u00e9' }));
  // Never sent: simulated.
  out.push(d('203.0.113.1', NOW + H, { simulated: true }));
  // Expired: the deleted side (5 of them).
  for (let i = 1; i <= 5; i++) out.push(d(`203.0.113.${10 + i}`, NOW - i * 60_000));
  return out;
}

const EXPECTED_NEW = 9 + 1 + 1 + 1 + 1;

type Opened = { store: Store; drop: () => Promise<void> };
const stores: [string, () => Promise<Opened>][] = [['pglite', async () => ({ store: await openStore({ databaseUrl: 'memory://' }), drop: async () => undefined })]];
if (pgUrl) {
  stores.push([
    'postgres',
    async () => {
      const schema: TestSchema = await createTestSchema(pgUrl, 'rampart_startup_stream');
      const store = await openStore({ databaseUrl: schema.url, schema: schema.schema });
      return { store, drop: () => schema.drop() };
    },
  ]);
}

describe.each(stores)('startup answer streamed in pages on %s', (_name, open) => {
  let store: Store;
  let drop: () => Promise<void>;
  const apps: FastifyInstance[] = [];

  beforeAll(async () => {
    ({ store, drop } = await open());
    await store.decisions.addBouncer('fw', hashApiKey(KEY), NOW - H);
  }, 60_000);
  afterAll(async () => {
    for (const app of apps) await app.close();
    await store?.close();
    await drop?.();
  });

  async function appWith(pageSize: number, reads?: string[]): Promise<FastifyInstance> {
    const app = Fastify();
    const decisions = store.decisions;
    bouncerApiRoutes(app, {
      decisions: {
        bouncerByHash: (h) => decisions.bouncerByHash(h),
        recordPull: (...a) => decisions.recordPull(...a),
        stream: (...a) => decisions.stream(...a),
        active: (...a) => decisions.active(...a),
        startupPage: (side, f, now, before, limit) => {
          reads?.push(`${side}<${before}`);
          return decisions.startupPage(side, f, now, before, limit);
        },
      },
      clock: () => NOW,
      startupPageSize: pageSize,
    });
    await app.ready();
    apps.push(app);
    return app;
  }

  const pull = (app: FastifyInstance, query = '', method: 'GET' | 'HEAD' = 'GET') => app.inject({ method, url: `/v1/decisions/stream?startup=true${query}`, headers: { 'x-api-key': KEY } });

  /** What the one-shot answer was: every row at once, written whole. */
  async function oneShot(f: DecisionFilter): Promise<string> {
    const got = await store.decisions.stream({ scopes: ['ip', 'range'], ...f }, null, NOW);
    return `{"deleted":${lapiDecisionsText(got.deleted, NOW)},"new":${lapiDecisionsText(got.new, NOW)}}`;
  }

  it('answers an empty store {"deleted":null,"new":null} at any page size', async () => {
    for (const size of [1, 5000]) {
      const res = await pull(await appWith(size));
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toBe('{"deleted":null,"new":null}');
    }
    expect(await oneShot({})).toBe('{"deleted":null,"new":null}');
  });

  it('writes the one-shot answer byte for byte at every page size', async () => {
    await store.decisions.add(decisions(), NOW - 2 * H);
    const expected = await oneShot({});
    const parsed = JSON.parse(expected) as { new: { value: string; id: number }[]; deleted: unknown[] };
    expect(parsed.new).toHaveLength(EXPECTED_NEW);
    expect(parsed.deleted).toHaveLength(5);
    expect(parsed.new.filter((d) => d.value === '198.51.100.7')).toHaveLength(1);
    // 1 and 5: the deleted side ends on a full page; 13: the new side does; 4, 7: neither; 5000: one page.
    for (const size of [1, 2, 4, 5, 7, 13, 5000]) {
      const reads: string[] = [];
      const res = await pull(await appWith(size, reads));
      expect(res.statusCode, `page size ${size}`).toBe(200);
      expect(res.body, `page size ${size}`).toBe(expected);
      const pages = (n: number) => Math.floor(n / size) + 1;
      expect(reads.length, `page size ${size}: reads ${reads.join(' ')}`).toBe(pages(5) + pages(EXPECTED_NEW));
    }
  });

  it('applies the filters before choosing the longest of a target, as the one-shot answer did', async () => {
    const app = await appWith(2);
    for (const [query, f] of [
      ['&origins=rampart', { origins: ['rampart'] }],
      ['&scenarios_containing=scanner', { scenariosContaining: ['scanner'] }],
      ['&scenarios_not_containing=scanner,QUOTES', { scenariosNotContaining: ['scanner', 'quotes'] }],
      ['&scopes=range', { scopes: ['range'] }],
    ] as const) {
      const res = await pull(app, query);
      expect(res.body, query).toBe(await oneShot(f));
    }
    // The manual 5 h ban hidden by the origin filter: the 3 h one of rampart is sent instead.
    const rampart = JSON.parse((await pull(app, '&origins=rampart')).body) as { new: { value: string; duration: string }[] };
    expect(rampart.new.find((d) => d.value === '198.51.100.7')?.duration).toBe('3h0m0s');
  });

  it('writes the same bytes over a socket, chunked', async () => {
    const app = await appWith(3);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${address}/v1/decisions/stream?startup=true`, { headers: { 'x-api-key': KEY } });
    expect(res.status).toBe(200);
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(await res.text()).toBe(await oneShot({}));
    const head = await fetch(`${address}/v1/decisions/stream?startup=true`, { method: 'HEAD', headers: { 'x-api-key': KEY } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await head.text()).toBe('');
  });

  it('answers HEAD without a body, reading only the first pages, and records the pull', async () => {
    const reads: string[] = [];
    const app = await appWith(1, reads);
    const key = 'rb_startup_stream_test_head_0123456789';
    await store.decisions.addBouncer('head', hashApiKey(key), NOW - H);
    const lastPull = async () => (await store.decisions.bouncers()).find((b) => b.name === 'head')!.lastPull;
    expect(await lastPull()).toBe(null);
    const res = await app.inject({ method: 'HEAD', url: '/v1/decisions/stream?startup=true', headers: { 'x-api-key': key } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reads).toEqual(['deleted<9007199254740991', 'new<9007199254740991']);
    expect(await lastPull()).toBe(NOW);
  });

  it('refuses a bad key with 403 before reading a page', async () => {
    const reads: string[] = [];
    const res = await (await appWith(2, reads)).inject({ url: '/v1/decisions/stream?startup=true', headers: { 'x-api-key': 'rb_wrong' } });
    expect(res.statusCode).toBe(403);
    expect(res.body).toBe('{"message":"access forbidden"}');
    expect(reads).toHaveLength(0);
  });
});

describe('pageReadGate', () => {
  it('runs at most n tasks at a time, the others in order, and passes results and errors through', async () => {
    const gate = pageReadGate(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const task = (i: number) => async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      order.push(i);
      if (i === 3) throw new Error('page 3 failed');
      return i * 10;
    };
    const got = await Promise.allSettled([0, 1, 2, 3, 4, 5].map((i) => gate(task(i))));
    expect(most).toBe(2);
    expect(got.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([0, 10, 20, 'page 3 failed', 40, 50]);
    expect(order.slice(0, 2).sort()).toEqual([0, 1]);
    expect(await gate(async () => 'after')).toBe('after');
  });
});
