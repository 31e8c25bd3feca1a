/**
 * BehaviourState: everything the behaviour detector remembers, owned by the caller, bounded by configuration.
 * - per IP: a slab slot (ip-table.ts), at most maxTrackedIps, least recently seen evicted;
 * - per site: learned asset families (site-assets.ts), at most maxHosts × maxFamiliesPerHost;
 * - open windows: a FIFO of (slot, generation, end) so windows of silent IPs close as event time advances,
 *   at most 2 × maxTrackedIps entries;
 * - closed windows: a queue of at most maxClosedWindows, drained by the pipeline.
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
} from './ip-table.js';
import { SiteAssets } from './site-assets.js';
import { ClosedWindowQueue, normalisedEntropy, threatLevel, type IpWindow } from './windows.js';
import { SCENARIOS, S as S_, type ScenarioId } from './scenarios.js';
import { bitmapEstimate } from './sketch.js';
import { UA_FACT_BROWSER, UA_FACT_GOOD_BOT } from './ip-table.js';
import type { Severity } from '../../core/detection.js';

// Local copies: see detector.ts.
const F = F_;
const L = L_;
const U = U_;
const S = S_;

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
  };
  /** Memo of User-Agent hash → UA_FACT_* bits (bounded by the detector; cleared when full). */
  readonly uaFacts = new Map<number, number>();
  /** Highest event time seen (epoch ms); drives window closing. */
  watermark = -Infinity;

  private readonly closed: ClosedWindowQueue;
  private readonly fifoSlot: Int32Array;
  private readonly fifoGen: Uint32Array;
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
    this.closed = new ClosedWindowQueue(config.maxClosedWindows);
    const fifoCap = 2 * config.maxTrackedIps;
    this.fifoSlot = new Int32Array(fifoCap);
    this.fifoGen = new Uint32Array(fifoCap);
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
    return this.closed.drain();
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
    this.fifoGen[i] = this.table.u32[slot * U.stride + U.generation]!;
    this.fifoEnd[i] = end;
    this.fifoLen++;
  }

  /** Closes windows whose end lies more than maxSkewMs behind the watermark. */
  sweep(): void {
    const due = this.watermark - this.config.maxSkewMs;
    while (this.fifoLen > 0 && this.fifoEnd[this.fifoHead]! <= due) this.popFront(false);
  }

  private popFront(early: boolean): void {
    const slot = this.fifoSlot[this.fifoHead]!;
    const u = slot * U.stride;
    const live =
      this.table.u32[u + U.generation] === this.fifoGen[this.fifoHead] &&
      this.table.u32[u + U.hits]! > 0 &&
      this.table.f64[slot * F.stride + F.windowStart]! + this.config.windowMs === this.fifoEnd[this.fifoHead];
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
    if (u32[u + U.hits] === 0) return;
    this.closed.push(this.describe(slot));
    this.counters.windowsClosed++;
    u32.fill(0, u + U.hits, u + U.windowRecurred + 1);
    u32.fill(0, u + U.pathBits, u + U.pathBits + BITMAP_PATH_WORDS + BITMAP_UA_WORDS + BITMAP_JA4_WORDS);
    u32.fill(0, u + U.gapHist, u + U.gapHist + GAP_BINS);
  }

  private describe(slot: number): IpWindow {
    const { u32, f64 } = this.table;
    const u = slot * U.stride;
    const hits = u32[u + U.hits]!;
    const start = f64[slot * F.stride + F.windowStart]!;
    const windowMs = this.config.windowMs;
    const mask = u32[u + U.trippedMask]!;
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
    const distinctPaths = Math.min(hits, bitmapEstimate(u32, u + U.pathBits, BITMAP_PATH_WORDS));
    const facts = u32[u + U.uaFacts]!;
    const botIndex = (facts >>> 8) - 1;
    const headerKnown = u32[u + U.headerKnown]!;
    const ratio4xx = u32[u + U.status4xx]! / hits;
    const ratio404 = u32[u + U.status404]! / hits;
    return {
      ip: this.table.ipOf(slot),
      start,
      end: start + windowMs,
      hits,
      velocity: hits / (windowMs / 1000),
      ratio4xx,
      ratio404,
      ratioPost: u32[u + U.posts]! / hits,
      ratioStatic: u32[u + U.assets]! / hits,
      ratioDirect: u32[u + U.direct]! / hits,
      pathDiversity: distinctPaths / hits,
      distinctPaths,
      temporalEntropy: normalisedEntropy(u32, u + U.gapHist, GAP_BINS),
      distinctUserAgents: Math.min(hits, bitmapEstimate(u32, u + U.uaBits, BITMAP_UA_WORDS)),
      distinctJa4s: Math.min(hits, bitmapEstimate(u32, u + U.ja4Bits, BITMAP_JA4_WORDS)),
      meanHeaderCount: headerKnown > 0 ? u32[u + U.headerSum]! / headerKnown : null,
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
