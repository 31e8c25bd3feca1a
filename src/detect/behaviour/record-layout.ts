/**
 * The per-IP record layout (IpTable, ip-table.ts): field offsets of the five views of one slab, flags, and the
 * parked first-hit layout. Pure constants, checked once at load.
 */

/**
 * Scenarios with a float32 bucket (level and count) in the record, and a bit in overflowMask / trippedMask. The ninth
 * scenario, slow-probing, has no float32 bucket: its bucket is one byte (B.slowProbing), its tripped bit is in
 * windowFlags (WIN_FLAG_SLOW_PROBING) and its alert time and count are in the alert pool (ALERT_SLOW_*).
 */
export const SCENARIO_COUNT = 8;

/**
 * Full record (slot), 188 bytes (was 416: float64 times, float32 emitted counts, 32-bit ring hashes and counters, a 256-bit
 * path bitmap). Read through five views of one buffer (i32/f32/u32 by word, u16 by half-word, u8 by byte); every
 * field is aligned to its size and the record to 4 bytes. Field constants below are indexes relative to the slot's
 * base in that view: W (words: i32, f32, u32) = slot × W.stride, H (u16) = 2 × that, B (u8) = 4 × that.
 *
 * Times are int32 milliseconds relative to IpTable.base (not float64 epoch ms): millisecond precision is kept because
 * the flood bucket leaks one token per 100 ms and the gap histogram's first edge is 100 ms; ±2^31 ms is ±24.8 days
 * around the base, and BehaviourState moves the base (IpTable.rebase) once event time drifts 2^30 ms (12.4 days)
 * away from it. Times that fall out of range on a rebase saturate: they are then ≥ 24.8 days from now, and every
 * comparison the detector makes spans at most rewindMs / cooldownMs / subresourceGapMs (hours), except leaking a
 * bucket whose capacity × leakMs exceeds 24.8 days (no default comes near: recurrence is 1 × 6 h).
 *
 * Derived rather than stored: the leak time (always equal to the last event time: both are set to the clamped event
 * time on every event), the window start (the table's windowEnd − windowMs), the page count (hits − assets), and the
 * per-bucket "count at last alert" (always below the float64 count the re-alert test compared with it: see pour()).
 * Per-bucket alert times are only meaningful while a bucket overflows, which few IPs ever do: they live in a side
 * pool (AlertPool), one 40-byte entry per IP with an overflowing bucket, referenced from the record.
 */
export const RECORD_BYTES = 188;
const W_STRIDE = RECORD_BYTES / 4;

export const BITMAP_PATH_WORDS = 4;
export const BITMAP_UA_WORDS = 4;
export const BITMAP_JA4_WORDS = 2;
export const RING_PATH_SIZE = 8;
export const RING_4XX_SIZE = 4;
export const GAP_BINS = 8;

/** Word fields (i32 times, f32 bucket state, u32 hashes, counters and bitmaps). */
export const W = {
  /** i32 ms from base: the IP's latest (clamped) event time; also when its buckets were last leaked. */
  lastTime: 0,
  /** i32 ms from base: when it last fetched a page (read only when lastPageHash ≠ 0). */
  lastPageTime: 1,
  /** f32 per scenario: bucket level (as before: levels were already float32). */
  level: 2,
  /** f32 per scenario: tokens poured since the bucket was last empty (fractional: asset weight 0.2). */
  count: 10,
  uaHash: 18,
  lastPageHash: 19,
  /** AlertPool entry + 1, 0 when no bucket of this IP overflows. */
  alertRef: 20,
  // Half-words 42..57 and bytes 88..91: see H and B.
  // Per window, words 29.. (the run [windowFirst, windowEnd) is what a closed window keeps).
  hits: 29,
  /** Sum of logged header counts (saturating at 2^32 − 1; frozen with the other counters, see H). */
  headerSum: 30,
  pathBits: 37,
  uaBits: 41,
  ja4Bits: 45,
  windowFirst: 29,
  windowEnd: 47,
  stride: W_STRIDE,
} as const;

/**
 * u16 fields. The per-window counters other than hits are uint16: they, the header sum and the gap histogram count
 * only the first COUNTED_HITS (65,535) requests of a window, so every ratio and the mean header count are those of
 * that sample (exact below it: one IP sending more than 1,092 requests/s for a whole one-minute window). hits itself
 * stays an exact uint32 (it is the velocity and the IpWindow.hits figure).
 */
export const H = {
  /** Bits 0..2: UA_FACT_*; bits 3..12: known-bot token index + 1 (config caps tokens at 512: 10 bits). */
  uaFacts: 42,
  /** Length of the last page's path, bounded by MAX_HASHED_CHARS (512). */
  lastPageLength: 43,
  /**
   * 16-bit path hashes (the low half of the 32-bit hash), last 8 distinct paths / last 4 distinct 4xx paths. A 16-bit
   * collision makes a new path look seen with probability ≤ 8/65,536 per event: it withholds one crawl or probing
   * token (errs towards no alert).
   */
  ringPath: 46,
  ring4xx: 54,
  assets: 62,
  status4xx: 63,
  status404: 64,
  posts: 65,
  direct: 66,
  headerKnown: 67,
} as const;

