/**
 * Ready-made events that arrive with another sensor's verdict (the ingest API): the verdict is one more Detection
 * of its event, beside what our own detectors find in the same event (rules on its path and User-Agent, behaviour
 * per IP), and the event is scored once over all of them, so a sensor's finding and ours weigh alike.
 *
 * The verdict joins after the engine's policy: the allowlist and simulation apply to our detections, not to what
 * another sensor concluded (it has its own policy). An event the engine flags and site knowledge holds back is
 * stored with the sensor's verdict now and, when released, not again (same event id).
 */
import type { Detection, HttpEvent, ThreatEvent } from '../core/index.js';
import { scoreDetections } from '../detect/index.js';
import { detectBatch, type DetectDeps } from './detect.js';
import type { EventBatch, Evaluator, PreparedBatch } from './types.js';

/** An evaluator that adds each event's verdict (if any) to what `inner` found. */
export function withVerdicts(inner: Evaluator, verdicts: ReadonlyMap<HttpEvent, Detection>): Evaluator {
  const out: Evaluator = {
    evaluate(events) {
      const threats = inner.evaluate(events);
      if (verdicts.size === 0) return threats;
      const flagged = new Set<HttpEvent>();
      const merged = threats.map((t) => {
        const v = verdicts.get(t.event);
        if (v === undefined) return t;
        flagged.add(t.event);
        return scored(t.event, [v, ...t.detections]);
      });
      for (const e of events) {
        const v = verdicts.get(e);
        if (v !== undefined && !flagged.has(e)) merged.push(scored(e, [v]));
      }
      return merged;
    },
  };
  if (inner.drainWindows) out.drainWindows = () => inner.drainWindows!();
  return out;
}

function scored(event: HttpEvent, detections: Detection[]): ThreatEvent {
  const v = scoreDetections(detections);
  return { event, detections, score: v.score, severity: v.severity, category: v.category };
}

/** detectBatch with each event's verdict (`verdicts[i]` for `batch.events[i]`, null for none). */
export function detectWithVerdicts(batch: EventBatch, verdicts: readonly (Detection | null)[], deps: DetectDeps): PreparedBatch {
  const byEvent = new Map<HttpEvent, Detection>();
  batch.events.forEach((e, i) => {
    const v = verdicts[i];
    if (v) byEvent.set(e, v);
  });
  return detectBatch(batch, { ...deps, evaluator: withVerdicts(deps.evaluator, byEvent) });
}
