/**
 * DetectionEngine: runs every detector over a batch with its own state, and turns each event's
 * detections into one scored ThreatEvent. Pure apart from the detectors' explicit state.
 *
 * Policy applied here, not in the detectors, so every detector gets it alike:
 * - Allowlist: an event an event-wide entry allows is kept away from every detector (it never fills a
 *   behaviour bucket); a detection a scoped entry covers is dropped. Each entry counts what it suppressed.
 * - Simulation by config: detections of the named rules/scenarios are marked `simulated` (score 0).
 * - Site knowledge (optional, src/detect/site): learns what each site serves and overrules sensitive-name rules on
 *   its content; a hit it may still overrule is held back and comes out of a later `evaluate` (or `releaseHeld`).
 *
 * Reload: `replaceDetector` and `setPolicy` swap a detector (e.g. new rule packs) or the policy between
 * two `evaluate` calls; evaluate is synchronous, so a batch always sees one consistent set. The other
 * detectors keep their state (behaviour windows survive a rules reload).
 */
import type { Detection, ThreatEvent, HttpEvent } from '../core/index.js';
import { Allowlist, SimulationSet } from './allowlist/index.js';
import type { IpWindow } from './behaviour/index.js';
import { scoreDetections } from './score.js';
import type { HeldChanges, SiteKnowledge } from './site/index.js';
import type { BotVerdictLookup } from './behaviour/index.js';
import type { Detector } from './types.js';

export interface DetectionPolicy {
  allowlist: Allowlist;
  simulation: SimulationSet;
}

export class DetectionEngine {
  private current: Detector[];
  private states: unknown[];
  private policy: DetectionPolicy;

  constructor(
    detectors: readonly Detector[],
    policy: Partial<DetectionPolicy> = {},
    /** Kept across rule reloads, like behaviour state. */
    readonly site: SiteKnowledge | null = null,
    /** DNS verdicts on good-bot claims (bot verification on): copied onto each threat for the decision policy. */
    private readonly botVerdicts: BotVerdictLookup | null = null,
  ) {
    this.current = [...detectors];
    this.states = detectors.map((d) => d.createState());
    this.policy = { allowlist: policy.allowlist ?? Allowlist.EMPTY, simulation: policy.simulation ?? SimulationSet.EMPTY };
  }

  get detectors(): readonly Detector[] {
    return this.current;
  }

  get allowlist(): Allowlist {
    return this.policy.allowlist;
  }

  get simulation(): SimulationSet {
    return this.policy.simulation;
  }

  /** The state a detector owns (e.g. to drain the behaviour detector's closed windows). */
  stateOf<S>(detector: Detector<S>): S {
    const i = this.current.indexOf(detector as Detector);
    if (i < 0) throw new Error(`detector ${detector.name} is not part of this engine`);
    return this.states[i] as S;
  }

  /** Swap one detector for another (fresh state for the newcomer; every other detector keeps its own). */
  replaceDetector(old: Detector, next: Detector): void {
    const i = this.current.indexOf(old);
    if (i < 0) throw new Error(`detector ${old.name} is not part of this engine`);
    const detectors = this.current.slice();
    const states = this.states.slice();
    detectors[i] = next;
    states[i] = next.createState();
    // Both arrays are replaced together, so no reader sees a detector paired with another's state.
    this.current = detectors;
    this.states = states;
  }

  setPolicy(policy: Partial<DetectionPolicy>): void {
    this.policy = { ...this.policy, ...policy };
  }

  /**
   * Closed per-IP windows queued by any detector whose state keeps them (the behaviour detector), so the
   * pipeline can store them with the batch. `flush: true` first closes the open windows (shutdown).
   */
  drainWindows(opts: { flush?: boolean } = {}): IpWindow[] {
    let out: IpWindow[] = [];
    for (const s of this.states) {
      if (!queuesWindows(s)) continue;
      if (opts.flush) s.flush();
      out = out.length === 0 ? s.drainClosedWindows() : out.concat(s.drainClosedWindows());
    }
    return out;
  }

  /** Threats site knowledge still holds back, judged now: call at shutdown and at the end of a replay. */
  releaseHeld(): ThreatEvent[] {
    return this.site?.releaseHeld() ?? [];
  }

  /** What site knowledge held back and judged since the last call, when it tracks that (serve); null otherwise. */
  takeHeldChanges(): HeldChanges | null {
    return this.site?.takeHeldChanges() ?? null;
  }

  /**
   * Flagged events of the batch, and held-back ones of earlier batches that came due (site knowledge). Events whose only detections are simulated are kept too (marked
   * through their detections, with score 0): simulation records what a rule would have flagged.
   */
  evaluate(events: readonly HttpEvent[]): ThreatEvent[] {
    if (events.length === 0) return [];
    const { allowlist, simulation } = this.policy;
    const batch = allowlist.hasEventWide ? events.filter((e) => !allowlist.withhold(e)) : events;
    if (batch.length === 0) return [];
    const detectors = this.current;
    const states = this.states;
    const results = detectors.map((d, i) => d.detect(batch, states[i]));
    const threats: ThreatEvent[] = [];
    const site = this.site;
    let newest = -Infinity;
    for (let i = 0; i < batch.length; i++) {
      if (site !== null) {
        site.see(batch[i]!);
        if (batch[i]!.time > newest) newest = batch[i]!.time;
      }
      let detections: Detection[] | undefined;
      for (const r of results) {
        const ds = r[i];
        if (ds && ds.length > 0) detections = detections ? detections.concat(ds) : ds.slice();
      }
      const event = batch[i]!;
      if (!detections) {
        // What only site knowledge sees: a miss on a script of a language this site does not run.
        if (site === null || (event.status !== 404 && event.status !== 410)) continue;
        const d = site.unservedScript(event);
        if (d === null) continue;
        detections = [d];
      }
      if (allowlist.hasScoped) {
        const allowance = allowlist.forEvent(event);
        detections = detections.filter((d) => !allowance.suppress(d.ruleId, d.category));
        if (detections.length === 0) continue;
      }
      if (simulation.size > 0) {
        detections = detections.map((d) => (d.simulated !== true && simulation.has(d.ruleId) ? { ...d, simulated: true } : d));
      }
      let hold = false;
      if (site !== null) {
        const review = site.review(event, detections);
        if (review.detections.length === 0) continue;
        detections = review.detections;
        hold = review.hold;
      }
      const verdict = scoreDetections(detections);
      const threat: ThreatEvent = {
        event,
        detections,
        score: verdict.score,
        severity: verdict.severity,
        category: verdict.category,
      };
      const bot = this.botVerdicts?.get(event.ip);
      if (bot !== undefined) threat.bot = bot;
      if (hold) site!.hold(threat);
      else threats.push(threat);
    }
    if (site !== null && site.heldCount > 0) {
      const due = site.release(newest);
      if (due.length > 0) return threats.concat(due);
    }
    return threats;
  }
}

/** Window queues are duck-typed, so the engine stays generic over detectors (BehaviourState satisfies this). */
interface WindowQueue {
  drainClosedWindows(): IpWindow[];
  flush(): void;
}

function queuesWindows(state: unknown): state is WindowQueue {
  return (
    typeof state === 'object' &&
    state !== null &&
    typeof (state as Partial<WindowQueue>).drainClosedWindows === 'function' &&
    typeof (state as Partial<WindowQueue>).flush === 'function'
  );
}
