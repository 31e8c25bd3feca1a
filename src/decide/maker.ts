/**
 * DecisionMaker: the policy applied to threats as they are stored. Per threat: the policy's proposal (pure,
 * policy.ts), then the I/O it needs: is the source already under an active decision (a burst of attacks makes
 * one decision, not one per request), how many offences it had (the ladder), and the decision stored.
 *
 * Expiry is anchored on the threat's own time, so replaying an old log leaves no active decision (as CrowdSec
 * replays do) while live traffic, whose time is now, gets the full duration.
 */
import type { ThreatEvent } from '../core/index.js';
import type { DecisionRecord, DecisionRepository } from '../store/index.js';
import { decisionOf, propose, type DecisionPolicy } from './policy.js';

export const POLICY_ORIGIN = 'rampart';

export interface DecisionMakerCounters {
  decided: number;
  simulated: number;
  /** Sources already under an active decision. */
  alreadyDecided: number;
  allowlisted: number;
  goodBots: number;
  /** Threats whose decision would already have expired (a replayed log). */
  stale: number;
}

export class DecisionMaker {
  readonly counters: DecisionMakerCounters = { decided: 0, simulated: 0, alreadyDecided: 0, allowlisted: 0, goodBots: 0, stale: 0 };

  constructor(
    private readonly policy: DecisionPolicy,
    private readonly repo: Pick<DecisionRepository, 'activeFor' | 'recordOffence' | 'offences' | 'add'>,
    private readonly clock: () => number = Date.now,
    private readonly onDecision: (d: DecisionRecord) => void = () => {},
  ) {}

  /** Decides on a batch of stored threats; returns the decisions stored (simulated ones included). */
  async decide(threats: readonly ThreatEvent[]): Promise<DecisionRecord[]> {
    const seen = new Set<string>();
    const made: DecisionRecord[] = [];
    for (const t of threats) {
      const p = propose(this.policy, t);
      if (p.kind === 'none') continue;
      if (p.kind === 'exempt') {
        if (p.reason === 'allowlist') this.counters.allowlisted++;
        else this.counters.goodBots++;
        continue;
      }
      const simulated = p.rule.rule.simulate;
      const key = `${simulated ? 's' : 'e'}:${p.target.value}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const now = this.clock();
      const base = Math.min(t.event.time, now);
      // Even the longest step would have ended (a replayed log): no decision, and no offence counted.
      if (base + Math.max(...p.rule.durationsMs) <= now) {
        this.counters.stale++;
        continue;
      }
      if (await this.repo.activeFor(p.target.value, now, simulated)) {
        this.counters.alreadyDecided++;
        continue;
      }
      const window = this.policy.repeatWindowMs;
      const prior = simulated ? await this.repo.offences(p.target.value, now, window) : await this.repo.recordOffence(p.target.value, now, window);
      const d = decisionOf(p, prior, base);
      if (d.until <= now) {
        this.counters.stale++;
        continue;
      }
      const [stored] = await this.repo.add(
        [{ scope: d.target.scope, value: d.target.value, type: d.type, origin: POLICY_ORIGIN, scenario: d.scenario, until: d.until, ruleId: d.rule, simulated: d.simulated, country: t.geo?.country ?? null }],
        now,
      );
      if (!stored) continue;
      if (simulated) this.counters.simulated++;
      else this.counters.decided++;
      made.push(stored);
      this.onDecision(stored);
    }
    return made;
  }
}
