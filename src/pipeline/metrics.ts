/**
 * Pipeline counters, per source and per stage, kept from the first day: they are the first thing a
 * user checks when "nothing is detected". Plain numbers mutated on the hot path; snapshots copy them.
 */
import type { Category, ThreatEvent } from '../core/index.js';

/** Counters of one source (one configured file, glob, or ingest endpoint) since the pipeline started. */
export interface SourceCounters {
  /** Lines read. */
  read: number;
  parsed: number;
  /** Lines no log format could parse (kept out of the store, counted here). */
  unparsed: number;
  /** Lines longer than MAX_LINE, rejected before parsing. */
  overlong: number;
  /** Events at least one detector fired on (simulated rules included). */
  detected: number;
  /** Flagged events that alert (score above 0: not simulation only). */
  threats: number;
  /** Events now in the store. */
  stored: number;
  /** Lines or events not stored in this run for any other reason; should stay 0. */
  dropped: number;
  /** Bytes of the input known to be unrecoverable (truncated before read, no rotated copy found); should stay 0. */
  lostBytes: number;
  /** Times part of the input could not be recovered (lostBytes may not know the size, e.g. while stopped). */
  losses: number;
  batches: number;
  /** Newest event time processed (epoch ms); null before the first. */
  newestEventTime: number | null;
}

/** A source's counters with its ingest lag: now minus newestEventTime, never negative; null before the first event. */
export type SourceMetrics = SourceCounters & { lagMs: number | null };

/** Counters of one stage (parse, detect, store) over all sources. */
export interface StageCounters {
  events: number;
  batches: number;
  /** Cumulative milliseconds spent in the stage (store: write latency; divide by batches for the mean). */
  ms: number;
  errors: number;
}

/** The store as the pipeline saw it (see store-outage.ts). */
export interface StoreAvailability {
  /** Outages since start: runs of failed writes or connection attempts ended by a success. */
  outages: number;
  /** Failed attempts after the first of each outage. */
  retries: number;
  /** Epoch ms the current outage began; null while the store answers. */
  downSince: number | null;
  /** Why the current outage's last attempt failed (a short label, no address); null while the store answers. */
  lastError: string | null;
}

/** Counters of one output after the store (a ThreatSink), in batches: see src/pipeline/sinks.ts. */
export interface SinkCounters {
  /** Batches the sink took (its write returned or resolved). */
  delivered: number;
  /** Batches whose write threw or rejected. */
  failed: number;
  /** Batches dropped because the sink's queue was full (or still waiting at shutdown). */
  dropped: number;
  /** Batches waiting now. */
  queued: number;
}

export interface PipelineSnapshot {
  startedAt: string;
  uptimeS: number;
  /** Keyed by source id. */
  sources: Record<string, SourceMetrics>;
  stages: Record<'parse' | 'detect' | 'store', StageCounters>;
  /** Keyed by sink name (`live-bus`, `ioc-collector`...). */
  sinks: Record<string, SinkCounters>;
  /** Sums over all sources; newestEventTime and lagMs from the newest source. */
  totals: SourceMetrics;
  linesPerSecond: number;
  storeAvailability: StoreAvailability;
}

function emptySource(): SourceCounters {
  return {
    read: 0,
    parsed: 0,
    unparsed: 0,
    overlong: 0,
    detected: 0,
    threats: 0,
    stored: 0,
    dropped: 0,
    lostBytes: 0,
    losses: 0,
    batches: 0,
    newestEventTime: null,
  };
}

/** Counters one thread's parse and detect added to a source (takeDelta, addDelta). */
export interface CounterDelta {
  source: Partial<SourceCounters>;
  parse: StageCounters;
  detect: StageCounters;
}

const COUNTED = (Object.keys(emptySource()) as (keyof SourceCounters)[]).filter((k): k is Exclude<keyof SourceCounters, 'newestEventTime'> => k !== 'newestEventTime');

function takeStage(s: StageCounters): StageCounters {
  const copy = { ...s };
  Object.assign(s, emptyStage());
  return copy;
}

function emptyStage(): StageCounters {
  return { events: 0, batches: 0, ms: 0, errors: 0 };
}

