/**
 * What observe() derives from one event before it touches the IP's record: the event's strings reduced to hashes,
 * lengths and yes/no answers, plus the answers that depend on shared state at the event's time (User-Agent facts and
 * bot verdict, the site's learned assets and asset sightings). Applying these to a record is all an event does to
 * it, so an IP's first event can be kept as these quantities alone (parked, ip-table.ts) and applied later, with
 * the same code and the same result, when the IP takes a full record.
 *
 * Parked record, PARKED_WORDS (5) int32 words = 20 bytes:
 *   0  time        clamped event time, int32 ms from the table's base (rebase moves it)
 *   1  pathHash    hashString of the path: the ring entries and bitmap bit use its low bits, lastPageHash all 32
 *   2  uaHash      hashString of the User-Agent (1 when none), kept whole: the next event compares it
 *   3  facts (bits 0..12: UA_FACT_* with this event's good-bot answer) | pageLength << 13 (10 bits, ≤ 512)
 *      | ja4Hash mod 64 << 23 (6 bits: the JA4 bitmap bit, the only use of a first event's JA4 hash)
 *   4  flags (bits 0..11: Q_*) | headerCount << 12 (20 bits; an event with more logged headers is not parked)
 */
import { BITMAP_JA4_WORDS, PARKED_TIME, PARKED_WORDS } from './ip-table.js';

/** The request is a sub-resource (extension, status, size or a learned asset family). */
export const Q_ASSET = 1;
/** A page load: lastPage* take this request (not an asset, not a sub-resource, GET/HEAD, status < 400). */
export const Q_PAGE = 2;
export const Q_4XX = 4;
export const Q_404 = 8;
export const Q_POST = 16;
/** No referer. */
export const Q_DIRECT = 32;
/** The log carries headers for this request (headerCount is their number). */
export const Q_HEADERS = 64;
/** A probing candidate: a probe status to GET/HEAD/POST, not an asset (poured when the path is new to ring4xx). */
export const Q_PROBE = 128;
/** A crawl candidate: a page that exists, not from a good bot (poured when the path is new to ringPath). */
export const Q_CRAWL = 256;
/** A failed-login candidate: POST, login status, login path. */
export const Q_BRUTE = 512;
/** A headless candidate, but for the IP's own asset history (which the record holds). */
export const Q_HEADLESS = 1024;
/** The request carries a JA4 fingerprint (ja4Hash). */
export const Q_JA4 = 2048;

const FACTS_BITS = 13;
const PAGE_LENGTH_BITS = 10;
const FLAG_BITS = 12;
const JA4_BITS = BITMAP_JA4_WORDS * 32;
/** Header counts a parked record can hold. */
const MAX_PARKED_HEADERS = 2 ** (32 - FLAG_BITS) - 1;

(() => {
  // Layout sanity: the packed words hold what the record and the detector can produce.
  if (
    PARKED_WORDS !== 5 ||
    PARKED_TIME !== 0 ||
    JA4_BITS !== 64 ||
    FACTS_BITS + PAGE_LENGTH_BITS + 6 > 32 ||
    Q_JA4 >= 1 << FLAG_BITS
  ) {
    throw new Error('quantities: inconsistent parked layout');
  }
})();

export class EventQuantities {
  /** Clamped event time, epoch ms. */
  t = 0;
  uaHash = 0;
  /** UA_FACT_* of the User-Agent, UA_FACT_GOOD_BOT decided for this event. */
  facts = 0;
  pathHash = 0;
  /** min(path length, MAX_HASHED_CHARS): read with Q_PAGE. */
  pageLength = 0;
  /** Logged header count: read with Q_HEADERS. */
  headerCount = 0;
  /** hashString of the JA4 fingerprint (after load(): its value mod 64, all that is used): read with Q_JA4. */
  ja4Hash = 0;
  /** Q_*. */
  flags = 0;

  /** True when a parked record holds these quantities exactly. */
  parkable(): boolean {
    // facts < 2^13 (bot index + 1 ≤ 512 tokens) and pageLength ≤ 512 always hold; checked for the record's sake.
    return (
      this.headerCount <= MAX_PARKED_HEADERS &&
      this.facts < 1 << FACTS_BITS &&
      this.pageLength < 1 << PAGE_LENGTH_BITS
    );
  }

  /** Writes the quantities to the parked record at word `at` (`base`: the table's base). */
  store(parked: Int32Array, at: number, base: number): void {
    parked[at + PARKED_TIME] = this.t - base;
    parked[at + 1] = this.pathHash;
    parked[at + 2] = this.uaHash;
    parked[at + 3] =
      this.facts |
      (this.pageLength << FACTS_BITS) |
      ((this.ja4Hash % JA4_BITS) << (FACTS_BITS + PAGE_LENGTH_BITS));
    parked[at + 4] = this.flags | (this.headerCount << FLAG_BITS);
  }

  /** Reads the parked record at word `at`. */
  load(parked: Int32Array, at: number, base: number): this {
    this.t = parked[at + PARKED_TIME]! + base;
    this.pathHash = parked[at + 1]! >>> 0;
    this.uaHash = parked[at + 2]! >>> 0;
    const a = parked[at + 3]!;
    this.facts = a & ((1 << FACTS_BITS) - 1);
    this.pageLength = (a >>> FACTS_BITS) & ((1 << PAGE_LENGTH_BITS) - 1);
    this.ja4Hash = a >>> (FACTS_BITS + PAGE_LENGTH_BITS);
    const b = parked[at + 4]!;
    this.flags = b & ((1 << FLAG_BITS) - 1);
    this.headerCount = b >>> FLAG_BITS;
    return this;
  }
}
