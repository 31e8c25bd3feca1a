/**
 * Closed per-IP windows: features the API stores and the models train on, and a threat level per window.
 *
 * Windows are tumbling, `windowMs` long (default 1 minute), aligned to multiples of windowMs since the epoch, and
 * per IP: a window opens with the IP's first event in it and closes when the IP sends an event in a later window,
 * when event time (the highest seen) passes its end by maxSkewMs, when the IP is evicted, or on flush().
 *
 * Threat level of a window (first rule that holds):
 * - CRITICAL: recurrence tripped, or two or more scenarios tripped and one of them is high or critical;
 * - HIGH: a high or critical scenario tripped (by default bruteforce, request-flood);
 * - MEDIUM: a medium scenario tripped (http-probing, ua/ja4-rotation, headless), or ≥ 10 hits with ≥ 50 % 404s;
 * - KNOWN_BOT: the User-Agent names a well-known crawler (not proven fake) and nothing above holds;
 * - LOW: a low or info scenario tripped (aggressive-crawl), ≥ 5 hits with ≥ 30 % 4xx, or a client that does not
 *   claim to be a browser (tools, empty User-Agent);
 * - LEGITIMATE_BROWSER: otherwise — a browser User-Agent with none of the signals above.
 * "Tripped" means the scenario's bucket was overflowing at some event of this window.
 */
import { type Severity, SEVERITIES } from '../../core/index.js';
import type { ScenarioId } from './scenarios.js';

export const THREAT_LEVELS = [
  'CRITICAL',
  'HIGH',
  'MEDIUM',
  'LOW',
  'KNOWN_BOT',
  'LEGITIMATE_BROWSER',
] as const;
export type ThreatLevel = (typeof THREAT_LEVELS)[number];

export interface IpWindow {
  ip: string;
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
  hits: number;
  /** hits per second of window length. */
  velocity: number;
  ratio4xx: number;
  ratio404: number;
  ratioPost: number;
  /** Share of requests classified as sub-resources (extension, status, size, or learned per site). */
  ratioStatic: number;
  /** Share of requests without a referer. */
  ratioDirect: number;
  /** Estimated distinct paths / hits. */
  pathDiversity: number;
  distinctPaths: number;
  /** Shannon entropy of binned inter-arrival gaps, normalised to 0..1 (0: one rhythm, 1: all bins equally). */
  temporalEntropy: number;
  distinctUserAgents: number;
  distinctJa4s: number;
  /** Mean logged header count, null when the log carries no headers. */
  meanHeaderCount: number | null;
  /** Claimed well-known crawler token, null otherwise. */
  knownBot: string | null;
  /** Scenarios whose bucket overflowed during the window. */
  scenarios: ScenarioId[];
  threatLevel: ThreatLevel;
}

/** Upper bounds (ms) of the inter-arrival bins; the last bin is open. */
export const GAP_BIN_EDGES = [100, 500, 1_000, 2_000, 5_000, 10_000, 30_000] as const;

export function gapBin(gapMs: number): number {
  for (let i = 0; i < GAP_BIN_EDGES.length; i++) if (gapMs < GAP_BIN_EDGES[i]!) return i;
  return GAP_BIN_EDGES.length;
}

/** Entropy of the `n` bins at `base`, normalised by log2(n). */
export function normalisedEntropy(bins: ArrayLike<number>, base = 0, n = bins.length): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += bins[base + i]!;
  if (total < 2) return 0;
  let h = 0;
  for (let i = 0; i < n; i++) {
    const c = bins[base + i]!;
    if (c > 0) h -= (c / total) * Math.log2(c / total);
  }
  return h / Math.log2(n);
}

export interface LevelInputs {
  hits: number;
  ratio4xx: number;
  ratio404: number;
  trippedSeverities: readonly Severity[];
  recurrence: boolean;
  knownBot: boolean;
  browser: boolean;
}

const rank = (s: Severity) => SEVERITIES.indexOf(s);

