/** API keys: stored by hash, one active key per name, revoke by name or id, last use recorded. */
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import type { ConformanceSection } from './context.js';

const T0 = Date.UTC(2026, 0, 5, 12);
const hash = (s: string) => createHash('sha256').update(s).digest('hex');

export const apiKeyConformance: ConformanceSection = (t) => {
  it('creates a key, finds it by its hash only, and keeps no key text', async () => {
    const repo = t.store.apiKeys;
    expect(await repo.count()).toBe(0);
    const made = await repo.create({ name: 'grafana', scopes: ['read', 'metrics', 'read'], hash: hash('k1'), expiresAt: T0 + 90 * 86_400_000 }, T0);
    expect(made).toMatchObject({ name: 'grafana', scopes: ['read', 'metrics'], createdAt: T0, lastUsedAt: null, expiresAt: T0 + 90 * 86_400_000, revokedAt: null });
    expect(made.id).toMatch(/^key_[0-9a-f]{12}$/);
    expect(await repo.findByHash(hash('k1'))).toEqual({ ...made, hash: hash('k1') });
    expect(await repo.findByHash(hash('k2'))).toBeNull();
    expect(await repo.findByHash("' OR 1=1 --")).toBeNull();
    const { rows } = await t.store.sql.query('SELECT * FROM api_keys');
    expect(JSON.stringify(rows)).not.toContain('"k1"');
    expect(await repo.count()).toBe(1);
  });

  it('refuses a second active key with the same name, a bad name and no scope; a revoked name can be reused', async () => {
    const repo = t.store.apiKeys;
    const first = await repo.create({ name: 'ci', scopes: ['ingest'], hash: hash('a'), expiresAt: null }, T0);
    await expect(repo.create({ name: 'ci', scopes: ['read'], hash: hash('b'), expiresAt: null }, T0)).rejects.toThrow(/already named "ci"/);
    await expect(repo.create({ name: 'bad name; drop', scopes: ['read'], hash: hash('c'), expiresAt: null }, T0)).rejects.toThrow(/key name/);
    await expect(repo.create({ name: 'none', scopes: [], hash: hash('d'), expiresAt: null }, T0)).rejects.toThrow(/at least one scope/);
    const revoked = await repo.revoke('ci', T0 + 1000);
    expect(revoked).toMatchObject({ id: first.id, revokedAt: T0 + 1000 });
    expect(await repo.revoke('ci', T0 + 2000)).toBeNull();
    const second = await repo.create({ name: 'ci', scopes: ['read'], hash: hash('b'), expiresAt: null }, T0 + 3000);
    expect((await repo.list()).map((k) => k.id)).toEqual([second.id]);
    expect((await repo.list({ all: true })).map((k) => k.id)).toEqual([second.id, first.id]);
    expect((await repo.findByHash(hash('a')))?.revokedAt).toBe(T0 + 1000);
  });

  it('revokes by id, and records the last use without going back in time', async () => {
    const repo = t.store.apiKeys;
    const a = await repo.create({ name: 'a', scopes: ['admin'], hash: hash('a'), expiresAt: null }, T0);
    const b = await repo.create({ name: 'b', scopes: ['read'], hash: hash('b'), expiresAt: null }, T0);
    await repo.touch([a.id, b.id], T0 + 60_000);
    await repo.touch([a.id], T0 + 30_000);
    expect((await repo.list()).map((k) => [k.name, k.lastUsedAt])).toEqual([['a', T0 + 60_000], ['b', T0 + 60_000]]);
    expect(await repo.revoke(b.id, T0 + 90_000)).toMatchObject({ name: 'b' });
    expect((await repo.list()).map((k) => k.name)).toEqual(['a']);
    expect(await repo.revoke('nothing', T0)).toBeNull();
    expect(await repo.revoke('a\u0000b', T0)).toBeNull();
  });
};
