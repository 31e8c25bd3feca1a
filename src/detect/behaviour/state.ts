/**
 * BehaviourState: everything the behaviour detector remembers, owned by the caller, bounded by configuration.
 * - per IP: a full record, or while it has sent one event a parked one (ip-table.ts), at most maxTrackedIps in all,
 *   least recently seen evicted;
 * - per site: learned asset families (site-assets.ts), at most maxHosts × maxFamiliesPerHost;
 * - open windows: a FIFO of (handle, end) so windows of silent IPs close as event time advances, at most
 *   2 × maxTrackedIps entries;
 * - closed windows: a queue of at most maxClosedWindows compact records, drained by the pipeline (windows of
 *   ordinary browsers with fewer than windowMinHits hits are counted, not queued);
 * - memos of recent User-Agent and path strings → hash (1,024 entries each).
 */
import type { BehaviourConfig } from './config.js';
import {
  IpTable,
  W as W_,
  H as H_,
  B as B_,
  BITMAP_PATH_WORDS,
  BITMAP_UA_WORDS,
  BITMAP_JA4_WORDS,
  COUNTED_HITS,
  GAP_BINS,
  NO_WINDOW,
  REBASE_AT,
  WINDOW_WORDS,
  WIN_FLAG_SLOW_PROBING,
  SLOW_LEVEL_MASK,
  saturateRel,
} from './ip-table.js';
import { SiteAssets } from './site-assets.js';
import { KeyedState } from './keyed/index.js';
import { ClosedWindowQueue, normalisedEntropy, threatLevel, type IpWindow } from './windows.js';
import { SCENARIOS, S as S_, type ScenarioId } from './scenarios.js';
import { bitmapEstimate, HashMemo } from './sketch.js';
import { UA_FACT_BROWSER, UA_FACT_GOOD_BOT, UA_FACT_BOT_SHIFT } from './ip-table.js';
import type { Severity } from '../../core/index.js';

// Local copies: see detector.ts.
const W = W_;
const H = H_;
const B = B_;
const S = S_;
/** Offsets inside a closed-window record: the slot's per-window run, then the User-Agent facts. */
const W0 = W_.windowFirst;
const RECORD_WORDS = WINDOW_WORDS + 1;
const R_FACTS = WINDOW_WORDS;
/** User-Agent facts memo entries (a power of two). */
export const UA_FACTS_MEMO = 4096;

/**
 * Writes the record of a parked IP (`handle`) into the empty record `slot`, as its first event made it: the
 * detector's own application code (BehaviourDetector.applyParked), so a parked IP's window closes exactly as it
 * would have with a full record.
 */
