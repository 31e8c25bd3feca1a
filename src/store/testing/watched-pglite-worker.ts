/** Test support: a PGlite worker client whose worker threads the test can see (and terminate). */
import { Worker } from 'node:worker_threads';
import { openPgliteWorker, type PgliteWorkerClient } from '../pglite-worker-client.js';

/** Opens the client on `dataDir`; `workers` lists every worker it started, the first one first. */
export async function openWatchedPgliteWorker(dataDir: string): Promise<{ sql: PgliteWorkerClient; workers: Worker[] }> {
  const workers: Worker[] = [];
  const sql = await openPgliteWorker(dataDir, {
    spawn: (entry, options) => {
      const w = new Worker(entry, options);
      workers.push(w);
      return w;
    },
  });
  return { sql, workers };
}
