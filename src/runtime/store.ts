/**
 * The store of a role: PGlite or PostgreSQL per the deployment. A database that is down at start is
 * waited for (with /health up and /ready saying so): the store connects, migrates and loads the
 * checkpoints in the background with capped backoff, and the sources start once it answers. A store
 * that rejects a migration (not a connection problem) stops start-up with that error.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { connectStore, StoreOutage, storeOptions, type PipelineMetrics, type StoreConnection } from '../pipeline/index.js';
import { openStore, type Store } from '../store/index.js';

export interface RuntimeStore {
  store: Store;
  /** Failures and recoveries of writes and of the start-up connection; /ready reads it. */
  outage: StoreOutage;
  link: StoreConnection;
}

export async function connectRuntimeStore(config: Config, logger: Logger, metrics: PipelineMetrics, signal: AbortSignal): Promise<RuntimeStore> {
  const store = await openStore({ ...storeOptions(config), logger, reputationMinScore: config.enrich.reputation.minScore, migrate: false });
  const outage = new StoreOutage(store.sql.dialect, logger, metrics.storeAvailability);
  const link = await connectStore(store, outage, { signal });
  void link.ready.then((up) => up && logger.info({ store: store.sql.dialect, migrations: up.migrations.applied.length }, 'store ready'));
  return { store, outage, link };
}
