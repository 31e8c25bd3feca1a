/**
 * What a decision is about: an IPv4 address (scope `Ip`), or for IPv6 the network of the configured prefix
 * (scope `Range`, default /64: one host usually holds a whole /64, so banning one address of it bans nothing).
 */
import { formatIp, networkOf, parseCidr, parseIp } from '../net/index.js';

export const DECISION_SCOPES = ['Ip', 'Range'] as const;
export type DecisionScope = (typeof DECISION_SCOPES)[number];

export interface DecisionTarget {
  scope: DecisionScope;
  /** `1.2.3.4`, `2001:db8:1:2::/64`: canonical text, as bouncers receive it. */
  value: string;
}

/** The target for a client IP; null when it is not an IP. `ipv6Prefix` 128 keeps single IPv6 addresses. */
export function targetOfIp(ip: string, ipv6Prefix: number): DecisionTarget | null {
  const parsed = parseIp(ip);
  if (!parsed) return null;
  if (parsed.version === 4 || ipv6Prefix >= 128) return { scope: 'Ip', value: formatIp(parsed) };
  return { scope: 'Range', value: networkOf(parsed, ipv6Prefix) };
}

/**
 * A target typed by a user: an address (scope Ip) or a CIDR (scope Range; a /32 or /128 is an Ip). Throws an
 * error naming the text when it is neither.
 */
export function targetOfText(text: string): DecisionTarget {
  const c = parseCidr(text);
  const full = c.version === 4 ? 32 : 128;
  if (c.prefix === full) return { scope: 'Ip', value: c.network };
  return { scope: 'Range', value: `${c.network}/${c.prefix}` };
}
