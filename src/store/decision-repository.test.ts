/**
 * The decision repository on PGlite and on a PostgreSQL server: absolute expiry restored exactly by a new
 * connection, the active set moving with the clock alone, range containment, "delete = expire now", the
 * stream's startup and delta answers, offence counting with its window, prune, and bouncer keys.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from './index.js';
import { openPg } from './pg-client.js';
import { createStore } from './store.js';
import { createTestSchema, probePostgres, type TestSchema } from './testing/postgres.js';

const T = Date.UTC(2026, 11, 7, 12, 0, 0);
const H = 3_600_000;
const HASH = 'a'.repeat(64);

const pgUrl = await probePostgres('decision repository');
const schemas: TestSchema[] = [];
const opened: Store[] = [];
afterAll(async () => {
  for (const s of opened) await s.close().catch(() => undefined);
  for (const s of schemas) await s.drop();
});

interface Backend {
  name: string;
  open(): Promise<Store>;
  /** A second connection to the same database (a restart), when the backend has one. */
  reopen?: () => Promise<Store>;
}

const backends: Backend[] = [{ name: 'pglite', open: async () => track(await openStore({ databaseUrl: 'memory://' })) }];
if (pgUrl) {
  let schema: TestSchema | undefined;
  backends.push({
    name: 'postgres',
    async open() {
      schema = await createTestSchema(pgUrl, 'rampart_decisions');
      schemas.push(schema);
      const store = track(createStore(openPg(schema.url, { schema: schema.schema, max: 4 })));
      await store.schema.migrate();
      return store;
    },
    reopen: async () => track(createStore(openPg(schema!.url, { schema: schema!.schema, max: 2 }))),
  });
}

function track(s: Store): Store {
  opened.push(s);
  return s;
}

const ban = (value: string, until: number, over: Partial<Parameters<Store['decisions']['add']>[0][number]> = {}) => ({
  scope: value.includes('/') ? 'Range' : 'Ip',
  value,
  type: 'ban',
  origin: 'rampart',
  scenario: 'sqli-union-select',
  until,
  ...over,
});

