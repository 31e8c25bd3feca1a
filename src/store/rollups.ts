/**
 * Per-minute counters for one batch, aggregated in memory so each rollup table gets one upsert.
 * Only rows the insert actually added are counted, so a replayed batch adds nothing.
 *
 * Cardinality: a scanner walking 10,000 distinct paths, or a flood from 10,000 addresses, would add
 * that many rollup rows per minute. So paths are cut to 256 characters, and per minute of a batch only
 * the `maxKeys` busiest IPs and paths (by threats, then requests) keep their own row; the rest are
 * summed under OTHER. Top-N lists stay right for anything busy; the long tail is approximate.
 */
import {
  isSimulatedOnly,
  type Category,
  type Severity,
  type ThreatEvent,
  type HttpEvent,
} from '../core/index.js';
import { ip as boundIp, text } from './sanitize.js';

export const OTHER = '(other)';
export const MAX_ROLLUP_PATH = 256;

export interface RollupLimits {
  /** Distinct IPs kept per minute per batch. */
  maxIps: number;
  /** Distinct paths kept per minute per batch. */
  maxPaths: number;
}

// Per minute and batch: far more than a top-10 list needs (IPs with threats rank first), and each kept key
// is one upsert row, the largest cost of an ingest write after the requests themselves.
export const DEFAULT_ROLLUP_LIMITS: RollupLimits = { maxIps: 500, maxPaths: 500 };

export interface MinuteCounts {
  requests: number;
  threats: number;
  bySeverity: Record<Severity, number>;
}

export interface KeyCounts {
  requests: number;
  threats: number;
}

export interface BatchRollups {
  /** Keyed by minute start, epoch ms. */
  minutes: Map<number, MinuteCounts>;
  categories: Map<number, Map<Category, number>>;
  ips: Map<number, Map<string, KeyCounts>>;
  paths: Map<number, Map<string, KeyCounts>>;
  /** The same capped counts summed per UTC day (keyed by day start): a day row is the sum of its minute rows. */
  dayIps: Map<number, Map<string, KeyCounts>>;
  dayPaths: Map<number, Map<string, KeyCounts>>;
}

export const DAY_MS = 86_400_000;

export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

export function minuteOf(ms: number): number {
  return Math.floor(ms / 60_000) * 60_000;
}

export function rollupPath(path: string): string {
  return text(path.length > MAX_ROLLUP_PATH ? path.slice(0, MAX_ROLLUP_PATH) : path);
}

/** `events` and `threats` are the rows the inserts returned (already de-duplicated); simulation-only threats are not counted. */
export function aggregate(
  events: Iterable<HttpEvent>,
  threats: Iterable<ThreatEvent>,
  limits: RollupLimits = DEFAULT_ROLLUP_LIMITS,
): BatchRollups {
  const out: BatchRollups = {
    minutes: new Map(),
    categories: new Map(),
    ips: new Map(),
    paths: new Map(),
    dayIps: new Map(),
    dayPaths: new Map(),
  };
  for (const e of events) {
    const m = minuteOf(e.time);
    minute(out, m).requests++;
    keyed(out.ips, m, boundIp(e.ip)).requests++;
    keyed(out.paths, m, rollupPath(e.path)).requests++;
  }
  for (const t of threats) {
    // Simulation-only detections are stored as evidence but are no threat: /api/stats must not count them.
    if (isSimulatedOnly(t)) continue;
    const m = minuteOf(t.event.time);
    const counts = minute(out, m);
    counts.threats++;
    counts.bySeverity[t.severity]++;
    const cats = getOr(out.categories, m, () => new Map<Category, number>());
    cats.set(t.category, (cats.get(t.category) ?? 0) + 1);
    keyed(out.ips, m, boundIp(t.event.ip)).threats++;
    keyed(out.paths, m, rollupPath(t.event.path)).threats++;
  }
  for (const [m, keys] of out.ips) out.ips.set(m, capKeys(keys, limits.maxIps));
  for (const [m, keys] of out.paths) out.paths.set(m, capKeys(keys, limits.maxPaths));
  sumByDay(out.ips, out.dayIps);
  sumByDay(out.paths, out.dayPaths);
  return out;
}

function sumByDay(byMinute: Map<number, Map<string, KeyCounts>>, byDay: Map<number, Map<string, KeyCounts>>): void {
  for (const [m, keys] of byMinute) {
    const d = dayOf(m);
    for (const [key, c] of keys) {
      const sum = keyed(byDay, d, key);
      sum.requests += c.requests;
      sum.threats += c.threats;
    }
  }
}

/** Keeps the `max` busiest keys (OTHER counts as one of them) and sums the rest into OTHER. */
export function capKeys(keys: Map<string, KeyCounts>, max: number): Map<string, KeyCounts> {
  if (keys.size <= max) return keys;
  const ranked = [...keys].sort(([, a], [, b]) => b.threats - a.threats || b.requests - a.requests);
  const kept = new Map(ranked.slice(0, Math.max(0, max - 1)));
  const other = kept.get(OTHER) ?? { requests: 0, threats: 0 };
  for (const [, c] of ranked.slice(Math.max(0, max - 1))) {
    other.requests += c.requests;
    other.threats += c.threats;
  }
  kept.set(OTHER, other);
  return kept;
}

function minute(out: BatchRollups, m: number): MinuteCounts {
  return getOr(out.minutes, m, () => ({
    requests: 0,
    threats: 0,
    bySeverity: { info: 0, low: 0, medium: 0, high: 0, critical: 0 },
  }));
}

function keyed(map: Map<number, Map<string, KeyCounts>>, m: number, key: string): KeyCounts {
  const keys = getOr(map, m, () => new Map<string, KeyCounts>());
  return getOr(keys, key, () => ({ requests: 0, threats: 0 }));
}

function getOr<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}