/** u8 fields. */
export const B = {
  /** Bit per scenario: bucket overflowing (re-armed when it leaks empty). */
  overflowMask: 88,
  /**
   * The slow-probing bucket, one byte: bits 0..6 its level in whole tokens (config caps its capacity at
   * SLOW_LEVEL_MASK − 1), bit 7 (SLOW_OVERFLOWING) set while it overflows. It leaks one whole token each time event
   * time crosses a multiple of its leakMs (detector.ts), so whole tokens lose nothing to rounding.
   */
  slowProbing: 89,
  /** Bits 0..2: next ringPath position; bits 4..5: next ring4xx position. */
  ringPos: 90,
  /** IP_FLAG_*. */
  ipFlags: 91,
  /** Per window: bit per scenario tripped during the window. */
  trippedMask: 136,
  /** Per window: WIN_FLAG_*. */
  windowFlags: 137,
  /** Per window: inter-arrival gap bins, uint8, halved together when one would pass 255 (see gapAdd). */
  gapHist: 138,
} as const;

/** The IP fetched at least one asset ever (was a saturating uint32 only ever compared with 0). */
export const IP_FLAG_ASSETS = 1;
/** This window has fed the recurrence bucket. */
export const WIN_FLAG_RECURRED = 1;
/** slow-probing was overflowing at an event of this window, and not muted (trippedMask has no ninth bit). */
export const WIN_FLAG_SLOW_PROBING = 2;
/** B.slowProbing: the level bits, and the overflowing bit. */
export const SLOW_LEVEL_MASK = 0x7f;
export const SLOW_OVERFLOWING = 0x80;
/** Requests of a window counted by the uint16 counters (see H). */
export const COUNTED_HITS = 0xffff;

/** Words of a slot's per-window run (what a closed window record keeps). */
export const WINDOW_WORDS = W.windowEnd - W.windowFirst;

(() => {
  // Layout sanity: fields in bounds, the run contiguous and word-aligned.
  const ends = [
    4 * (W.alertRef + 1),
    2 * (H.ring4xx + RING_4XX_SIZE),
    B.ipFlags + 1,
    2 * (H.headerKnown + 1),
    B.gapHist + GAP_BINS,
    4 * (W.pathBits + BITMAP_PATH_WORDS),
    4 * (W.uaBits + BITMAP_UA_WORDS),
    4 * (W.ja4Bits + BITMAP_JA4_WORDS),
  ];
  if (
    4 * W.uaBits !== 4 * W.pathBits + 4 * BITMAP_PATH_WORDS ||
    W.ja4Bits !== W.uaBits + BITMAP_UA_WORDS ||
    W.windowEnd !== W.ja4Bits + BITMAP_JA4_WORDS ||
    4 * W.windowEnd !== RECORD_BYTES ||
    2 * H.ringPath !== B.ringPos + 2 ||
    2 * H.assets !== 4 * (W.headerSum + 1) ||
    B.trippedMask !== 2 * (H.headerKnown + 1) ||
    B.gapHist + GAP_BINS > 4 * W.pathBits ||
    ends.some((e) => e > RECORD_BYTES)
  ) {
    throw new Error('ip-table: inconsistent record layout');
  }
})();

export const UA_FACT_BROWSER = 1;
export const UA_FACT_HEADLESS = 2;
/** Set per event by the detector: the claimed crawler is not proven fake (or is verified, when required). */
export const UA_FACT_GOOD_BOT = 4;
/** uaFacts >>> UA_FACT_BOT_SHIFT: known-bot token index + 1, 0 when none. */
export const UA_FACT_BOT_SHIFT = 3;

/** windowEnd value of a slot without an open window. */
export const NO_WINDOW = -0x80000000;
/** Range times are kept in relative to the base (NO_WINDOW excluded). */
const REL_MIN = -0x7fffffff;
const REL_MAX = 0x7fffffff;
/** Distance from the base at which BehaviourState moves it: half the int32 range, so stored times keep headroom. */
export const REBASE_AT = 2 ** 30;

export function saturateRel(v: number): number {
  return v < REL_MIN ? REL_MIN : v > REL_MAX ? REL_MAX : v;
}

/** AlertPool entry: SCENARIO_COUNT last-alert times, then slow-probing's last-alert time and its count. */
export const ALERT_STRIDE = SCENARIO_COUNT + 2;
export const ALERT_SLOW_TIME = SCENARIO_COUNT;
/** Tokens poured into slow-probing since its fresh overflow (capacity + 1 then): not a time, rebase skips it. */
export const ALERT_SLOW_COUNT = SCENARIO_COUNT + 1;

/**
 * Parked first hit (the compact tier): PARKED_WORDS int32 words per IP seen once, laid out by EventQuantities
 * (quantities.ts). Word PARKED_TIME is the event's time, int32 ms from the base like the record times (rebase moves
 * it); in a free record it links the free list instead.
 */
export const PARKED_WORDS = 5;
export const PARKED_TIME = 0;
