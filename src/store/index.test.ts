import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../core/index.js';
import { openSql, openStore } from './index.js';
import { MIGRATIONS } from './migrations/index.js';
import { makeEvent } from './testing/fixtures.js';
import { createTestSchema, probePostgres, type TestSchema } from './testing/postgres.js';

const url = await probePostgres('openStore');
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});
const checkpoint = { source: '/var/log/a.log', fileId: '1:2', offset: 42, line: 2, headHash: 'h' };

describe('openStore', () => {
  it('keeps PGlite data in its folder across restarts', { timeout: 180_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-store-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const first = await openStore({ dataDir: join(dir, 'nested', 'pglite') });
    expect(first.sql.dialect).toBe('pglite');
    await first.writer.write({ events: [makeEvent('e1')], threats: [], checkpoints: [checkpoint] });
    await first.close();
    const again = await openStore({ dataDir: join(dir, 'nested', 'pglite') });
    try {
      expect(await again.checkpoints.load()).toEqual([checkpoint]);
      expect((await again.schema.status()).pending).toEqual([]);
    } finally {
      await again.close();
    }
  });

  it('rejects an unknown URL scheme, naming the key', async () => {
    await expect(openSql({ databaseUrl: 'mysql://x' })).rejects.toBeInstanceOf(ConfigError);
    await expect(openSql({ databaseUrl: 'mysql://x' })).rejects.toThrow(/databaseUrl/);
  });

  it.skipIf(!url)('opens a postgres server in a schema, migrated', async () => {
    const s: TestSchema = await createTestSchema(url!);
    cleanups.push(() => s.drop());
    const store = await openStore({ databaseUrl: s.url, schema: s.schema });
    try {
      expect(store.sql.dialect).toBe('postgres');
      expect(await store.schema.status()).toEqual({ applied: MIGRATIONS.map((m) => m.id), pending: [] });
      const { rows } = await store.sql.query<{ app: string; schema: string }>(
        `SELECT current_setting('application_name') AS app, current_schema() AS schema`,
      );
      expect(rows[0]).toEqual({ app: 'rampart', schema: s.schema });
    } finally {
      await store.close();
    }
  });

  it('refuses a schema that is not a plain identifier', async () => {
    await expect(openSql({ databaseUrl: 'postgres://127.0.0.1/x', schema: 'a; DROP' })).rejects.toBeInstanceOf(ConfigError);
  });
});
