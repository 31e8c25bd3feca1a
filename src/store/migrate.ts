/**
 * Applies pending migrations, each in its own transaction. Every transaction first takes a
 * transaction-scoped advisory lock (per schema), so two processes starting together apply each
 * migration once: the second waits, then sees it recorded. The lock is released by COMMIT/ROLLBACK,
 * so no session has to be pinned (which a pool would not guarantee).
 */
import { named } from './errors.js';
import type { StoreLogger } from './logger.js';
import type { Migration } from './migrations/index.js';
import type { MigrationStatus, SqlClient } from './types.js';

const LOCK = `SELECT pg_advisory_xact_lock(hashtext('rampart.migrate:' || current_schema()))`;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  id text PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

export async function migrate(
  sql: SqlClient,
  migrations: readonly Migration[],
  logger?: StoreLogger,
): Promise<MigrationStatus> {
  await named('migrate (schema_migrations)', () =>
    sql.transaction(async (tx) => {
      await tx.query(LOCK);
      await tx.query(CREATE_TABLE);
    }),
  );
  for (const m of migrations) {
    const applied = await named(`migrate ${m.id}`, () =>
      sql.transaction(async (tx) => {
        await tx.query(LOCK);
        const done = await tx.query('SELECT 1 FROM schema_migrations WHERE id = $1', [m.id]);
        if (done.rows.length > 0) return false;
        await tx.exec(m.sql);
        await tx.query('INSERT INTO schema_migrations (id) VALUES ($1)', [m.id]);
        return true;
      }),
    );
    if (applied) logger?.info({ migration: m.id }, 'migration applied');
  }
  return migrationStatus(sql, migrations);
}

export async function migrationStatus(sql: SqlClient, migrations: readonly Migration[]): Promise<MigrationStatus> {
  return named('migrationStatus', async () => {
    const exists = await sql.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
    const applied =
      exists.rows[0]?.t == null
        ? []
        : (await sql.query<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id')).rows.map((r) => r.id);
    const done = new Set(applied);
    return { applied, pending: migrations.map((m) => m.id).filter((id) => !done.has(id)) };
  });
}
