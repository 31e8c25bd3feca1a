/**
 * Combine an event's detections into one verdict. Each detection is evidence with strength
 * confidence × severity weight; independent evidence combines by noisy-or, so two medium signals
 * outrank one, but no pile of low signals reaches what a single critical one says.
 * Simulated detections are reported but never count toward the verdict (that is what simulation means).
 */
import { SEVERITIES, type Category, type Detection, type Severity } from '../core/index.js';

export const SEVERITY_WEIGHT: Record<Severity, number> = { info: 0.1, low: 0.3, medium: 0.55, high: 0.8, critical: 1 };

export interface Verdict {
  /** 0..1, noisy-or of confidence × severity weight over counted detections. */
  score: number;
  /** Highest severity among counted detections ('info' when none count). */
  severity: Severity;
  /** Category of the strongest detection (counted ones first, else simulated, else 'anomaly'). */
  category: Category;
  /** 0..1, noisy-or of the raw confidences. */
  confidence: number;
  /** At least one non-simulated detection. */
  alerting: boolean;
}

function strength(d: Detection): number {
  return clamp01(d.confidence) * SEVERITY_WEIGHT[d.severity];
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

function strongest(ds: readonly Detection[]): Detection | undefined {
  let best: Detection | undefined;
  for (const d of ds) {
    if (
      best === undefined ||
      strength(d) > strength(best) ||
      (strength(d) === strength(best) && SEVERITIES.indexOf(d.severity) > SEVERITIES.indexOf(best.severity))
    ) {
      best = d;
    }
  }
  return best;
}

export function scoreDetections(detections: readonly Detection[]): Verdict {
  const counted = detections.filter((d) => d.simulated !== true);
  let miss = 1;
  let unsure = 1;
  let sev = 0;
  for (const d of counted) {
    miss *= 1 - strength(d);
    unsure *= 1 - clamp01(d.confidence);
    sev = Math.max(sev, SEVERITIES.indexOf(d.severity));
  }
  const top = strongest(counted) ?? strongest(detections);
  return {
    score: counted.length === 0 ? 0 : 1 - miss,
    severity: counted.length === 0 ? 'info' : (SEVERITIES[sev] as Severity),
    category: top?.category ?? 'anomaly',
    confidence: counted.length === 0 ? 0 : 1 - unsure,
    alerting: counted.length > 0,
  };
}
