/**
 * A source opened later (once the store is reachable and its checkpoints are loaded) but registered now, so
 * serve can start its API first. `open` resolving to null means "stopped before it could open": no batches.
 */
import type { Source, SourceBatch } from '../ingest/index.js';

export function deferredSource(id: string, open: () => Promise<Source | null>): Source {
  let inner: Source | null = null;
  let stopped = false;
  return {
    id,
    async *batches(): AsyncIterable<SourceBatch> {
      const source = await open();
      if (!source) return;
      if (stopped) {
        await source.stop();
        return;
      }
      inner = source;
      yield* source.batches();
    },
    stop: async () => {
      stopped = true;
      await inner?.stop();
    },
  };
}
