/** Decisions as the API shows them: Rampart's own form (/api/decisions) and CrowdSec's (/v1, bouncers). */
import { goDuration } from '../../decide/index.js';
import type { BouncerRecord, DecisionRecord, StreamDecision } from '../../store/index.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function decisionJson(d: DecisionRecord, now: number) {
  return {
    id: d.id,
    created_at: iso(d.createdAt),
    until: iso(d.until),
    duration: goDuration(d.until - now),
    active: d.until > now,
    scope: d.scope,
    value: d.value,
    type: d.type,
    origin: d.origin,
    scenario: d.scenario,
    rule: d.ruleId,
    simulated: d.simulated,
    country: d.country,
  };
}

export const decisionJsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    created_at: { type: 'string', format: 'date-time' },
    until: { type: 'string', format: 'date-time', description: 'Absolute expiry.' },
    duration: { type: 'string', description: "Time left, Go's duration form (negative once expired), as bouncers read it." },
    active: { type: 'boolean' },
    scope: { type: 'string', enum: ['Ip', 'Range'] },
    value: { type: 'string' },
    type: { type: 'string', description: 'ban, captcha or throttle.' },
    origin: { type: 'string', description: 'rampart (the policy) or manual (API, CLI).' },
    scenario: { type: 'string' },
    rule: { type: ['string', 'null'], description: 'The policy rule that made it; null for manual ones.' },
    simulated: { type: 'boolean' },
    country: { type: ['string', 'null'] },
  },
  required: ['id', 'created_at', 'until', 'duration', 'active', 'scope', 'value', 'type', 'origin', 'scenario', 'rule', 'simulated', 'country'],
} as const;

/** CrowdSec 1.4.6's decision in a bouncer answer: exactly these fields, in this order (lapiDecisionsText writes them). */
export const lapiDecisionSchema = {
  type: 'object',
  properties: {
    duration: { type: 'string' },
    id: { type: 'integer' },
    origin: { type: 'string' },
    scenario: { type: 'string' },
    scope: { type: 'string' },
    type: { type: 'string' },
    value: { type: 'string' },
  },
  required: ['duration', 'id', 'origin', 'scenario', 'scope', 'type', 'value'],
} as const;

export function bouncerJson(b: BouncerRecord) {
  return { id: b.id, name: b.name, created_at: iso(b.createdAt), last_pull: b.lastPull === null ? null : iso(b.lastPull), user_agent: b.userAgent, ip: b.ip };
}

export const bouncerJsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    last_pull: { type: ['string', 'null'], format: 'date-time' },
    user_agent: { type: ['string', 'null'], description: 'What the bouncer said it is (type/version), at its last pull.' },
    ip: { type: ['string', 'null'], description: 'Where its last pull came from.' },
  },
  required: ['id', 'name', 'created_at', 'last_pull', 'user_agent', 'ip'],
} as const;

/**
 * A bouncer answer's list as JSON text, written here rather than by the response serialiser: a startup pull
 * carries every active decision (300,000 in the benchmark), and the generic serialiser of a nullable list of
 * objects costs several times this loop. Same fields, same order, `null` for an empty list.
 */
export function lapiDecisionsText(list: readonly StreamDecision[], now: number): string {
  return list.length === 0 ? 'null' : `[${lapiDecisionItems(list, now)}]`;
}

/** The items of a bouncer answer's list, comma-separated, without the brackets (a page of a streamed answer). */
export function lapiDecisionItems(list: readonly StreamDecision[], now: number): string {
  const parts: string[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const d = list[i]!;
    parts[i] =
      `{"duration":"${goDuration(d.until - now)}","id":${d.id},"origin":${JSON.stringify(d.origin)},"scenario":${JSON.stringify(d.scenario)},` +
      `"scope":${JSON.stringify(d.scope)},"type":${JSON.stringify(d.type)},"value":${JSON.stringify(d.value)}}`;
  }
  return parts.join(',');
}
