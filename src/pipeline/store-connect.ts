/**
 * Start-up against a store that may not be there yet (a PostgreSQL server still booting, a network not yet
 * up): serve starts anyway, answers /health, says in /ready that it is waiting, and connects, migrates and
 * loads the checkpoints in the background with capped backoff. Sources start once that is done.
 */
import type { Checkpoint } from '../ingest/index.js';
import { connectionLoss, type MigrationStatus, type Store } from '../store/index.js';
import type { StoreRetryObserver } from './pipeline.js';
import { backoffDelay } from './store-outage.js';

export interface StoreStartup {
  migrations: MigrationStatus;
  checkpoints: Checkpoint[];
}

export interface StoreConnection {
  /** Resolves once migrated with the stored checkpoints; null when stopped first. */
  ready: Promise<StoreStartup | null>;
}

export interface ConnectOptions {
  signal?: AbortSignal;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Makes the first attempt before resolving: a store that rejects a migration (not a connection problem) fails
 * start-up with that error, as before. A store that cannot be reached is retried until it can, in the background.
 */
export async function connectStore(
  store: { schema: Pick<Store['schema'], 'migrate'>; checkpoints: Pick<Store['checkpoints'], 'load'> },
  outage: StoreRetryObserver,
  opts: ConnectOptions = {},
): Promise<StoreConnection> {
  const attempt = async (): Promise<StoreStartup> => ({
    migrations: await store.schema.migrate(),
    checkpoints: await store.checkpoints.load(),
  });
  const first = opts.firstDelayMs ?? 500;
  const max = opts.maxDelayMs ?? 10_000;
  try {
    return { ready: Promise.resolve(await attempt()) };
  } catch (err) {
    if (!connectionLoss(err)) throw err;
    outage.failed(err, 'start-up', first);
  }
  const retry = async (): Promise<StoreStartup | null> => {
    for (let n = 1; ; n++) {
      if (!(await sleep(backoffDelay(n - 1, first, max), opts.signal))) return null;
      try {
        const up = await attempt();
        outage.succeeded('start-up');
        return up;
      } catch (err) {
        outage.failed(err, 'start-up', backoffDelay(n, first, max));
      }
    }
  };
  return { ready: retry() };
}

/** False when the signal fired first. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
