/**
 * `rampart keys` end to end: create, list, revoke against an embedded store in a temporary folder, and the
 * same through a running server's /api/keys; user mistakes and an unreachable store without a stack trace;
 * `rampart config` never shows a key; `rampart status` sends one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/api/index.js';
import { openTestApi, type TestApi } from '../../src/api/testing/fixtures.js';
import { openStore } from '../../src/store/index.js';
import { runCli } from './run-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'rampart-keys-'));
// Nothing listens on this port: the commands open the embedded store themselves.
const env = { RAMPART_DATA_DIR: join(dir, 'data'), RAMPART_PORT: '9' };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rampart keys on the embedded store', () => {
  it('creates a key printed once, lists it without the key, revokes it', async () => {
    const made = await runCli(['keys', 'create', '--name', 'grafana', '--scopes', 'read,metrics', '--expires', '90d'], { env, cwd: dir });
    expect(made.code, made.err).toBe(0);
    const key = made.out.trim();
    expect(key).toMatch(/^rk_[A-Za-z0-9_-]{43}$/);
    expect(made.err).toMatch(/created "grafana" \(key_[0-9a-f]{12}\) with scopes read, metrics, expiring 20\d\d-/);
    expect(made.err).toContain('shown this once');

    const list = await runCli(['keys', 'list'], { env, cwd: dir });
    expect(list.code, list.err).toBe(0);
    const [head, row] = list.out.trim().split('\n');
    expect(head!.split(/\s{2,}/)).toEqual(['name', 'id', 'scopes', 'created', 'last used', 'expires']);
    expect(row!.split(/\s{2,}/).slice(0, 3)).toEqual(['grafana', expect.stringMatching(/^key_/), 'read,metrics']);
    expect(row!.split(/\s{2,}/)[4]).toBe('-');
    expect(list.out).not.toContain(key);

    const json = await runCli(['keys', 'list', '--json'], { env, cwd: dir });
    expect(JSON.parse(json.out)).toEqual([expect.objectContaining({ name: 'grafana', scopes: ['read', 'metrics'], last_used_at: null })]);
    expect(json.out).not.toContain(key);

    // Only the hash is stored.
    const store = await openStore({ dataDir: join(env.RAMPART_DATA_DIR, 'pglite') });
    try {
      expect((await store.apiKeys.findByHash(hashApiKey(key)))?.name).toBe('grafana');
      const { rows } = await store.sql.query('SELECT * FROM api_keys');
      expect(JSON.stringify(rows)).not.toContain(key);
    } finally {
      await store.close();
    }

    const dup = await runCli(['keys', 'create', '--name', 'grafana', '--scopes', 'read'], { env, cwd: dir });
    expect(dup.code).toBe(2);
    expect(dup.err).toBe('rampart: an active key is already named "grafana": revoke it first or choose another name\n');

    const revoked = await runCli(['keys', 'revoke', 'grafana'], { env, cwd: dir });
    expect(revoked.code, revoked.err).toBe(0);
    expect(revoked.out).toMatch(/^revoked "grafana" \(key_[0-9a-f]{12}\)\n$/);
    expect((await runCli(['keys', 'list'], { env, cwd: dir })).out).toContain('no active keys');
    expect((await runCli(['keys', 'list', '--all'], { env, cwd: dir })).out).toMatch(/grafana .* \d{4}-\d\d-\d\d \d\d:\d\d\n$/);
    const again = await runCli(['keys', 'revoke', 'grafana'], { env, cwd: dir });
    expect(again.code).toBe(1);
    expect(again.err).toContain('no active key named or with id "grafana"');
  }, 120_000);

  it.each([
    [['keys', 'create', '--name', 'x', '--scopes', 'read,root'], 'rampart: --scopes: unknown scope "root"; known: read, ingest, metrics, admin\n'],
    [['keys', 'create', '--name', 'x', '--scopes', 'read', '--expires', 'soon'], 'rampart: --expires: expected a duration such as 90d, 12h, 30m or an ISO date, got "soon"\n'],
    [['keys', 'create', '--name', 'bad name', '--scopes', 'read'], /^rampart: key name "bad name" is not valid/],
  ])('%j: one line, no stack trace', async (args, message) => {
    const r = await runCli(args, { env, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('an unreachable PostgreSQL server is one line, no stack trace', async () => {
    const r = await runCli(['keys', 'list', '--database-url', 'postgres://nobody@127.0.0.1:9/none'], { env, cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/^rampart: .*(ECONNREFUSED|connect)/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});

describe('rampart keys through a running server', () => {
  let t: TestApi;
  let base = '';
  const admin = 'rk_test-bootstrap-admin-key-0123456789';
  afterAll(async () => {
    await t?.close();
  });

  it('creates, lists and revokes with an admin key; refuses without one', async () => {
    t = await openTestApi({ accessFor: (store) => ({ mode: 'keys', keys: store.apiKeys, bootstrapKey: admin, limits: false }) }, false);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const none = await runCli(['keys', 'list', '--url', base], { env: {}, cwd: dir });
    expect(none.code).toBe(2);
    expect(none.err).toBe(`rampart: managing keys through ${base} needs an admin key: --api-key or RAMPART_API_KEY\n`);
    const wrong = await runCli(['keys', 'list', '--url', base, '--api-key', 'rk_wrong'], { env: {}, cwd: dir });
    expect(wrong.err).toBe(`rampart: ${base} answered 401: the API key is not valid\n`);

    const made = await runCli(['keys', 'create', '--name', 'ci', '--scopes', 'ingest', '--url', base], { env: { RAMPART_API_KEY: admin }, cwd: dir });
    expect(made.code, made.err).toBe(0);
    const key = made.out.trim();
    expect((await t.store.apiKeys.findByHash(hashApiKey(key)))?.scopes).toEqual(['ingest']);
    // An ingest key may not manage keys.
    const weak = await runCli(['keys', 'list', '--url', base, '--api-key', key], { env: {}, cwd: dir });
    expect(weak.err).toBe(`rampart: ${base} answered 403: key "ci" has scopes ingest; this route needs admin\n`);

    const list = await runCli(['keys', 'list', '--url', base], { env: { API_KEY: admin }, cwd: dir });
    expect(list.out).toMatch(/^ci +key_/m);
    expect((await runCli(['keys', 'revoke', 'ci', '--url', base], { env: { RAMPART_API_KEY: admin }, cwd: dir })).code).toBe(0);
    expect((await t.store.apiKeys.list()).map((k) => k.name)).toEqual([]);
  }, 120_000);

  it('rampart status sends the key from RAMPART_API_KEY and says what is missing without one', async () => {
    const refused = await runCli(['status', '--url', base], { env: {}, cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('refused: this route needs an API key');
    expect(refused.err).toContain('--api-key or RAMPART_API_KEY');
    const ok = await runCli(['status', '--url', base, '--json'], { env: { RAMPART_API_KEY: admin }, cwd: dir });
    expect(ok.code, ok.err).toBe(0);
    expect(JSON.parse(ok.out)).toHaveProperty('sources');
  }, 60_000);
});

describe('rampart config', () => {
  it('never shows the bootstrap key, under either variable', async () => {
    for (const name of ['RAMPART_API_KEY', 'API_KEY']) {
      const secret = 'rk_bootstrap-secret-value-0123456789';
      const yaml = await runCli(['config'], { env: { [name]: secret }, cwd: dir });
      expect(yaml.code, yaml.err).toBe(0);
      expect(yaml.out).toMatch(/apiKey: "?\*\*\*"?/);
      const table = await runCli(['config', '--env'], { env: { [name]: secret }, cwd: dir });
      expect(table.out).toMatch(/RAMPART_API_KEY +API_KEY +auth\.apiKey +\*\*\* +env /);
      for (const out of [yaml.out, yaml.err, table.out, table.err]) expect(out).not.toContain(secret);
    }
  }, 60_000);
});
