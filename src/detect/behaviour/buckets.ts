/**
 * The record scenarios' buckets (scenarios.ts): pouring tokens, leaking to empty, overflow, cooldown and
 * recurrence, and the detection an overflow emits. State lives in the IP's record (ip-table.ts) and the alert pool;
 * this holds only the per-scenario settings. Split from detector.ts, which derives what an event brings and applies
 * it to the record.
 */
import { type HttpEvent, type Detection, type Severity, truncateFragment } from '../../core/index.js';
import type { BehaviourConfig } from './config.js';
import type { BehaviourState } from './state.js';
import {
  W as W_,
  H as H_,
  B as B_,
  WIN_FLAG_RECURRED,
  WIN_FLAG_SLOW_PROBING,
  SLOW_LEVEL_MASK,
  SLOW_OVERFLOWING,
  ALERT_STRIDE,
  ALERT_SLOW_TIME,
  ALERT_SLOW_COUNT,
  BITMAP_PATH_WORDS,
  BITMAP_UA_WORDS,
} from './ip-table.js';
import { SCENARIOS, S as S_, escalate } from './scenarios.js';
import { bitmapEstimate } from './sketch.js';

// Module-local copies of the slot layout (see detector.ts).
const W = W_;
const H = H_;
const B = B_;
const S = S_;

export class ScenarioBuckets {
  readonly enabled: boolean[];
  readonly capacity: Float64Array;
  readonly leakMs: Float64Array;
  readonly severity: Severity[];
  readonly everyEvent: boolean[];
  /** ScenarioSpec.once: no re-alert after the cooldown while the bucket stays full. */
  private readonly once: boolean[];

  constructor(private readonly config: BehaviourConfig) {
    const specs = SCENARIOS.map((s) => config.scenarios[s.configKey]);
    this.enabled = specs.map((s) => s.enabled);
    this.capacity = Float64Array.from(specs.map((s) => s.capacity));
    this.leakMs = Float64Array.from(specs.map((s) => s.leakMs));
    this.severity = specs.map((s) => s.severity);
    this.everyEvent = specs.map((s) => s.everyEvent);
    this.once = SCENARIOS.map((s) => ('once' in s ? s.once : false));
  }

  /** An empty bucket forgets its count and, if it was overflowing, is re-armed for a fresh overflow. */
  empty(table: BehaviourState['table'], w: number, s: number): void {
    const { f32, u8 } = table;
    const b = 4 * w;
    const mask = u8[b + B.overflowMask]!;
    const bit = 1 << s;
    if ((mask & bit) !== 0) {
      u8[b + B.overflowMask] = mask & ~bit;
      if ((mask & ~bit) === 0 && (u8[b + B.slowProbing]! & SLOW_OVERFLOWING) === 0) this.releaseAlerts(table, w);
    }
    f32[w + W.level + s] = 0;
    f32[w + W.count + s] = 0;
  }

  /** empty() for the slow-probing byte: its level and overflow bit cleared, the alert entry released if it was the last. */
  emptySlow(table: BehaviourState['table'], w: number): void {
    const u8 = table.u8;
    const b = 4 * w;
    const slow = u8[b + B.slowProbing]!;
    u8[b + B.slowProbing] = 0;
    if ((slow & SLOW_OVERFLOWING) !== 0 && u8[b + B.overflowMask] === 0) this.releaseAlerts(table, w);
  }

  /** The IP's last overflowing bucket emptied: its alert times are no longer needed. */
  private releaseAlerts(table: BehaviourState['table'], w: number): void {
    const ref = table.u32[w + W.alertRef]!;
    if (ref !== 0) {
      table.alerts.release(ref - 1);
      table.u32[w + W.alertRef] = 0;
    }
  }