export type ParkedWriter = (st: BehaviourState, handle: number, slot: number) => void;

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
  /** Buckets of the keyed scenarios (keyed/), bounded tables touched only by their candidate requests. */
  readonly keyed: KeyedState;
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

  private readonly fifoHandle: Int32Array;
  /** Window ends, int32 ms from table.base like the table's windowEnd (moved with it by rebase). */
  private readonly fifoEnd: Int32Array;
  /** Views over the closed queue's words, for describe(); rebuilt when the queue grows. */
  private closedU16: Uint16Array | null = null;
  private closedU8: Uint8Array | null = null;
  private fifoHead = 0;
  private fifoLen = 0;

  constructor(
    readonly config: BehaviourConfig,
    private readonly botTokens: readonly string[],
    private readonly writeParked: ParkedWriter,
  ) {
    this.table = new IpTable(config.maxTrackedIps);
    this.keyed = new KeyedState(config.rewindMs);
    const a = config.assets;
    this.sites = new SiteAssets(a.minVoters, a.maxHosts, a.maxFamiliesPerHost);
    this.closed = new ClosedWindowQueue(config.maxClosedWindows, RECORD_WORDS);
    const fifoCap = 2 * config.maxTrackedIps;
    this.fifoHandle = new Int32Array(fifoCap);
    this.fifoEnd = new Int32Array(fifoCap);
  }

  get trackedIps(): number {
    return this.table.tracked;
  }

  /** Tracked IPs with a full record; the others have sent one event, parked (ip-table.ts). */
  get fullIps(): number {
    return this.table.full;
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

  /**
   * Bytes of state actually written (IpTable.usedBytes), the open-window FIFO and closed-window queue included;
   * IP strings of queued windows and the site profiles are not counted.
   */
  get usedBytes(): number {
    return (
      this.table.usedBytes + this.fifoHandle.byteLength + this.fifoEnd.byteLength + this.closed.bytes + this.keyed.bytes
    );
  }

  /** Takes the closed windows queued so far (oldest first). */
  drainClosedWindows(): IpWindow[] {
    return this.closed.drain((words, base, start, ip) => this.describe(words, base, start, ip));
  }

  /** Closes every open window (end of a replay, shutdown); buckets are kept. */
  flush(): void {
    for (const handle of this.table.handles()) this.closeWindow(handle);
    this.fifoHead = 0;
    this.fifoLen = 0;
  }

  /**
   * Keeps `t` (epoch ms) within REBASE_AT of the table's base, so every relative time fits int32. Called once per
   * event, after sweep(): windows due by then are closed with exact times before stored times may saturate.
   */
  track(t: number): void {
    const base = this.table.base;
    if (t - base < REBASE_AT && base - t < REBASE_AT) return;
    const shift = this.table.rebase(t);
    if (shift === 0) return;
    const fifo = this.fifoEnd;
    for (let k = 0, i = this.fifoHead; k < this.fifoLen; k++, i = i + 1 === fifo.length ? 0 : i + 1) {
      fifo[i] = saturateRel(fifo[i]! + shift);
    }
  }

  /** Registers the window just opened by IP `handle`, so it closes even if the IP goes silent (`end`: relative ms). */
  windowOpened(handle: number, end: number): void {
    if (this.fifoLen === this.fifoHandle.length) this.popFront(true);
    const i = (this.fifoHead + this.fifoLen) % this.fifoHandle.length;
    this.fifoHandle[i] = handle;
    this.fifoEnd[i] = end;
    this.table.windowEnd[handle] = end;
    this.fifoLen++;
  }

  /** Closes windows whose end lies more than maxSkewMs behind the watermark. */
  sweep(): void {
    const due = this.watermark - this.config.maxSkewMs - this.table.base; // relative, like fifoEnd
    while (this.fifoLen > 0 && this.fifoEnd[this.fifoHead]! <= due) this.popFront(false);
  }

  /**
   * Pops the oldest entry and closes its window if it is still the IP's open window. Checked against the table's
   * compact windowEnd array rather than the record: most entries are stale (the IP's next event already closed
   * the window), and reading the record would cost a cache miss per entry. An entry of an evicted IP can only
   * match a window of the handle's new IP that ends at the same time, which is then due anyway.
   */
  private popFront(early: boolean): void {
    const handle = this.fifoHandle[this.fifoHead]!;
    const live = this.table.windowEnd[handle] === this.fifoEnd[this.fifoHead];
    this.fifoHead = (this.fifoHead + 1) % this.fifoHandle.length;
    this.fifoLen--;
    if (live) {
      if (early) this.counters.windowsClosedEarly++;
      this.closeWindow(handle);
    }
  }

  /** Emits the IP's open window (if any) and clears its per-window counters. */
  closeWindow(handle: number): void {
    const table = this.table;
    // An open window has hits > 0 and an end (the record's hits and windowEnd are set and cleared together).
    if (table.windowEnd[handle] === NO_WINDOW) return;
    // A parked IP keeps its parked record: the window's end, now NO_WINDOW, tells a later promotion it is closed.
    const slot = this.recordOf(handle);
    const u32 = table.u32;
    const w = slot * W.stride;
    const hits = u32[w + W.hits]!;
    this.counters.windowsClosed++;
    const facts = table.u16[2 * w + H.uaFacts]!;
    if (hits >= this.config.windowMinHits || !this.ordinary(table.u8, table.u16, w, hits, facts)) {
      const start = table.windowEnd[handle]! + table.base - this.config.windowMs;
      this.closed.push(u32, w + W0, facts, start, table.ipOf(handle));
    } else {
      this.counters.windowsNotQueued++;
    }
    u32.fill(0, w + W.windowFirst, w + W.windowEnd);
    table.windowEnd[handle] = NO_WINDOW;
  }

  /** True when threatLevel() of this window would be LEGITIMATE_BROWSER (see windows.ts), without building it. */
  private ordinary(u8: Uint8Array, u16: Uint16Array, w: number, hits: number, facts: number): boolean {
    const counted = hits < COUNTED_HITS ? hits : COUNTED_HITS;
    return (
      u8[4 * w + B.trippedMask] === 0 &&
      (u8[4 * w + B.windowFlags]! & WIN_FLAG_SLOW_PROBING) === 0 &&
      (facts & (UA_FACT_BROWSER | UA_FACT_GOOD_BOT)) === UA_FACT_BROWSER &&
      !(hits >= 10 && u16[2 * w + H.status404]! / counted >= 0.5) &&
      !(hits >= 5 && u16[2 * w + H.status4xx]! / counted >= 0.3)
    );
  }

  /** Builds the IpWindow of a closed-window record (`r`: word offset of the record in `w`). */
  private describe(w: Uint32Array, r: number, start: number, ip: string): IpWindow {
    if (this.closedU16?.buffer !== w.buffer) {
      this.closedU16 = new Uint16Array(w.buffer);
      this.closedU8 = new Uint8Array(w.buffer);
    }
    const w16 = this.closedU16;
    const w8 = this.closedU8!;
    const b = r - W0; // so that w[b + W.field], w16[2b + H.field], w8[4b + B.field] read per-window fields
    const hits = w[b + W.hits]!;
    // Ratio denominators: the uint16 counters count the window's first COUNTED_HITS requests (ip-table.ts, H).
    const counted = hits < COUNTED_HITS ? hits : COUNTED_HITS;
    const windowMs = this.config.windowMs;
    // trippedMask has a bit per float32 bucket; slow-probing's (the last scenario) is a window flag.
    const slowBit = (w8[4 * b + B.windowFlags]! & WIN_FLAG_SLOW_PROBING) !== 0 ? 1 << S.slowProbing : 0;
    const mask = w8[4 * b + B.trippedMask]! | slowBit;
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
    const distinctPaths = Math.min(hits, bitmapEstimate(w, b + W.pathBits, BITMAP_PATH_WORDS));
    const facts = w[r + R_FACTS]!;
    const botIndex = (facts >>> UA_FACT_BOT_SHIFT) - 1;
    const headerKnown = w16[2 * b + H.headerKnown]!;
    const ratio4xx = w16[2 * b + H.status4xx]! / counted;
    const ratio404 = w16[2 * b + H.status404]! / counted;
    return {
      ip,
      start,
      end: start + windowMs,
      hits,
      velocity: hits / (windowMs / 1000),
      ratio4xx,
      ratio404,
      ratioPost: w16[2 * b + H.posts]! / counted,
      ratioStatic: w16[2 * b + H.assets]! / counted,
      ratioDirect: w16[2 * b + H.direct]! / counted,
      pathDiversity: distinctPaths / hits,
      distinctPaths,
      temporalEntropy: normalisedEntropy(w8, 4 * b + B.gapHist, GAP_BINS),
      distinctUserAgents: Math.min(hits, bitmapEstimate(w, b + W.uaBits, BITMAP_UA_WORDS)),
      distinctJa4s: Math.min(hits, bitmapEstimate(w, b + W.ja4Bits, BITMAP_JA4_WORDS)),
      meanHeaderCount: headerKnown > 0 ? w[b + W.headerSum]! / headerKnown : null,
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
    const table = this.table;
    const handle = table.peek(ip);
    if (handle < 0) return undefined;
    const w = this.recordOf(handle) * W.stride;
    return s === S.slowProbing
      ? table.u8[4 * w + B.slowProbing]! & SLOW_LEVEL_MASK
      : table.f32[w + W.level + s];
  }

  /** The slot holding the record of `handle`; for a parked IP, the scratch slot, its record written there to be read. */
  private recordOf(handle: number): number {
    const table = this.table;
    const slot = table.tier[handle]! - 1;
    if (slot >= 0) return slot;
    table.clear(table.scratch);
    this.writeParked(this, handle, table.scratch);
    return table.scratch;
  }
}
