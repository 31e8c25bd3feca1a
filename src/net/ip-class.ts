/**
 * What kind of address an IP is, after RFC 6890 and the IANA special-purpose registries. Enrichment asks
 * this before spending a lookup: only 'public' addresses are worth geolocating or checking reputation.
 */
import { parseCidr, type Cidr } from './cidr.js';
import { ipv6ToBigInt, parseIp } from './ip.js';

export const IP_CLASSES = [
  'public',
  'private',
  'loopback',
  'link_local',
  'reserved',
  'multicast',
  'cgnat',
  'documentation',
  'unspecified',
  'bogon',
] as const;
export type IpClass = (typeof IP_CLASSES)[number];

/** Special blocks; the most specific match wins. IPv4-mapped IPv6 never gets here (parseIp folds it). */
const SPECIAL: readonly [string, IpClass][] = [
  ['0.0.0.0/32', 'unspecified'],
  ['0.0.0.0/8', 'bogon'], // "this network": never a valid source
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'cgnat'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link_local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments
  ['192.0.2.0/24', 'documentation'],
  ['192.31.196.0/24', 'reserved'], // AS112-v4
  ['192.52.193.0/24', 'reserved'], // AMT
  ['192.88.99.0/24', 'reserved'], // deprecated 6to4 relay anycast
  ['192.168.0.0/16', 'private'],
  ['192.175.48.0/24', 'reserved'], // AS112 direct delegation
  ['198.18.0.0/15', 'reserved'], // benchmarking
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['255.255.255.255/32', 'reserved'], // limited broadcast
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b::/96', 'reserved'], // NAT64 well-known prefix: a translator's target, not a source
  ['64:ff9b:1::/48', 'private'], // local-use NAT64
  ['100::/64', 'reserved'], // discard-only
  ['2001:2::/48', 'reserved'], // benchmarking
  ['2001:10::/28', 'reserved'], // deprecated ORCHID
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'], // RFC 9637
  ['5f00::/16', 'reserved'], // SRv6 SIDs
  ['fc00::/7', 'private'], // unique local
  ['fe80::/10', 'link_local'],
  ['fec0::/10', 'reserved'], // deprecated site-local
  ['ff00::/8', 'multicast'],
];

interface Block {
  cidr: Cidr;
  cls: IpClass;
}

const byPrefixDesc = (a: Block, b: Block): number => b.cidr.prefix - a.cidr.prefix;
const blocks = SPECIAL.map(([text, cls]) => ({ cidr: parseCidr(text), cls }));
const v4Blocks = blocks
  .filter((b) => b.cidr.version === 4)
  .sort(byPrefixDesc)
  .map((b) => ({ first: Number(b.cidr.first), last: Number(b.cidr.last), cls: b.cls }));
const v6Blocks = blocks.filter((b) => b.cidr.version === 6).sort(byPrefixDesc);

const GLOBAL_UNICAST_FIRST = parseCidr('2000::/3').first;
const GLOBAL_UNICAST_LAST = parseCidr('2000::/3').last;

/**
 * Classifies an address (any form parseIp accepts). Returns null when `ip` is not an address, e.g. a
 * host name logged by Apache with HostnameLookups on.
 */
export function classifyIp(ip: string): IpClass | null {
  const p = parseIp(ip);
  if (p === null) return null;
  if (p.version === 4) {
    for (const b of v4Blocks) if (p.value >= b.first && p.value <= b.last) return b.cls;
    return 'public';
  }
  const v = ipv6ToBigInt(p.groups);
  for (const b of v6Blocks) if (v >= b.cidr.first && v <= b.cidr.last) return b.cls;
  // Outside 2000::/3 nothing is allocated for global unicast.
  return v >= GLOBAL_UNICAST_FIRST && v <= GLOBAL_UNICAST_LAST ? 'public' : 'bogon';
}

/** True for addresses worth enriching (geo, ASN, reputation). */
export function isPublicIp(ip: string): boolean {
  return classifyIp(ip) === 'public';
}
