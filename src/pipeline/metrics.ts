/**
 * Pipeline counters, per source and per stage, kept from the first day: they are the first thing a
 * user checks when "nothing is detected". Plain numbers mutated on the hot path; snapshots copy them.
 */
export interface SourceCounters {
  read: number;
  parsed: number;
  unparsed: number;
  overlong: number;
  /** Events at least one detector fired on (simulated rules included). */
  detected: number;
  /** Flagged events that alert (score above 0: not simulation only). */
  threats: number;
  stored: number;
  dropped: number;
  batches: number;
  /** Newest event time (epoch ms) processed from this source. */
  newestEventTime: number | null;
}

export interface StageCounters {
  events: number;
  batches: number;
  /** Cumulative milliseconds spent in the stage. */
  ms: number;
  errors: number;
}

export interface PipelineSnapshot {
  startedAt: string;
  uptimeS: number;
  sources: Record<string, SourceCounters & { lagMs: number | null }>;
  stages: Record<'parse' | 'detect' | 'store', StageCounters>;
  totals: SourceCounters & { lagMs: number | null };
  linesPerSecond: number;
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
    batches: 0,
    newestEventTime: null,
  };
}

function emptyStage(): StageCounters {
  return { events: 0, batches: 0, ms: 0, errors: 0 };
}

export class PipelineMetrics {
  readonly startedAt: number;
  private readonly sources = new Map<string, SourceCounters>();
  readonly stages = { parse: emptyStage(), detect: emptyStage(), store: emptyStage() };

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
      totals: { ...totals, lagMs: lag(now, totals.newestEventTime) },
      linesPerSecond: Math.round(totals.read / uptimeS),
    };
  }
}

/** Ingest lag: now minus the newest event time processed. Never negative (clock skew in logs). */
function lag(now: number, newest: number | null): number | null {
  return newest === null ? null : Math.max(0, now - newest);
}