export function threatLevel(w: LevelInputs): ThreatLevel {
  let top = -1;
  for (const s of w.trippedSeverities) top = Math.max(top, rank(s));
  const high = rank('high');
  if (w.recurrence || (w.trippedSeverities.length >= 2 && top >= high)) return 'CRITICAL';
  if (top >= high) return 'HIGH';
  if (top === rank('medium') || (w.hits >= 10 && w.ratio404 >= 0.5)) return 'MEDIUM';
  if (w.knownBot) return 'KNOWN_BOT';
  if (top >= 0 || (w.hits >= 5 && w.ratio4xx >= 0.3) || !w.browser) return 'LOW';
  return 'LEGITIMATE_BROWSER';
}

/**
 * Bounded FIFO of closed windows, kept as compact records (a copy of the slot's per-window words, the User-Agent
 * facts, the start and the IP) and turned into IpWindow objects only when drained: most closed windows are never
 * read (nobody drains during a replay; when full, the oldest are dropped), so building objects for them was wasted.
 * When full, the oldest is dropped and counted. Storage grows by doubling up to the cap.
 */
export class ClosedWindowQueue {
  private words: Uint32Array;
  private starts: Float64Array;
  private ips: string[];
  private head = 0;
  private len = 0;
  dropped = 0;

  /** `recordWords`: words copied per window (the slot's per-window run plus one word of User-Agent facts). */
  constructor(
    private readonly cap: number,
    private readonly recordWords: number,
  ) {
    const initial = Math.min(cap, 1024);
    this.words = new Uint32Array(initial * recordWords);
    this.starts = new Float64Array(initial);
    this.ips = new Array<string>(initial).fill('');
  }

  get length(): number {
    return this.len;
  }

  /** Bytes of the typed arrays (the IP strings of queued windows are not counted). */
  get bytes(): number {
    return this.words.byteLength + this.starts.byteLength;
  }

  /** Queues a record: `recordWords - 1` words of `src` from `from`, then `facts`. */
  push(src: Uint32Array, from: number, facts: number, start: number, ip: string): void {
    let size = this.starts.length;
    if (this.len === size && size < this.cap) {
      this.grow();
      size = this.starts.length;
    }
    let i: number;
    if (this.len === size) {
      // Full at the cap: overwrite the oldest.
      i = this.head;
      this.head = i + 1 === size ? 0 : i + 1;
      this.dropped++;
    } else {
      i = this.head + this.len;
      if (i >= size) i -= size;
      this.len++;
    }
    const w = this.recordWords;
    const base = i * w;
    // A plain loop: subarray() + set() would allocate a view per window.
    const words = this.words;
    for (let k = 0; k < w - 1; k++) words[base + k] = src[from + k]!;
    words[base + w - 1] = facts;
    this.starts[i] = start;
    this.ips[i] = ip;
  }

  /** Empties the queue, oldest first, through `build(words, base, start, ip)` (facts at base + recordWords - 1). */
  drain<T>(build: (words: Uint32Array, base: number, start: number, ip: string) => T): T[] {
    const out = new Array<T>(this.len);
    const size = this.starts.length;
    for (let k = 0, i = this.head; k < this.len; k++, i = i + 1 === size ? 0 : i + 1) {
      out[k] = build(this.words, i * this.recordWords, this.starts[i]!, this.ips[i]!);
      this.ips[i] = ''; // do not keep drained IP strings alive
    }
    this.head = 0;
    this.len = 0;
    return out;
  }

  private grow(): void {
    const size = this.starts.length;
    const next = Math.min(this.cap, size * 2);
    const w = this.recordWords;
    const words = new Uint32Array(next * w);
    const starts = new Float64Array(next);
    const ips = new Array<string>(next).fill('');
    // Unroll the ring so the oldest lands at 0.
    for (let k = 0, i = this.head; k < this.len; k++, i = i + 1 === size ? 0 : i + 1) {
      words.set(this.words.subarray(i * w, i * w + w), k * w);
      starts[k] = this.starts[i]!;
      ips[k] = this.ips[i]!;
    }
    this.words = words;
    this.starts = starts;
    this.ips = ips;
    this.head = 0;
  }
}