export class PipelineMetrics {
  readonly startedAt: number;
  private readonly sources = new Map<string, SourceCounters>();
  private readonly sinks = new Map<string, () => SinkCounters>();
  readonly stages = { parse: emptyStage(), detect: emptyStage(), store: emptyStage() };
  readonly storeAvailability: StoreAvailability = { outages: 0, retries: 0, downSince: null, lastError: null };
  /**
   * Detections of stored threats by rule id, with the rule's category (simulated ones are not counted: they
   * raise nothing). Counted at commit, on the thread that stores, so both ingest modes count once.
   */
  readonly detections = new Map<string, { category: Category; count: number }>();
  /** Batches handed to the store and not committed yet (serve's ingest thread holds up to two per source). */
  storePending = 0;
  /** Hears each successful store write's latency in ms (the Prometheus histogram); unset by default. */
  onStoreWrite: ((ms: number) => void) | undefined;

  constructor(private readonly now: () => number = Date.now) {
    this.startedAt = now();
  }

  source(id: string): SourceCounters {
    let c = this.sources.get(id);
    if (!c) {
      c = emptySource();
      this.sources.set(id, c);
    }
    return c;
  }

  /** Counts the detections of a stored batch's threats (a few per batch: threats are rare among events). */
  countDetections(threats: readonly ThreatEvent[]): void {
    for (const t of threats) {
      for (const d of t.detections) {
        if (d.simulated === true) continue;
        const c = this.detections.get(d.ruleId);
        if (c) c.count++;
        else this.detections.set(d.ruleId, { category: d.category, count: 1 });
      }
    }
  }

  /** Registers a sink's counters, read at each snapshot. */
  addSink(name: string, counters: () => SinkCounters): void {
    this.sinks.set(name, counters);
  }

  /**
   * What the stages added to `sourceId` since the last take, and zeroes it: how a worker thread hands its counts to the
   * thread that reports them (addDelta there). newestEventTime stays: it is a position, not a count.
   */
  takeDelta(sourceId: string): CounterDelta {
    const counters = this.source(sourceId);
    const source: Partial<SourceCounters> = {};
    for (const k of COUNTED) {
      source[k] = counters[k];
      counters[k] = 0;
    }
    return { source, parse: takeStage(this.stages.parse), detect: takeStage(this.stages.detect) };
  }

  /** Adds what another thread's takeDelta returned. */
  addDelta(sourceId: string, delta: CounterDelta): void {
    const counters = this.source(sourceId);
    for (const k of COUNTED) counters[k] += delta.source[k] ?? 0;
    for (const stage of ['parse', 'detect'] as const) {
      const into = this.stages[stage];
      const d = delta[stage];
      into.events += d.events;
      into.batches += d.batches;
      into.ms += d.ms;
      into.errors += d.errors;
    }
  }

  snapshot(): PipelineSnapshot {
    const now = this.now();
    const totals = emptySource();
    const sources: PipelineSnapshot['sources'] = {};
    for (const [id, c] of this.sources) {
      sources[id] = { ...c, lagMs: lag(now, c.newestEventTime) };
      for (const k of Object.keys(totals) as (keyof SourceCounters)[]) {
        if (k === 'newestEventTime') {
          if (c.newestEventTime !== null && (totals.newestEventTime ?? -Infinity) < c.newestEventTime)
            totals.newestEventTime = c.newestEventTime;
        } else totals[k] += c[k];
      }
    }
    const sinks: PipelineSnapshot['sinks'] = {};
    for (const [name, counters] of this.sinks) sinks[name] = { ...counters() };
    const uptimeS = Math.max(0.001, (now - this.startedAt) / 1000);
    return {
      startedAt: new Date(this.startedAt).toISOString(),
      uptimeS: Math.round(uptimeS),
      sources,
      stages: {
        parse: { ...this.stages.parse },
        detect: { ...this.stages.detect },
        store: { ...this.stages.store },
      },
      sinks,
      totals: { ...totals, lagMs: lag(now, totals.newestEventTime) },
      linesPerSecond: Math.round(totals.read / uptimeS),
      storeAvailability: { ...this.storeAvailability },
    };
  }
}

/** Ingest lag: now minus the newest event time processed. Never negative (clock skew in logs). */
function lag(now: number, newest: number | null): number | null {
  return newest === null ? null : Math.max(0, now - newest);
}
