/**
 * Background upkeep of a role that writes: raw-request retention, and rule packs and profiles reloaded
 * on SIGHUP and when a user pack changes (behaviour state is kept).
 */
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { startRetention, startRuleReload, type AsyncReloadable } from '../pipeline/index.js';
import type { Store } from '../store/index.js';
import { startDecisionPrune } from './decisions.js';

/** `detection`: the engine's parts in this thread, or serve's ingest worker (which reloads when asked). */
export function startMaintenance(
  config: Config,
  store: Store,
  detection: AsyncReloadable & { userRulePaths: readonly string[] },
  logger: Logger,
): { stop(): void } {
  const retention = startRetention(store, config.store.retentionDays, logger);
  const stopReload = startRuleReload(detection, logger);
  const decisionPrune = startDecisionPrune(config, store, logger);
  return {
    stop() {
      decisionPrune.stop();
      stopReload();
      retention.stop();
    },
  };
}