describe.each(backends)('decision repository on $name', (backend) => {
  let store: Store;
  it('stores decisions with absolute expiry; the active set follows the clock', async () => {
    store = await backend.open();
    const repo = store.decisions;
    const [a, b] = await repo.add([ban('192.0.2.1', T + 4 * H), ban('10.9.0.0/16', T + H, { type: 'captcha', origin: 'manual', scenario: 'manual range' })], T);
    expect(a!.id).toBeLessThan(b!.id);
    expect(a!.until).toBe(T + 4 * H);
    expect(a!.createdAt).toBe(T);
    expect((await repo.active({}, T + 1)).map((d) => d.value)).toEqual(['10.9.0.0/16', '192.0.2.1']);
    // One hour on, the range has expired without anything having run.
    expect((await repo.active({}, T + H)).map((d) => d.value)).toEqual(['192.0.2.1']);
    expect(await repo.active({}, T + 4 * H)).toEqual([]);
  });

  it('matches an address inside a banned range, and filters by scope, origin, type, scenario', async () => {
    const repo = store.decisions;
    expect((await repo.active({ ip: '10.9.1.1' }, T)).map((d) => d.value)).toEqual(['10.9.0.0/16']);
    expect((await repo.active({ ip: '192.0.2.1' }, T)).map((d) => d.value)).toEqual(['192.0.2.1']);
    expect(await repo.active({ ip: '192.0.2.2' }, T)).toEqual([]);
    expect((await repo.active({ range: '10.9.0.0/24' }, T)).map((d) => d.value)).toEqual(['10.9.0.0/16']);
    expect((await repo.active({ range: '10.0.0.0/8', contains: false }, T)).map((d) => d.value)).toEqual(['10.9.0.0/16']);
    expect((await repo.active({ scopes: ['ip'] }, T)).map((d) => d.value)).toEqual(['192.0.2.1']);
    expect((await repo.active({ origins: ['manual'] }, T)).map((d) => d.value)).toEqual(['10.9.0.0/16']);
    expect((await repo.active({ type: 'captcha' }, T)).map((d) => d.value)).toEqual(['10.9.0.0/16']);
    expect((await repo.active({ scenariosContaining: ['SQLI'] }, T)).map((d) => d.value)).toEqual(['192.0.2.1']);
    expect((await repo.active({ scenariosNotContaining: ['sqli'] }, T)).map((d) => d.value)).toEqual(['10.9.0.0/16']);
    expect((await repo.active({ scenario: 'manual range' }, T)).map((d) => d.value)).toEqual(['10.9.0.0/16']);
  });

  it.runIf(backend.reopen !== undefined)('restores the expiry exactly through a new connection (a restart)', async () => {
    const before = await store.decisions.active({}, T);
    const again = await backend.reopen!();
    expect(await again.decisions.active({}, T)).toEqual(before);
  });

  it('streams: startup gives every active decision and the expired ones, deltas what changed since', async () => {
    const repo = store.decisions;
    const start = await repo.stream({}, null, T + 2 * H);
    expect(start.new.map((d) => d.value)).toEqual(['192.0.2.1']);
    expect(start.deleted.map((d) => d.value)).toEqual(['10.9.0.0/16']);
    // Nothing changed since the pull at T + 2h.
    expect(await repo.stream({}, T + 2 * H, T + 2 * H + 10_000)).toEqual({ new: [], deleted: [] });
    const [c] = await repo.add([ban('198.51.100.7', T + 10 * H)], T + 2 * H + 20_000);
    expect(await repo.expire({ ip: '192.0.2.1' }, T + 2 * H + 20_000)).toBe(1);
    const delta = await repo.stream({}, T + 2 * H + 10_000, T + 2 * H + 30_000);
    expect(delta.new.map((d) => d.id)).toEqual([c!.id]);
    expect(delta.deleted.map((d) => d.value)).toEqual(['192.0.2.1']);
    expect(delta.deleted[0]!.until).toBe(T + 2 * H + 20_000);
    // Deleting twice deletes nothing more.
    expect(await repo.expire({ ip: '192.0.2.1' }, T + 2 * H + 30_000)).toBe(0);
    // A decision that expires by itself leaves in the first delta after its expiry.
    const late = await repo.stream({}, T + 9 * H, T + 10 * H + 1000);
    expect(late.deleted.map((d) => d.value)).toEqual(['198.51.100.7']);
    expect(late.new).toEqual([]);
  });

  it('never streams simulated decisions, and keeps them out of the active list unless asked', async () => {
    const repo = store.decisions;
    await repo.add([ban('203.0.113.50', T + 20 * H, { simulated: true, ruleId: 'ban-high' })], T + 3 * H);
    expect((await repo.stream({}, null, T + 3 * H)).new.map((d) => d.value)).not.toContain('203.0.113.50');
    expect((await repo.active({}, T + 3 * H)).map((d) => d.value)).not.toContain('203.0.113.50');
    expect((await repo.active({ simulated: true }, T + 3 * H)).map((d) => d.value)).toEqual(['203.0.113.50']);
    const st = await repo.stats(T + 3 * H);
    expect(st.simulated).toBe(1);
    expect(st.active).toBe(1);
    expect(st.byType).toEqual({ ban: 1 });
  });

  it('deduplicates startup to the longest decision per scope, type and value', async () => {
    const repo = store.decisions;
    const [, long] = await repo.add([ban('203.0.113.9', T + 5 * H), ban('203.0.113.9', T + 50 * H)], T + 3 * H);
    const start = await repo.stream({ scopes: ['Ip'] }, null, T + 4 * H);
    expect(start.new.filter((d) => d.value === '203.0.113.9').map((d) => d.id)).toEqual([long!.id]);
  });

  it('counts offences and starts the ladder again after the window', async () => {
    const repo = store.decisions;
    const day = 24 * H;
    expect(await repo.recordOffence('192.0.2.77', T, 30 * day)).toBe(0);
    expect(await repo.recordOffence('192.0.2.77', T + day, 30 * day)).toBe(1);
    expect(await repo.offences('192.0.2.77', T + day, 30 * day)).toBe(2);
    expect(await repo.recordOffence('192.0.2.77', T + 40 * day, 30 * day)).toBe(0);
  });

  it('moves the generation on every change, and prunes what expired long ago', async () => {
    const repo = store.decisions;
    const g = await repo.generation();
    await repo.add([ban('192.0.2.88', T + H)], T);
    expect(await repo.generation()).toBe(g + 1);
    expect(await repo.prune(T + 100 * H, 7 * 24 * H)).toBe(0);
    const n = await repo.prune(T + 1000 * H, 7 * 24 * H);
    expect(n).toBeGreaterThan(0);
    expect(await repo.list({ simulated: 'any' }, 100, 0)).toEqual([]);
  });

  it('keeps bouncers by key hash, with their last pull', async () => {
    const repo = store.decisions;
    const b = await repo.addBouncer('fw-1', HASH, T);
    await expect(repo.addBouncer('fw-1', 'b'.repeat(64), T)).rejects.toThrow(/already named "fw-1"/);
    await expect(repo.addBouncer('bad name', 'c'.repeat(64), T)).rejects.toThrow(/not valid/);
    expect(await repo.bouncerByHash('0'.repeat(64))).toBeNull();
    expect((await repo.bouncerByHash(HASH))?.name).toBe('fw-1');
    expect(await repo.recordPull(b.id, T + 1000, 'crowdsec-custom-bouncer/v0.0.15', '127.0.0.1')).toEqual({ previous: null });
    expect(await repo.recordPull(b.id, T + 2000, null, null)).toEqual({ previous: T + 1000 });
    await repo.recordPull(b.id, T + 1000, null, null);
    expect(await repo.bouncers()).toEqual([{ ...b, lastPull: T + 1000, userAgent: 'crowdsec-custom-bouncer/v0.0.15', ip: '127.0.0.1' }]);
    expect(await repo.deleteBouncer('fw-1')).toBe(true);
    expect(await repo.deleteBouncer('fw-1')).toBe(false);
  });
});
