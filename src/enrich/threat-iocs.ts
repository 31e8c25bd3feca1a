/**
 * Which flagged sources are worth enriching. Known good sources are never sent to providers: a threat
 * that is only crawling, from a client that names a known good bot, is that bot doing its job (its
 * address was verified upstream or will be). A "Googlebot" sending SQL injection is still enriched.
 * The severity floor and the public-address check live in Collector.addFromThreats.
 */
import type { ThreatEvent } from '../core/index.js';
import { GoodBotMatcher } from '../detect/index.js';

const goodBots = new GoodBotMatcher();

export function isKnownGoodThreat(t: ThreatEvent): boolean {
  return t.category === 'crawler' && goodBots.match(t.event.userAgent) >= 0;
}

/** The threats whose sources may become IOCs (the collector still applies its severity floor). */
export function iocCandidates(threats: readonly ThreatEvent[]): ThreatEvent[] {
  return threats.filter((t) => !isKnownGoodThreat(t));
}
