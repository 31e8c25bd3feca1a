/**
 * `rampart collector` assembled: the enrichment collector on its own over the configured store, with
 * the same enrichment wiring as role `all` (enrichment.ts). The CLI parses flags, prints and handles
 * signals; `close` releases what was opened, in reverse order.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { DiskCache } from '../core/index.js';
import { storeOptions } from '../pipeline/index.js';
import { openStore } from '../store/index.js';
import { buildCollector, collectorRunLog, openEnrichment, type RunningCollector } from './enrichment.js';

export interface StandaloneCollector {
  running: RunningCollector;
  close(): Promise<void>;
}

/** `once`: no run log (the caller prints the one run's figures). */
export async function openStandaloneCollector(config: Config, logger: Logger, opts: { once: boolean; cache?: DiskCache }): Promise<StandaloneCollector> {
  const store = await openStore({ ...storeOptions(config), logger });
  const enrichment = await openEnrichment(config, (m) => logger.warn(m), opts.cache ? { diskCache: opts.cache } : {}).catch(async (e: unknown) => {
    await store.close();
    throw e;
  });
  const running = buildCollector(config, enrichment, store, (m) => logger.warn(m), opts.once ? undefined : collectorRunLog(logger));
  return {
    running,
    async close() {
      await enrichment.close();
      await store.close();
    },
  };
}
