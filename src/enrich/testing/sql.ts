/**
 * SQL for enrichment tests: the store's own openSql (PGlite memory:// or a PostgreSQL server in a
 * throw-away schema), with the enrichment migration applied.
 */
import { MIGRATIONS, openSql, type SqlClient } from '../../store/index.js';
import { createTestSchema } from '../../store/testing/postgres.js';

/** The enrichment tables alone: these tests do not need the rest of the schema. */
const migration = MIGRATIONS.find((m) => m.id === '0002_enrichment')!;

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
