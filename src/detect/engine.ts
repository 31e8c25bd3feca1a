/**
 * DetectionEngine: runs every detector over a batch with its own state, and turns each event's
 * detections into one scored ThreatEvent. Pure apart from the detectors' explicit state.
 */
import type { Detection, ThreatEvent } from '../core/detection.js';
import type { HttpEvent } from '../core/event.js';
import { scoreDetections } from './score.js';
import type { Detector } from './types.js';

export class DetectionEngine {
  private readonly states: unknown[];

  constructor(readonly detectors: readonly Detector[]) {
    this.states = detectors.map((d) => d.createState());
  }

  /** The state a detector owns (e.g. to drain the behaviour detector's closed windows). */
  stateOf<S>(detector: Detector<S>): S {
    const i = this.detectors.indexOf(detector as Detector);
    if (i < 0) throw new Error(`detector ${detector.name} is not part of this engine`);
    return this.states[i] as S;
  }

  /**
   * Flagged events of the batch. Events whose only detections are simulated are kept too (marked
   * through their detections, with score 0): simulation records what a rule would have flagged.
   */
  evaluate(events: readonly HttpEvent[]): ThreatEvent[] {
    if (events.length === 0) return [];
    const results = this.detectors.map((d, i) => d.detect(events, this.states[i]));
    const threats: ThreatEvent[] = [];
    for (let i = 0; i < events.length; i++) {
      let detections: Detection[] | undefined;
      for (const r of results) {
        const ds = r[i];
        if (ds && ds.length > 0) detections = detections ? detections.concat(ds) : ds.slice();
      }
      if (!detections) continue;
      const verdict = scoreDetections(detections);
      threats.push({
        event: events[i]!,
        detections,
        score: verdict.score,
        severity: verdict.severity,
        category: verdict.category,
      });
    }
    return threats;
  }
}
