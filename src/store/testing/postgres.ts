/**
 * PostgreSQL for tests. TEST_DATABASE_URL (default the local trust-auth server) names the database;
 * each caller gets its own schema and drops it afterwards. When the server does not answer, tests
 * skip with a visible `SKIP postgres:` warning — or fail, when RAMPART_REQUIRE_SERVICES=1.
 *
 *   const pgUrl = await probePostgres('store conformance');
 *   describe.skipIf(!pgUrl)('on postgres', () => { … createTestSchema(pgUrl!) … });
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function servicesRequired(): boolean {
  return process.env.RAMPART_REQUIRE_SERVICES === '1';
}

/** The URL when the server answers; null (after a SKIP warning) when not; throws when services are required. */
export async function probePostgres(what: string, url = TEST_DATABASE_URL): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return url;
  } catch (err) {
    const reason = `${what}: ${redact(url)} unreachable (${err instanceof Error ? err.message : String(err)})`;
    if (servicesRequired()) throw new Error(`RAMPART_REQUIRE_SERVICES=1 but ${reason}`, { cause: err });
    console.warn(`SKIP postgres: ${reason}`);
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface TestSchema {
  url: string;
  schema: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

export async function createTestSchema(url = TEST_DATABASE_URL, prefix = 'rampart_test'): Promise<TestSchema> {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(prefix)) throw new Error(`schema prefix ${JSON.stringify(prefix)} is not a plain identifier`);
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin(url, `CREATE SCHEMA ${schema}`);
  return { url, schema, drop: () => admin(url, `DROP SCHEMA IF EXISTS ${schema} CASCADE`) };
}

// The schema name is generated above (prefix from test code, random hex), never from input.
async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
