/**
 * BehaviourState: everything the behaviour detector remembers, owned by the caller, bounded by configuration.
 * - per IP: a slab slot (ip-table.ts), at most maxTrackedIps, least recently seen evicted;
 * - per site: learned asset families (site-assets.ts), at most maxHosts × maxFamiliesPerHost;
 * - open windows: a FIFO of (slot, end) so windows of silent IPs close as event time advances, at most
 *   2 × maxTrackedIps entries;
 * - closed windows: a queue of at most maxClosedWindows compact records, drained by the pipeline (windows of
 *   ordinary browsers with fewer than windowMinHits hits are counted, not queued);
 * - memos of recent User-Agent and path strings → hash (1,024 entries each).
 */
import type { BehaviourConfig } from './config.js';
import {
  IpTable,
  F as F_,
  U as U_,
  L as L_,
  BITMAP_PATH_WORDS,
  BITMAP_UA_WORDS,
  BITMAP_JA4_WORDS,
  GAP_BINS,
  WINDOW_WORDS,
} from './ip-table.js';
import { SiteAssets } from './site-assets.js';
import { ClosedWindowQueue, normalisedEntropy, threatLevel, type IpWindow } from './windows.js';
import { SCENARIOS, S as S_, type ScenarioId } from './scenarios.js';
import { bitmapEstimate, HashMemo } from './sketch.js';
import { UA_FACT_BROWSER, UA_FACT_GOOD_BOT } from './ip-table.js';
import type { Severity } from '../../core/detection.js';

// Local copies: see detector.ts.
const F = F_;
const L = L_;
const U = U_;
const S = S_;
/** Offsets inside a closed-window record: the slot's per-window run, then the User-Agent facts. */
const W0 = U_.windowFirst;
const RECORD_WORDS = WINDOW_WORDS + 1;
const R_FACTS = WINDOW_WORDS;
/** User-Agent facts memo entries (a power of two). */
export const UA_FACTS_MEMO = 4096;

export interface BehaviourCounters {
  events: number;
  detections: number;
  evictions: number;
  /** IPs whose events jumped back by more than rewindMs: their state restarted. */
  timelineResets: number;
  /** Events older than the latest seen by more than rewindMs: all open windows were closed. */
  rewinds: number;
  windowsClosed: number;
  /** Windows closed before their end because the open-window FIFO was full (only under extreme IP churn). */
  windowsClosedEarly: number;
  /** Closed windows not queued: ordinary browsers with fewer than windowMinHits hits (counted in windowsClosed). */
  windowsNotQueued: number;
}

export class BehaviourState {
  readonly table: IpTable;
  readonly sites: SiteAssets;
  readonly counters: BehaviourCounters = {
    events: 0,
    detections: 0,
    evictions: 0,
    timelineResets: 0,
    rewinds: 0,
    windowsClosed: 0,
    windowsClosedEarly: 0,
    windowsNotQueued: 0,
  };
  /**
   * Direct-mapped memo of User-Agent hash → UA_FACT_* bits + 1 (0: empty), indexed by the hash's low bits: two typed
   * arrays instead of a Map, because a slot's User-Agent facts are looked up whenever its User-Agent changes.
   */
  readonly uaFactsKeys = new Uint32Array(UA_FACTS_MEMO);
  readonly uaFactsValues = new Uint32Array(UA_FACTS_MEMO);
  /** hashString() of recent User-Agents and paths (1,024 entries each). */
  readonly uaHashes = new HashMemo(10);
  readonly pathHashes = new HashMemo(10);
  /** Highest event time seen (epoch ms); drives window closing. */
  watermark = -Infinity;

  private readonly closed: ClosedWindowQueue;

  private readonly fifoSlot: Int32Array;
  private readonly fifoEnd: Float64Array;
  private fifoHead = 0;
  private fifoLen = 0;

  constructor(
    readonly config: BehaviourConfig,
    private readonly botTokens: readonly string[],
  ) {
    this.table = new IpTable(config.maxTrackedIps);
    const a = config.assets;
    this.sites = new SiteAssets(a.minVoters, a.maxHosts, a.maxFamiliesPerHost);
    this.closed = new ClosedWindowQueue(config.maxClosedWindows, RECORD_WORDS);
    const fifoCap = 2 * config.maxTrackedIps;
    this.fifoSlot = new Int32Array(fifoCap);
    this.fifoEnd = new Float64Array(fifoCap);
  }

  get trackedIps(): number {
    return this.table.tracked;
  }

  get openWindowQueueLength(): number {
    return this.fifoLen;
  }

  get closedWindowCount(): number {
    return this.closed.length;
  }

  get droppedWindows(): number {
    return this.closed.dropped;
  }

  /** Takes the closed windows queued so far (oldest first). */
  drainClosedWindows(): IpWindow[] {
    return this.closed.drain((words, base, start, ip) => this.describe(words, base, start, ip));
  }

  /** Closes every open window (end of a replay, shutdown); buckets are kept. */
  flush(): void {
    for (const slot of this.table.slots()) this.closeWindow(slot);
    this.fifoHead = 0;
    this.fifoLen = 0;
  }

  /** Registers the window just opened in `slot`, so it closes even if the IP goes silent. */
  windowOpened(slot: number, end: number): void {
    if (this.fifoLen === this.fifoSlot.length) this.popFront(true);
    const i = (this.fifoHead + this.fifoLen) % this.fifoSlot.length;
    this.fifoSlot[i] = slot;
    this.fifoEnd[i] = end;
    this.table.windowEnd[slot] = end;
    this.fifoLen++;
  }

