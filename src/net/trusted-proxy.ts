/**
 * Which address is the client: the TCP peer, or a hop from X-Forwarded-For when the peer is a proxy we
 * trust. Only trusted proxies may speak for the client; anyone else can write any header they like.
 */
import { CidrSet } from './cidr.js';
import { normaliseIp, parseIp } from './ip.js';
import { NAMED_RANGES } from './proxy-ranges.js';

/** Hops examined at most; a longer header is an attack on the parser, not a real proxy chain. */
const MAX_HOPS = 32;

export class TrustedProxies {
  constructor(readonly set: CidrSet) {}

  isTrusted(ip: string): boolean {
    return this.set.contains(ip);
  }

  /**
   * The client address for a request from `peer` carrying `xForwardedFor`. A header from an untrusted
   * peer is ignored. From a trusted peer the header is walked right to left, skipping trusted hops; the
   * first untrusted hop is the client. A malformed hop ends the walk at the last valid one.
   */
  clientIp(peer: string, xForwardedFor: string | null): string {
    const peerIp = normaliseIp(peer) ?? peer;
    if (xForwardedFor === null || xForwardedFor === '' || !this.set.contains(peerIp)) return peerIp;
    let last = peerIp;
    let end = xForwardedFor.length;
    for (let hop = 0; hop < MAX_HOPS && end > 0; hop++) {
      const comma = xForwardedFor.lastIndexOf(',', end - 1);
      const entry = xForwardedFor.slice(comma + 1, end).trim();
      end = comma < 0 ? 0 : comma;
      if (entry === '') continue; // `a,,b` and trailing commas carry nothing
      const parsed = parseIp(entry);
      if (parsed === null) return last;
      last = normaliseIp(entry)!;
      if (!this.set.containsParsed(parsed)) return last;
    }
    return last;
  }
}

/**
 * Builds the trusted set from names (`cdn`, `cloudflare`, `fastly`, `private`), CIDRs and addresses.
 * Throws naming the first entry that is none of these.
 */
export function createTrustedProxies(entries: readonly string[]): TrustedProxies {
  const cidrs: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    const named = NAMED_RANGES[entry.toLowerCase()];
    if (named !== undefined && Object.hasOwn(NAMED_RANGES, entry.toLowerCase())) {
      cidrs.push(...named);
      continue;
    }
    cidrs.push(entry);
  }
  try {
    return new TrustedProxies(new CidrSet(cidrs));
  } catch (err) {
    const names = Object.keys(NAMED_RANGES).join(', ');
    throw new Error(
      `trusted proxies: ${(err as Error).message} (expected a CIDR, an address, or one of: ${names})`,
      {
        cause: err,
      },
    );
  }
}
