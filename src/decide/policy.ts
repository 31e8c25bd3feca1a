/**
 * The decision policy as a pure function of (threat, policy, prior offences): which rule takes a threat,
 * what it is about (an IPv4 address or an IPv6 network), and for how long. The caller does the I/O (counts
 * prior offences, stores the decision); everything here is tested with tables (policy.test.ts).
 *
 * Before a rule is asked, the threat must pass the exemptions: the detection allowlist again (an entry added
 * or reloaded after the threat was detected still protects its source), and known good bots (by the tokens
 * detection uses) are never decided on.
 */
import { isSimulatedOnly, SEVERITIES, type Detection, type ThreatEvent } from '../core/index.js';
import { Glob, type Allowlist, type GoodBotMatcher } from '../detect/index.js';
import type { DecisionRule, DecisionsConfig, Remediation } from './config.js';
import { parseDuration } from './duration.js';
import { targetOfIp, type DecisionTarget } from './target.js';

export interface CompiledRule {
  id: string;
  rule: DecisionRule;
  scenarios: readonly Glob[] | null;
  minSeverityRank: number;
  durationsMs: readonly number[];
}

export interface DecisionPolicy {
  rules: readonly CompiledRule[];
  ipv6Prefix: number;
  repeatWindowMs: number;
  allowlist: Pick<Allowlist, 'matches'>;
  goodBots: Pick<GoodBotMatcher, 'match'>;
  /** detect.behaviour.goodBots.requireVerified: only a DNS-verified claim exempts (a claim alone is not enough). */
  requireVerifiedBots: boolean;
}

export function compilePolicy(
  config: Pick<DecisionsConfig, 'rules' | 'ipv6Prefix' | 'repeatWindow'>,
  exemptions: { allowlist: Pick<Allowlist, 'matches'>; goodBots: Pick<GoodBotMatcher, 'match'>; requireVerifiedBots?: boolean },
): DecisionPolicy {
  return {
    rules: config.rules.map((rule) => ({
      id: rule.id,
      rule,
      scenarios: rule.scenarios ? rule.scenarios.map((p) => new Glob(p, 'text')) : null,
      minSeverityRank: rule.minSeverity ? SEVERITIES.indexOf(rule.minSeverity) : 0,
      durationsMs: rule.durations.map(parseDuration),
    })),
    ipv6Prefix: config.ipv6Prefix,
    repeatWindowMs: parseDuration(config.repeatWindow),
    allowlist: exemptions.allowlist,
    goodBots: exemptions.goodBots,
    requireVerifiedBots: exemptions.requireVerifiedBots ?? false,
  };
}

/** What the policy says about one threat before prior offences are known. */
export type Proposal =
  | { kind: 'none' }
  | { kind: 'exempt'; reason: 'allowlist' | 'good-bot'; rule: string }
  | { kind: 'propose'; rule: CompiledRule; target: DecisionTarget; scenario: string };

/** The detection a rule takes (the first live one it matches), or null. */
function takenDetection(rule: CompiledRule, threat: ThreatEvent): Detection | null {
  const live = threat.detections.filter((d) => d.simulated !== true);
  const r = rule.rule;
  if (SEVERITIES.indexOf(threat.severity) < rule.minSeverityRank) return null;
  if (threat.score < r.minScore) return null;
  for (const d of live) {
    if (r.categories && !r.categories.includes(d.category) && !r.categories.includes(threat.category)) continue;
    if (rule.scenarios && !rule.scenarios.some((g) => g.matches(d.ruleId))) continue;
    return d;
  }
  return null;
}

/**
 * A good-bot claim in the User-Agent exempts unless DNS proved it fake (threat.bot, set at detection when bot
 * verification runs), or, with requireVerified, unless DNS proved it. Without verification a claim is trusted, as
 * detection trusts it; a source whose verdict is not known yet is trusted until it is.
 */
function isExemptBot(policy: DecisionPolicy, threat: ThreatEvent): boolean {
  if (threat.bot === 'fake' || (policy.requireVerifiedBots && threat.bot !== 'verified')) return false;
  return policy.goodBots.match(threat.event.userAgent) >= 0;
}

export function propose(policy: DecisionPolicy, threat: ThreatEvent): Proposal {
  if (threat.score <= 0 || isSimulatedOnly(threat)) return { kind: 'none' };
  for (const rule of policy.rules) {
    const d = takenDetection(rule, threat);
    if (!d) continue;
    const target = targetOfIp(threat.event.ip, policy.ipv6Prefix);
    if (!target) return { kind: 'none' };
    if (policy.allowlist.matches(threat.event, d.ruleId, d.category)) return { kind: 'exempt', reason: 'allowlist', rule: rule.id };
    if (isExemptBot(policy, threat)) return { kind: 'exempt', reason: 'good-bot', rule: rule.id };
    return { kind: 'propose', rule, target, scenario: d.ruleId };
  }
  return { kind: 'none' };
}

/** How long, for the (priorOffences + 1)-th offence: the ladder's step, its last step once past the end. */
export function durationFor(rule: CompiledRule, priorOffences: number): number {
  const steps = rule.durationsMs;
  return steps[Math.min(Math.max(0, priorOffences), steps.length - 1)]!;
}

/** A decision as the policy makes it (the store gives it its id). */
export interface PolicyDecision {
  target: DecisionTarget;
  type: Remediation;
  scenario: string;
  rule: string;
  /** Absolute expiry, epoch ms. */
  until: number;
  simulated: boolean;
  /** Which offence this is (1 = first), for the log and the API. */
  offence: number;
}

export function decisionOf(p: Extract<Proposal, { kind: 'propose' }>, priorOffences: number, now: number): PolicyDecision {
  return {
    target: p.target,
    type: p.rule.rule.remediation,
    scenario: p.scenario,
    rule: p.rule.id,
    until: now + durationFor(p.rule, priorOffences),
    simulated: p.rule.rule.simulate,
    offence: priorOffences + 1,
  };
}
