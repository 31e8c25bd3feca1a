/**
 * Site knowledge across restarts (src/detect/site, stored by SiteKnowledgeRepository): restored once the store is
 * ready, saved every few minutes and at shutdown. Sources may start before the restore finishes; a path learned in
 * those first moments keeps its own evidence. A failed load or save is logged and costs only relearning.
 */
import type { Logger } from 'pino';
import type { SiteSnapshot } from '../detect/index.js';
import type { StoreConnection } from '../pipeline/index.js';
import type { Store } from '../store/index.js';

const SAVE_EVERY_MS = 5 * 60_000;

export interface SiteKnowledgePersistence {
  /** Saves once more (shutdown, after the last batch); resolves even when the save fails. */
  stop(): Promise<void>;
}

/**
 * Where the knowledge lives: the engine's SiteKnowledge in this thread, or serve's ingest worker, which is
 * started on the stored knowledge by its owner (no `restore` here) and answers null until then.
 */
export interface SiteKnowledgeHolder {
  snapshot(): SiteSnapshot[] | null | Promise<SiteSnapshot[] | null>;
  restore?(snapshots: readonly SiteSnapshot[]): void;
  /** Hits held back when the last process stopped without judging them; returns how many were taken. */
  restoreHeld?(threats: readonly unknown[]): number;
  readonly options?: { maxHeld: number };
}

export function persistSiteKnowledge(
  site: SiteKnowledgeHolder | null,
  store: Pick<Store, 'siteKnowledge' | 'heldThreats'>,
  link: StoreConnection,
  logger: Logger,
): SiteKnowledgePersistence {
  if (site === null) return { stop: async () => {} };
  const repo = store.siteKnowledge;
  let ready = false;
  const save = async () => {
    if (!ready) return;
    try {
      const snapshots = await site.snapshot();
      if (snapshots) await repo.save(snapshots);
    } catch (err) {
      logger.warn({ err }, 'saving site knowledge failed');
    }
  };
  void link.ready.then(async (up) => {
    if (!up) return;
    if (!site.restore) {
      ready = true;
      return;
    }
    try {
      const snapshots = await repo.load();
      site.restore(snapshots);
      logger.info({ sites: snapshots.length }, 'site knowledge restored');
    } catch (err) {
      logger.warn({ err }, 'loading site knowledge failed; it is learned again from traffic');
    }
    if (site.restoreHeld) {
      try {
        const held = site.restoreHeld(await store.heldThreats.load(site.options?.maxHeld ?? 10_000));
        if (held > 0) logger.info({ held }, 'held site-knowledge hits restored');
      } catch (err) {
        logger.warn({ err }, 'loading the held site-knowledge hits failed; they are not reported');
      }
    }
    ready = true;
  });
  const timer = setInterval(() => void save(), SAVE_EVERY_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await save();
    },
  };
}
