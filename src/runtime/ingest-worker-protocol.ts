/**
 * Messages between `serve`'s main thread (ingest-thread.ts: API, store writes, sinks) and the ingest worker
 * (ingest-worker.ts: read -> parse -> detect). Plain data only: events cross encoded (src/pipeline/event-codec.ts,
 * 0.4 µs per event to receive instead of 2.2 for a structured clone), everything else by structured clone.
 *
 * A prepared batch (src/pipeline/types.ts) crosses as `part` messages then one `end`: a 5,000-line batch
 * of cloned events in one message took the main thread tens of milliseconds to deserialise, a part a
 * millisecond or less; the worker sends a part once the main thread has taken the previous one (`part-taken`,
 * answered after a turn of its loop), since a port's queued messages are all deserialised in one turn. The `end` carries the checkpoints and the
 * counters the worker's stages added, so the main thread commits the whole batch in one transaction, in
 * order, and only then acknowledges it (`committed`): the worker never saves or advances a checkpoint, and
 * stops pulling a source while MAX_IN_FLIGHT of its batches wait for the store.
 */
import type { Detection, ThreatEvent } from '../core/index.js';
import type { AllowEntryStats, HeldChanges, IpWindow, NotApplicable, SiteSnapshot } from '../detect/index.js';
import type { Checkpoint } from '../ingest/index.js';
import type { Config } from '../config/index.js';
import type { CounterDelta, EncodedEvents, ReloadOutcome } from '../pipeline/index.js';
import type { WorkerError } from './worker-error.js';

/**
 * Events per `part` message (encoded: about 0.1 ms to receive; cloned, these took 0.5 ms). 1,000 was measured too:
 * catch-up into PGlite no faster (API probe, 4 pairs: 3.7 against 3.4 s, within the noise), so the tuned size stays.
 */
export const PART_EVENTS = 250;

/** Batches of one source sent and not yet committed before the worker stops pulling it. */
export const MAX_IN_FLIGHT = 2;

/** The worker's workerData. */
export interface IngestWorkerData {
  config: Config;
  configFile: string | null;
  /** The CLI's cache directory (validated rule packs), when it has one. */
  cacheDir: string | null;
  /** pino level of the main logger. */
  logLevel: string;
}

/** What the detection reports for the API's rule routes: read per request on the main thread, refreshed by the worker. */
export interface DetectionView {
  ruleIds: string[];
  notApplicable: NotApplicable[];
  ruleCount: number;
  allowlist: AllowEntryStats[];
}

export type ToMain =
  | { kind: 'ready'; view: DetectionView }
  | { kind: 'failed'; error: WorkerError }
  | { kind: 'log'; line: string }
  | { kind: 'part'; sourceId: string; events: EncodedEvents; threats: ThreatEvent[]; windows: IpWindow[] }
  | { kind: 'end'; sourceId: string; checkpoints: readonly Checkpoint[]; counters: CounterDelta; held?: HeldChanges }
  /** The source's files are open at their starting positions (readiness waits for every source's). */
  | { kind: 'source-open'; sourceId: string }
  | { kind: 'source-ended'; sourceId: string; error?: string }
  | { kind: 'view'; view: DetectionView }
  | { kind: 'reply'; id: number; reload?: ReloadOutcome; site?: SiteSnapshot[]; detected?: DetectedEvents }
  | { kind: 'flush'; threats: ThreatEvent[]; windows: IpWindow[]; site: SiteSnapshot[] | null; held: HeldChanges | null }
  | { kind: 'stopped' };

export type ToWorker =
  | {
      kind: 'start';
      /** The log patterns to follow (the configured ones, or the demo's file). */
      patterns: string[];
      startAt: Config['ingest']['startAt'];
      checkpoints: Checkpoint[];
      site: SiteSnapshot[];
      /** Hits held back when the last process stopped without judging them (the store's held_threats). */
      held: unknown[];
    }
  | { kind: 'part-taken' }
  | { kind: 'committed'; sourceId: string }
  | { kind: 'reload'; id: number }
  | { kind: 'site-snapshot'; id: number }
  /** Ready-made events (the ingest API) to detect with the worker's engine; answered by a reply with `detected`. */
  | { kind: 'detect'; id: number; sourceId: string; events: EncodedEvents; verdicts: (Detection | null)[] }
  | { kind: 'stop' };

/**
 * A threat of the `detect` answer without its event when the event is the batch's (`at`: its index), which the main
 * thread has: cloning 10,000 events back cost more than detecting them. A threat of another event (held back by site
 * knowledge earlier, released now) comes whole (`at` -1).
 */
export type DetectedThreat = Omit<ThreatEvent, 'event'> & ({ at: number; event?: undefined } | { at: -1; event: ThreatEvent['event'] });

/** The worker's answer to `detect`: what its engine flagged, the windows those events closed, the counters they added. */
export interface DetectedEvents {
  threats: DetectedThreat[];
  windows: IpWindow[];
  counters: CounterDelta;
}
