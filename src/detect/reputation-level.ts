/**
 * Reputation feeds back into an IP's threat level: what behaviour saw in its windows, raised (never
 * lowered) by what threat intelligence says of the address. A "known bot" or quiet browser on an
 * address that providers report as abusive is exactly what a claimed user agent should not hide.
 */
import type { ThreatLevel } from './behaviour/index.js';

/** Risk score (0-100, src/enrich/risk.ts) from which an IP is at least HIGH, and at least MEDIUM. */
export const REPUTATION_HIGH = 75;
export const REPUTATION_MEDIUM = 50;

const RANK: Record<ThreatLevel, number> = {
  LEGITIMATE_BROWSER: 0,
  KNOWN_BOT: 1,
  LOW: 2,
  MEDIUM: 3,
  HIGH: 4,
  CRITICAL: 5,
};

export function levelWithReputation(level: ThreatLevel | null, riskScore: number | null): ThreatLevel | null {
  const floor: ThreatLevel | null =
    riskScore === null || !Number.isFinite(riskScore)
      ? null
      : riskScore >= REPUTATION_HIGH
        ? 'HIGH'
        : riskScore >= REPUTATION_MEDIUM
          ? 'MEDIUM'
          : null;
  if (floor === null) return level;
  if (level === null) return floor;
  return RANK[level] >= RANK[floor] ? level : floor;
}
