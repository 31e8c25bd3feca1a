/**
 * SQL for enrichment tests: the store's own openSql (PGlite memory:// or a PostgreSQL server in a
 * throw-away schema), with the enrichment migration applied.
 */
import { openSql } from '../../store/index.js';
import { migration } from '../../store/migrations/0002_enrichment.js';
import { createTestSchema } from '../../store/testing/postgres.js';
import type { SqlClient } from '../../store/types.js';

export async function openPglite(): Promise<SqlClient> {
  const sql = await openSql({ databaseUrl: 'memory://' });
  await sql.exec(migration.sql);
  return sql;
}

/** A fresh schema on the server, dropped on close. */
export async function openPostgres(url: string): Promise<SqlClient> {
  const schema = await createTestSchema(url, 'rampart_enrich');
  const sql = await openSql({ databaseUrl: url, schema: schema.schema });
  await sql.exec(migration.sql);
  return {
    ...sql,
    dialect: sql.dialect,
    query: sql.query.bind(sql),
    exec: sql.exec.bind(sql),
    transaction: sql.transaction.bind(sql),
    close: async () => {
      await sql.close();
      await schema.drop();
    },
  };
}
