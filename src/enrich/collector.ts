/**
 * Collector: every interval, picks the IOCs that are due (never enriched, or older than the TTL;
 * most suspicious first), enriches them and stores the results. A provider outage shows up as
 * `error` sources and an earlier retry, never as a stopped collector. Runs never overlap.
 */
import { SEVERITY_SCORE, type Severity, type ThreatEvent } from '../core/index.js';
import { detectIoc } from './ioc.js';
import { classifyIp } from '../net/index.js';
import type { EnrichmentService } from './service.js';
import type { EnrichmentResult, IocType } from './types.js';

export interface DueIoc {
  value: string;
  type: IocType;
}

export interface NewIoc {
  value: string;
  type: IocType;
  /** Higher is enriched first (0-100). */
  priority: number;
}

/** What the collector needs from the store (IocRepository implements it). */
export interface CollectorStore {
  upsertIocs(items: readonly NewIoc[], now: Date): Promise<void>;
  selectDue(limit: number, now: Date): Promise<DueIoc[]>;
  recordEnrichment(result: EnrichmentResult, fetchedAt: Date, nextDue: Date): Promise<void>;
  /** Moves an IOC's next_due without a result (the lookup itself failed). */
  postpone(value: string, nextDue: Date): Promise<void>;
}

export interface CollectorOptions {
  intervalMs: number;
  batchSize: number;
  ttlMs: number;
  /** Next attempt after a run in which a source failed. */
  retryMs: number;
  minSeverity: Severity;
  concurrency?: number;
  now?: () => number;
  onWarning?: (message: string) => void;
  /** After every batch (status pages show the last run). */
  onRun?: (stats: CollectorRunStats) => void;
}

export interface CollectorRunStats {
  picked: number;
  enriched: number;
  /** Picked but not an address providers may see (private, loopback… inserted by hand): not looked up, no risk stored. */
  skipped: number;
  /** Sources that answered `error` (outage, quota) across the batch. */
  sourceErrors: number;
  failed: number;
  durationMs: number;
}

export class Collector {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<CollectorRunStats> | null = null;
  private stopped = true;
  private readonly now: () => number;

  constructor(
    private readonly service: EnrichmentService,
    private readonly store: CollectorStore,
    private readonly opts: CollectorOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops scheduling and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.runOnce()
        .catch((e: unknown) => this.opts.onWarning?.(`collector run failed: ${(e as Error).message}`))
        .finally(() => this.schedule(this.opts.intervalMs));
    }, ms);
    this.timer.unref?.();
  }

  /** One batch. Exposed for tests and for `rampart collector --once`. */
  runOnce(): Promise<CollectorRunStats> {
    this.running ??= this.batch().finally(() => (this.running = null));
    return this.running;
  }

  private async batch(): Promise<CollectorRunStats> {
    const started = this.now();
    const due = await this.store.selectDue(this.opts.batchSize, new Date(started));
    const stats: CollectorRunStats = { picked: due.length, enriched: 0, skipped: 0, sourceErrors: 0, failed: 0, durationMs: 0 };
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const ioc = due[next++]!;
        const at = this.now();
        const kind = ioc.type === 'ipv4' || ioc.type === 'ipv6' ? classifyIp(ioc.value) : 'public';
        if (kind !== 'public') {
          // A risk of 0 stored for it would read as "looked up, clean": it was never looked up.
          stats.skipped++;
          this.opts.onWarning?.(`collector: ${ioc.value} is a ${kind} address: not sent to providers, no risk stored`);
          await this.store.postpone(ioc.value, new Date(at + this.opts.ttlMs)).catch(() => undefined);
          continue;
        }
        try {
          const result = await this.service.lookup(ioc.value);
          const errors = result.sources.filter((s) => s.status === 'error').length;
          stats.sourceErrors += errors;
          await this.store.recordEnrichment(result, new Date(at), new Date(at + (errors > 0 ? this.opts.retryMs : this.opts.ttlMs)));
          stats.enriched++;
        } catch (e) {
          stats.failed++;
          this.opts.onWarning?.(`collector: ${ioc.type} ${ioc.value}: ${(e as Error).message}`);
          await this.store.postpone(ioc.value, new Date(at + this.opts.ttlMs)).catch(() => undefined);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 4, due.length) }, worker));
    stats.durationMs = this.now() - started;
    this.opts.onRun?.(stats);
    return stats;
  }

  /**
   * Adds the sources of threats at or above `minSeverity` as IOCs, prioritised by severity and
   * score. Private addresses are not added.
   */
  async addFromThreats(threats: readonly ThreatEvent[]): Promise<number> {
    const min = SEVERITY_SCORE[this.opts.minSeverity];
    const best = new Map<string, NewIoc>();
    for (const t of threats) {
      if (SEVERITY_SCORE[t.severity] < min) continue;
      const ip = t.event.ip;
      if (classifyIp(ip) !== 'public') continue;
      let value: string;
      let type: IocType;
      try {
        ({ value, type } = detectIoc(ip));
      } catch {
        continue;
      }
      const priority = Math.round(SEVERITY_SCORE[t.severity] * 8 + t.score * 20);
      const prev = best.get(value);
      if (!prev || prev.priority < priority) best.set(value, { value, type, priority });
    }
    if (best.size > 0) await this.store.upsertIocs([...best.values()], new Date(this.now()));
    return best.size;
  }
}
