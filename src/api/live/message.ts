/**
 * What the live bus carries and what a live client receives. The bus carries `LiveMessage`s: a `LiveAlert`
 * (plain JSON, what arrives from Redis) or a `PendingAlert` that builds its `LiveAlert` on first use (a
 * threat this process stored: most of them are never sent to anyone, so the hub builds them only when a
 * client wants one; the Redis bus sends them through `JSON.stringify`, which calls `toJSON`). The hub wraps
 * each in an envelope with its sequence id.
 *
 * - `threat_detected`: a stored threat, `data` is the GET /api/threats item (same encoder).
 * - `behaviour_alert`: the same, for a threat raised by a behaviour scenario (a detection whose rule id
 *   is `behaviour/<scenario>`); `scenarios` names them.
 * - `decision`: reserved for decisions (block, challenge…) once they exist; `data` is their JSON item.
 */
import type { ThreatEvent } from '../../core/index.js';
import { storedThreatOf, threatToJson, type ThreatJson } from '../../store/index.js';

export const ALERT_TYPES = ['threat_detected', 'behaviour_alert', 'decision'] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/** A decision's JSON item, typed when decisions land; the hub filters it by `ip` only. */
export interface DecisionJson {
  ip?: string;
  [field: string]: unknown;
}

export type LiveAlert =
  | { type: 'threat_detected'; data: ThreatJson }
  | { type: 'behaviour_alert'; scenarios: string[]; data: ThreatJson }
  | { type: 'decision'; data: DecisionJson };

const BEHAVIOUR_PREFIX = 'behaviour/';

/** The alert for a threat as it is committed (what GET /api/threats/:id returns, reputation aside). */
export function liveAlertOfThreat(t: ThreatEvent): LiveAlert {
  const data = threatToJson(storedThreatOf(t));
  const scenarios = [...new Set(t.detections.filter((d) => d.ruleId.startsWith(BEHAVIOUR_PREFIX)).map((d) => d.ruleId))];
  return scenarios.length > 0 ? { type: 'behaviour_alert', scenarios, data } : { type: 'threat_detected', data };
}

/** An alert built on first use; `toJSON` returns the same object every time. */
export interface PendingAlert {
  toJSON(): LiveAlert;
}

export type LiveMessage = LiveAlert | PendingAlert;

/** The alert a bus message stands for (built now if it is pending). */
export function liveAlertOf(m: LiveMessage): LiveAlert {
  return 'type' in m ? m : m.toJSON();
}

/**
 * A committed threat as a pending alert. Holds the threat, not a copy: the pipeline does not change a
 * threat after its commit, and the resume ring keeps the last `live.resumeBuffer` of them either way.
 */
export class ThreatAlert implements PendingAlert {
  private built: LiveAlert | undefined;

  constructor(private readonly threat: ThreatEvent) {}

  toJSON(): LiveAlert {
    return (this.built ??= liveAlertOfThreat(this.threat));
  }
}

/** Envelope of every server message: `id` is the resume token (`<hub>-<sequence>`), absent on control messages. */
export type ServerMessage =
  | (LiveAlert & { id: string; time: string })
  | { type: 'subscribed'; filter: Record<string, unknown>; id: string | null }
  | { type: 'heartbeat'; time: string; id: string | null }
  | { type: 'gap'; message: string; resume: string; oldest: string | null }
  | { type: 'error'; message: string }
  | { type: 'closing'; code: number; reason: string };
