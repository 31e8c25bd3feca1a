/**
 * The behaviour features of a window as statistics see them: name (the ip_windows column), how to read it from an
 * IpWindow, and a fixed histogram (ratios: 20 linear bins over 0..1; counts and rates: doubling bins from `lo`), so
 * per-hour histograms merge by adding bins and percentiles come from the merged histogram (interpolated in a bin,
 * clamped to the exact min and max). Pure.
 */
import type { IpWindow } from '../detect/index.js';

export const WINDOW_FEATURES = [
  'hits',
  'velocity',
  'ratio_4xx',
  'ratio_404',
  'ratio_post',
  'ratio_static',
  'ratio_direct',
  'path_diversity',
  'distinct_paths',
  'temporal_entropy',
  'distinct_user_agents',
  'distinct_ja4s',
  'mean_header_count',
] as const;
export type WindowFeature = (typeof WINDOW_FEATURES)[number];

interface Spec {
  read(w: IpWindow): number | null;
  scale: 'ratio' | 'log';
  /** log scale: upper edge of bin 0; bin i ≥ 1 is [lo·2^(i-1), lo·2^i), the last bin is open. */
  lo?: number;
}

const RATIO_BINS = 20;
const LOG_BINS = 24;

export const FEATURE_SPECS: Record<WindowFeature, Spec> = {
  hits: { read: (w) => w.hits, scale: 'log', lo: 1 },
  velocity: { read: (w) => w.velocity, scale: 'log', lo: 1 / 64 },
  ratio_4xx: { read: (w) => w.ratio4xx, scale: 'ratio' },
  ratio_404: { read: (w) => w.ratio404, scale: 'ratio' },
  ratio_post: { read: (w) => w.ratioPost, scale: 'ratio' },
  ratio_static: { read: (w) => w.ratioStatic, scale: 'ratio' },
  ratio_direct: { read: (w) => w.ratioDirect, scale: 'ratio' },
  path_diversity: { read: (w) => w.pathDiversity, scale: 'ratio' },
  distinct_paths: { read: (w) => w.distinctPaths, scale: 'log', lo: 1 },
  temporal_entropy: { read: (w) => w.temporalEntropy, scale: 'ratio' },
  distinct_user_agents: { read: (w) => w.distinctUserAgents, scale: 'log', lo: 1 },
  distinct_ja4s: { read: (w) => w.distinctJa4s, scale: 'log', lo: 1 },
  mean_header_count: { read: (w) => w.meanHeaderCount, scale: 'log', lo: 1 },
};

export function binCount(feature: WindowFeature): number {
  return FEATURE_SPECS[feature].scale === 'ratio' ? RATIO_BINS : LOG_BINS;
}

/** The feature's value in a window, null when the window has none (mean_header_count without headers) or it is not finite. */
export function featureValue(feature: WindowFeature, w: IpWindow): number | null {
  const v = FEATURE_SPECS[feature].read(w);
  return v == null || !Number.isFinite(v) ? null : v;
}

export function binOf(feature: WindowFeature, value: number): number {
  const spec = FEATURE_SPECS[feature];
  const n = binCount(feature);
  if (spec.scale === 'ratio') return Math.min(n - 1, Math.max(0, Math.floor(value * n)));
  const lo = spec.lo!;
  if (value < lo) return 0;
  return Math.min(n - 1, 1 + Math.floor(Math.log2(value / lo)));
}

/** [lower, upper) of bin i; the last log bin's upper edge is Infinity. */
export function binBounds(feature: WindowFeature, i: number): [number, number] {
  const spec = FEATURE_SPECS[feature];
  const n = binCount(feature);
  if (spec.scale === 'ratio') return [i / n, (i + 1) / n];
  const lo = spec.lo!;
  if (i === 0) return [0, lo];
  return [lo * 2 ** (i - 1), i === n - 1 ? Infinity : lo * 2 ** i];
}

export interface FeatureMoments {
  n: number;
  sum: number;
  sumsq: number;
  min: number;
  max: number;
}

export function mean(m: FeatureMoments): number | null {
  return m.n > 0 ? m.sum / m.n : null;
}

/** Population standard deviation from the moments (never negative from rounding). */
export function stddev(m: FeatureMoments): number | null {
  if (m.n === 0) return null;
  const mu = m.sum / m.n;
  return Math.sqrt(Math.max(0, m.sumsq / m.n - mu * mu));
}

/**
 * The q-quantile (0..1) estimated from a histogram: the bin where the cumulative count reaches q·n, linear inside
 * it, clamped to [min, max] (which are exact). Null for an empty histogram.
 */
export function percentile(feature: WindowFeature, bins: readonly number[], q: number, min: number, max: number): number | null {
  const total = bins.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const target = q * total;
  let seen = 0;
  for (let i = 0; i < bins.length; i++) {
    const c = bins[i]!;
    if (c > 0 && seen + c >= target) {
      const [lo, hiRaw] = binBounds(feature, i);
      const low = Math.max(lo, min);
      const high = Math.min(Number.isFinite(hiRaw) ? hiRaw : max, max);
      const v = low + ((target - seen) / c) * Math.max(0, high - low);
      return Math.min(max, Math.max(min, v));
    }
    seen += c;
  }
  return max;
}