  /**
   * One token into slow-probing (its byte bucket, ip-table.ts): pour() for whole tokens. While http-probing overflows
   * the same client is already reported, faster and at a higher severity, so slow-probing is muted then: it counts,
   * overflows and takes its cooldown as usual, but emits nothing and marks no window.
   */
  pourSlow(e: HttpEvent | null, t: number, slot: number, st: BehaviourState, found: Detection[]): void {
    const s = S.slowProbing;
    if (!this.enabled[s]) return;
    const table = st.table;
    const { u32, u8 } = table;
    const w = slot * W.stride;
    const b = 4 * w;
    const cap = this.capacity[s]!;
    const slow = u8[b + B.slowProbing]!;
    const level = (slow & SLOW_LEVEL_MASK) + 1;
    const mask = u8[b + B.overflowMask]!;
    const muted = (mask & (1 << S.probing)) !== 0;
    const alerts = table.alerts.times;
    if ((slow & SLOW_OVERFLOWING) !== 0) {
      u8[b + B.slowProbing] = SLOW_OVERFLOWING | (level < cap ? level : cap);
      if (!muted) u8[b + B.windowFlags] = u8[b + B.windowFlags]! | WIN_FLAG_SLOW_PROBING;
      const a = (u32[w + W.alertRef]! - 1) * ALERT_STRIDE;
      const count = ++alerts[a + ALERT_SLOW_COUNT]!;
      if (t - (alerts[a + ALERT_SLOW_TIME]! + table.base) >= this.config.cooldownMs) {
        alerts[a + ALERT_SLOW_TIME] = t - table.base;
        if (!muted) found.push(this.describe(s, count, true, e, st, slot, s));
      }
      return;
    }
    if (level <= cap) {
      u8[b + B.slowProbing] = level;
      return;
    }
    // Fresh overflow: as pour()'s, recurrence included (muted, http-probing is overflowing, which rules it out).
    if (u32[w + W.alertRef] === 0) u32[w + W.alertRef] = table.alerts.alloc() + 1;
    u8[b + B.slowProbing] = SLOW_OVERFLOWING | cap;
    const a = (u32[w + W.alertRef]! - 1) * ALERT_STRIDE;
    alerts[a + ALERT_SLOW_TIME] = t - table.base;
    alerts[a + ALERT_SLOW_COUNT] = level;
    if (muted) return;
    u8[b + B.windowFlags] = u8[b + B.windowFlags]! | WIN_FLAG_SLOW_PROBING;
    found.push(this.describe(s, level, false, e, st, slot, s));
    const othersOverflowing = (mask & ~(1 << S.recurrence)) !== 0;
    if (!othersOverflowing && (u8[b + B.windowFlags]! & WIN_FLAG_RECURRED) === 0) {
      u8[b + B.windowFlags] = u8[b + B.windowFlags]! | WIN_FLAG_RECURRED;
      this.pour(S.recurrence, 1, e, t, slot, st, found, s);
    }
  }

  /**
   * Adds `amount` tokens (negative: credit back) to scenario `s`; overflow and cooldown decide what is emitted.
   * `cause` is the scenario whose fresh overflow feeds recurrence (it names the recurrence detection's category).
   */
  pour(
    s: number,
    amount: number,
    e: HttpEvent | null,
    t: number,
    slot: number,
    st: BehaviourState,
    found: Detection[],
    cause = s,
  ): void {
    if (!this.enabled[s]) return;
    const table = st.table;
    const { f32, u32, u8 } = table;
    const w = slot * W.stride;
    const b = 4 * w;
    const bit = 1 << s;
    const cap = this.capacity[s]!;
    const level = f32[w + W.level + s]! + amount;
    if (level <= 0) {
      this.empty(table, w, s);
      return;
    }

    if ((u8[b + B.overflowMask]! & bit) !== 0) {
      f32[w + W.level + s] = level < cap ? level : cap;
      u8[b + B.trippedMask] = u8[b + B.trippedMask]! | bit;
      if (amount <= 0) return;
      const count = f32[w + W.count + s]! + amount;
      f32[w + W.count + s] = count;
      // Re-alert after the cooldown "with an updated count": the former float32 "emitted" field held the stored count
      // at the last alert, and the stored count never decreases while overflowing, so (float64) count > emitted
      // held whenever amount > 0, as it does here. Not stored any more.
      const a = (u32[w + W.alertRef]! - 1) * ALERT_STRIDE + s;
      const alerts = table.alerts.times;
      if (!this.once[s] && t - (alerts[a]! + table.base) >= this.config.cooldownMs) {
        alerts[a] = t - table.base;
        if (!this.mutedFlood(s, u8, b)) found.push(this.describe(s, count, true, e, st, slot, cause));
      } else if (this.everyEvent[s] && !this.mutedFlood(s, u8, b)) {
        found.push(this.describe(s, count, true, e, st, slot, cause));
      }
      return;
    }
    const count = amount > 0 ? f32[w + W.count + s]! + amount : f32[w + W.count + s]!;
    f32[w + W.count + s] = count;
    if (level <= cap) {
      f32[w + W.level + s] = level;
      return;
    }
    // Fresh overflow. It feeds recurrence when nothing else of this IP is overflowing (the client came back),
    // at most once per window.
    const mask = u8[b + B.overflowMask]!;
    const othersOverflowing =
      (mask & ~(1 << S.recurrence)) !== 0 || (u8[b + B.slowProbing]! & SLOW_OVERFLOWING) !== 0;
    if (u32[w + W.alertRef] === 0) u32[w + W.alertRef] = table.alerts.alloc() + 1;
    u8[b + B.overflowMask] = mask | bit;
    u8[b + B.trippedMask] = u8[b + B.trippedMask]! | bit;
    f32[w + W.level + s] = cap;
    table.alerts.times[(u32[w + W.alertRef]! - 1) * ALERT_STRIDE + s] = t - table.base;
    if (!this.mutedFlood(s, u8, b)) found.push(this.describe(s, count, false, e, st, slot, cause));
    if (s !== S.recurrence && !othersOverflowing && (u8[b + B.windowFlags]! & WIN_FLAG_RECURRED) === 0) {
      u8[b + B.windowFlags] = u8[b + B.windowFlags]! | WIN_FLAG_RECURRED;
      this.pour(S.recurrence, 1, e, t, slot, st, found, s);
    }
  }

