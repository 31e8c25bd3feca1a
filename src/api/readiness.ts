/**
 * The store half of GET /ready, for the CLI to compose with its own checks (sources running):
 *   readiness: async () => ({ checks: { ...(await storeChecks(store.schema)), sources: pipelineCheck() } })
 * Details name what is wrong but not where the database lives: /ready is usually unauthenticated.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { SchemaRepository } from '../store/index.js';
import type { ReadinessCheck } from './types.js';

export async function storeChecks(
  schema: Pick<SchemaRepository, 'ping' | 'status'>,
  log?: Pick<FastifyBaseLogger, 'warn'>,
): Promise<Record<'store' | 'migrations', ReadinessCheck>> {
  try {
    await schema.ping();
  } catch (err) {
    log?.warn({ err }, 'readiness: store ping failed');
    return {
      store: { ok: false, detail: 'store unreachable (see the server log)' },
      migrations: { ok: false, detail: 'unknown: store unreachable' },
    };
  }
  try {
    const { applied, pending } = await schema.status();
    const migrations: ReadinessCheck =
      pending.length === 0
        ? { ok: true, detail: `${applied.length} applied` }
        : {
            ok: false,
            detail: `${pending.length} pending: ${pending.slice(0, 10).join(', ')}; run rampart migrate`,
          };
    return { store: { ok: true }, migrations };
  } catch (err) {
    log?.warn({ err }, 'readiness: migration status failed');
    return {
      store: { ok: true },
      migrations: { ok: false, detail: 'cannot read migration status (see the server log)' },
    };
  }
}