  /** Closes windows whose end lies more than maxSkewMs behind the watermark. */
  sweep(): void {
    const due = this.watermark - this.config.maxSkewMs;
    while (this.fifoLen > 0 && this.fifoEnd[this.fifoHead]! <= due) this.popFront(false);
  }

  /**
   * Pops the oldest entry and closes its window if it is still the slot's open window. Checked against the table's
   * compact windowEnd array rather than the slot record: most entries are stale (the IP's next event already closed
   * the window), and reading the record would cost a cache miss per entry. An entry of an evicted IP can only
   * match a window of the slot's new IP that ends at the same time, which is then due anyway.
   */
  private popFront(early: boolean): void {
    const slot = this.fifoSlot[this.fifoHead]!;
    const live = this.table.windowEnd[slot] === this.fifoEnd[this.fifoHead];
    this.fifoHead = (this.fifoHead + 1) % this.fifoSlot.length;
    this.fifoLen--;
    if (live) {
      if (early) this.counters.windowsClosedEarly++;
      this.closeWindow(slot);
    }
  }

  /** Emits the slot's open window (if any) and clears its per-window counters. */
  closeWindow(slot: number): void {
    const u32 = this.table.u32;
    const u = slot * U.stride;
    const hits = u32[u + U.hits]!;
    if (hits === 0) return;
    this.counters.windowsClosed++;
    const facts = u32[u + U.uaFacts]!;
    if (hits >= this.config.windowMinHits || !this.ordinary(u32, u, hits, facts)) {
      this.closed.push(u32, u + W0, facts, this.table.f64[slot * F.stride + F.windowStart]!, this.table.ipOf(slot));
    } else {
      this.counters.windowsNotQueued++;
    }
    u32.fill(0, u + U.windowFirst, u + U.windowEnd);
    this.table.windowEnd[slot] = 0;
  }

  /** True when threatLevel() of this window would be LEGITIMATE_BROWSER (see windows.ts), without building it. */
  private ordinary(u32: Uint32Array, u: number, hits: number, facts: number): boolean {
    return (
      u32[u + U.trippedMask] === 0 &&
      (facts & (UA_FACT_BROWSER | UA_FACT_GOOD_BOT)) === UA_FACT_BROWSER &&
      !(hits >= 10 && u32[u + U.status404]! / hits >= 0.5) &&
      !(hits >= 5 && u32[u + U.status4xx]! / hits >= 0.3)
    );
  }

  /** Builds the IpWindow of a closed-window record (`r`: offset of the record in `w`). */
  private describe(w: Uint32Array, r: number, start: number, ip: string): IpWindow {
    const b = r - W0; // so that w[b + U.field] reads a per-window field
    const hits = w[b + U.hits]!;
    const windowMs = this.config.windowMs;
    const mask = w[b + U.trippedMask]!;
    const scenarios: ScenarioId[] = [];
    const severities: Severity[] = [];
    if (mask !== 0) {
      for (let s = 0; s < SCENARIOS.length; s++) {
        if ((mask & (1 << s)) === 0) continue;
        const spec = SCENARIOS[s]!;
        scenarios.push(spec.id);
        severities.push(this.config.scenarios[spec.configKey].severity);
      }
    }
    const distinctPaths = Math.min(hits, bitmapEstimate(w, b + U.pathBits, BITMAP_PATH_WORDS));
    const facts = w[r + R_FACTS]!;
    const botIndex = (facts >>> 8) - 1;
    const headerKnown = w[b + U.headerKnown]!;
    const ratio4xx = w[b + U.status4xx]! / hits;
    const ratio404 = w[b + U.status404]! / hits;
    return {
      ip,
      start,
      end: start + windowMs,
      hits,
      velocity: hits / (windowMs / 1000),
      ratio4xx,
      ratio404,
      ratioPost: w[b + U.posts]! / hits,
      ratioStatic: w[b + U.assets]! / hits,
      ratioDirect: w[b + U.direct]! / hits,
      pathDiversity: distinctPaths / hits,
      distinctPaths,
      temporalEntropy: normalisedEntropy(w, b + U.gapHist, GAP_BINS),
      distinctUserAgents: Math.min(hits, bitmapEstimate(w, b + U.uaBits, BITMAP_UA_WORDS)),
      distinctJa4s: Math.min(hits, bitmapEstimate(w, b + U.ja4Bits, BITMAP_JA4_WORDS)),
      meanHeaderCount: headerKnown > 0 ? w[b + U.headerSum]! / headerKnown : null,
      knownBot: botIndex >= 0 ? (this.botTokens[botIndex] ?? null) : null,
      scenarios,
      threatLevel: threatLevel({
        hits,
        ratio4xx,
        ratio404,
        trippedSeverities: severities,
        recurrence: (mask & (1 << S.recurrence)) !== 0,
        knownBot: (facts & UA_FACT_GOOD_BOT) !== 0,
        browser: (facts & UA_FACT_BROWSER) !== 0,
      }),
    };
  }

  /** Bucket level of scenario `s` for `ip`, for tests and `explain`; undefined when the IP is not tracked. */
  levelOf(ip: string, s: number): number | undefined {
    const slot = this.table.peek(ip);
    return slot < 0 ? undefined : this.table.f32[slot * L.stride + L.level + s];
  }
}