  /**
   * A fast scanner's requests fill the flood bucket too; while http-probing overflows the client is reported as what
   * it is, a scanner, and request-flood stays silent (it counts on; a random-path flood across many clients is
   * keyed/not-found-flood's).
   */
  private mutedFlood(s: number, u8: Uint8Array, b: number): boolean {
    return s === S.flood && (u8[b + B.overflowMask]! & (1 << S.probing)) !== 0;
  }

  private describe(
    s: number,
    count: number,
    repeat: boolean,
    e: HttpEvent | null,
    st: BehaviourState,
    slot: number,
    cause: number,
  ): Detection {
    // A parked first event is applied without its event, and parks() parks only events that cannot alert.
    if (e === null) throw new Error('behaviour: a parked first event overflowed a bucket when applied');
    const spec = SCENARIOS[s]!;
    // Recurrence speaks in the terms of what came back, one severity step up (at least high).
    const recurrence = s === S.recurrence;
    const severity = recurrence ? escalate(this.severity[cause]!, this.severity[s]!) : this.severity[s]!;
    const cap = this.capacity[s]!;
    const { u32, u16 } = st.table;
    const w = slot * W.stride;
    const h = 2 * w;
    const rounded = Math.round(count * 10) / 10;
    const level =
      s === S.slowProbing
        ? st.table.u8[4 * w + B.slowProbing]! & SLOW_LEVEL_MASK
        : Math.round(st.table.f32[w + W.level + s]! * 10) / 10;
    const window =
      `window hits=${u32[w + W.hits]} 4xx=${u16[h + H.status4xx]} 404=${u16[h + H.status404]} ` +
      `posts=${u16[h + H.posts]} assets=${u16[h + H.assets]} ` +
      `distinctPaths≈${bitmapEstimate(u32, w + W.pathBits, BITMAP_PATH_WORDS)} ` +
      `distinctUAs≈${bitmapEstimate(u32, w + W.uaBits, BITMAP_UA_WORDS)}`;
    const detail =
      `${spec.id}: ${rounded} ${spec.token} overflowed capacity ${cap} (level ${level}, leak 1 per ${this.leakMs[s]! / 1000}s)` +
      `${repeat ? ', still overflowing after cooldown' : ''}` +
      `${recurrence ? `; came back with ${SCENARIOS[cause]!.id}` : ''}; ${window}`;
    const fragment =
      s === S.uaRotation
        ? (e.userAgent ?? '-')
        : s === S.ja4Rotation
          ? (e.ja4 ?? '-')
          : `${e.method} ${e.path}`;
    return {
      ruleId: `behaviour/${spec.id}`,
      category: recurrence ? SCENARIOS[cause]!.category : spec.category,
      severity,
      confidence: Math.min(0.99, spec.confidence + 0.05 * Math.log2(Math.max(1, count / cap))),
      field: 'behaviour',
      fragment: truncateFragment(fragment),
      detail,
    };
  }
}
