/**
 * Real services for tests. When one is unreachable the suite skips with a visible warning,
 * unless RAMPART_REQUIRE_SERVICES=1, where it fails.
 */
import { connect } from 'node:net';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function reachable(url: string, defaultPort: number): Promise<string | null> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = connect({ host: u.hostname, port: Number(u.port || defaultPort), timeout: 1000 });
    s.once('connect', () => (s.end(), resolve(null)));
    s.once('timeout', () => (s.destroy(), resolve('timeout')));
    s.once('error', (e) => resolve(e.message));
  });
}

/** True when the service answers; otherwise warns (or throws when services are required). */
export async function serviceAvailable(name: 'redis' | 'postgres'): Promise<boolean> {
  const problem = name === 'redis' ? await reachable(REDIS_URL, 6379) : await reachable(PG_URL, 5432);
  if (problem === null) return true;
  const msg = `${name} at ${name === 'redis' ? REDIS_URL : PG_URL} unreachable (${problem})`;
  if (process.env.RAMPART_REQUIRE_SERVICES === '1') throw new Error(`RAMPART_REQUIRE_SERVICES=1 but ${msg}`);
  console.warn(`SKIP ${name}: ${msg}`);
  return false;
}
