/**
 * Where simulated clients come from: real public address blocks of ISPs and hosting networks in many
 * countries, so enrichment (GeoIP/ASN) and per-network views look like a real site's. Never private,
 * documentation or CGNAT ranges. IPv6 prefixes are multiples of 16 bits to keep generation simple.
 */
import { weightedTable, type Random, type WeightedTable } from './random.js';

export interface AddressBlock {
  readonly cidr: string;
  /** ISO 3166 country the block is mostly used in. */
  readonly country: string;
  readonly network: string;
}

const block = (cidr: string, country: string, network: string): AddressBlock => ({ cidr, country, network });

/** Home and mobile broadband: where people browse from. Weighted roughly by a western shop's audience. */
export const RESIDENTIAL: readonly (readonly [AddressBlock, number])[] = [
  [block('73.0.0.0/8', 'US', 'Comcast Cable'), 14],
  [block('99.16.0.0/12', 'US', 'AT&T Internet'), 8],
  [block('108.16.0.0/12', 'US', 'Verizon Fios'), 6],
  [block('2601:1c0::/32', 'US', 'Comcast Cable'), 6],
  [block('99.224.0.0/11', 'CA', 'Rogers'), 4],
  [block('79.192.0.0/10', 'DE', 'Deutsche Telekom'), 7],
  [block('2003:e5::/32', 'DE', 'Deutsche Telekom'), 3],
  [block('90.0.0.0/9', 'FR', 'Orange'), 5],
  [block('2a01:cb00::/32', 'FR', 'Orange'), 2],
  [block('78.192.0.0/10', 'FR', 'Free SAS'), 3],
  [block('2a01:e0a::/32', 'FR', 'Free SAS'), 2],
  [block('86.128.0.0/10', 'GB', 'British Telecom'), 6],
  [block('2a00:23c6::/32', 'GB', 'British Telecom'), 2],
  [block('83.32.0.0/11', 'ES', 'Telefonica de Espana'), 3],
  [block('93.32.0.0/14', 'IT', 'Fastweb'), 3],
  [block('83.0.0.0/11', 'PL', 'Orange Polska'), 2],
  [block('78.160.0.0/11', 'TR', 'Turk Telekom'), 2],
  [block('95.24.0.0/13', 'RU', 'Beeline'), 2],
  [block('122.160.0.0/12', 'IN', 'Bharti Airtel'), 3],
  [block('49.32.0.0/11', 'IN', 'Reliance Jio'), 3],
  [block('2409:4042::/32', 'IN', 'Reliance Jio'), 2],
  [block('126.0.0.0/8', 'JP', 'SoftBank'), 3],
  [block('240b:10::/32', 'JP', 'SoftBank'), 1],
  [block('121.128.0.0/10', 'KR', 'Korea Telecom'), 2],
  [block('14.160.0.0/11', 'VN', 'VNPT'), 1],
  [block('36.64.0.0/11', 'ID', 'Telkom Indonesia'), 1],
  [block('187.128.0.0/10', 'MX', 'Telmex'), 2],
  [block('189.0.0.0/13', 'BR', 'Telefonica Brasil'), 2],
  [block('1.128.0.0/11', 'AU', 'Telstra'), 2],
  [block('123.112.0.0/12', 'CN', 'China Unicom Beijing'), 1],
];

/** Data centres and clouds: where scanners, brute forcers and most injection tools run. */
export const HOSTING: readonly (readonly [AddressBlock, number])[] = [
  [block('159.65.0.0/16', 'US', 'DigitalOcean'), 5],
  [block('167.99.0.0/16', 'US', 'DigitalOcean'), 4],
  [block('134.209.0.0/16', 'US', 'DigitalOcean'), 3],
  [block('2604:a880::/32', 'US', 'DigitalOcean'), 2],
  [block('188.166.0.0/16', 'NL', 'DigitalOcean'), 3],
  [block('3.80.0.0/12', 'US', 'Amazon AWS'), 4],
  [block('18.208.0.0/13', 'US', 'Amazon AWS'), 2],
  [block('35.184.0.0/13', 'US', 'Google Cloud'), 3],
  [block('20.40.0.0/13', 'US', 'Microsoft Azure'), 2],
  [block('45.33.0.0/17', 'US', 'Linode'), 2],
  [block('45.76.0.0/16', 'US', 'Vultr'), 2],
  [block('54.36.0.0/14', 'FR', 'OVH'), 3],
  [block('137.74.0.0/16', 'FR', 'OVH'), 2],
  [block('88.198.0.0/16', 'DE', 'Hetzner Online'), 3],
  [block('116.202.0.0/16', 'DE', 'Hetzner Online'), 2],
  [block('2a01:4f8::/32', 'DE', 'Hetzner Online'), 2],
  [block('95.216.0.0/15', 'FI', 'Hetzner Online'), 2],
  [block('207.180.192.0/18', 'DE', 'Contabo'), 2],
  [block('47.96.0.0/11', 'CN', 'Alibaba Cloud'), 3],
  [block('119.28.0.0/15', 'HK', 'Tencent Cloud'), 2],
  [block('61.177.0.0/16', 'CN', 'Chinanet Jiangsu'), 2],
  [block('218.92.0.0/16', 'CN', 'Chinanet Jiangsu'), 2],
];

/** Tor exit relays: injection attempts by hand often come through them. */
export const TOR_EXITS: readonly (readonly [AddressBlock, number])[] = [
  [block('185.220.101.0/24', 'DE', 'Tor exits (Zwiebelfreunde)'), 2],
  [block('185.220.100.0/24', 'DE', 'Tor exits (Zwiebelfreunde)'), 1],
];

/** Compromised routers and cameras: residential lines in countries where IoT botnets are common. */
export const IOT_BOTNET: readonly (readonly [AddressBlock, number])[] = [
  [block('222.64.0.0/11', 'CN', 'Chinanet Shanghai'), 3],
  [block('183.0.0.0/10', 'CN', 'Chinanet Guangdong'), 3],
  [block('14.160.0.0/11', 'VN', 'VNPT'), 2],
  [block('49.32.0.0/11', 'IN', 'Reliance Jio'), 2],
  [block('189.0.0.0/13', 'BR', 'Telefonica Brasil'), 2],
  [block('95.24.0.0/13', 'RU', 'Beeline'), 1],
  [block('36.64.0.0/11', 'ID', 'Telkom Indonesia'), 1],
];

/** Internet-wide scan services that announce themselves in the user agent. */
export const CENSYS: readonly (readonly [AddressBlock, number])[] = [
  [block('162.142.125.0/24', 'US', 'Censys'), 1],
  [block('167.94.138.0/24', 'US', 'Censys'), 1],
];

/** A pool draws addresses from weighted blocks. */
export class AddressPool {
  private readonly table: WeightedTable<ParsedBlock>;

  constructor(blocks: readonly (readonly [AddressBlock, number])[]) {
    this.table = weightedTable(blocks.map(([b, weight]) => [parseBlock(b.cidr), weight] as const));
  }

  draw(rng: Random): string {
    return randomAddress(rng, rng.weighted(this.table));
  }
}

type ParsedBlock =
  { kind: 4; base: number; size: number } | { kind: 6; prefix: readonly number[]; cidr: string };

export function parseBlock(cidr: string): ParsedBlock {
  const [address = '', lengthText = ''] = cidr.split('/');
  const length = Number(lengthText);
  if (address.includes(':')) {
    if (length % 16 !== 0 || length < 16 || length > 64)
      throw new RangeError(`unsupported IPv6 block ${cidr}`);
    const head = address.split('::')[0] ?? '';
    const hextets = head.split(':').map((h) => parseInt(h || '0', 16));
    const prefix = Array.from({ length: length / 16 }, (_, i) => hextets[i] ?? 0);
    return { kind: 6, prefix, cidr };
  }
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || !(length >= 8 && length <= 32)) throw new RangeError(`bad IPv4 block ${cidr}`);
  const base =
    (((octets[0] ?? 0) << 24) | ((octets[1] ?? 0) << 16) | ((octets[2] ?? 0) << 8) | (octets[3] ?? 0)) >>> 0;
  return { kind: 4, base, size: 2 ** (32 - length) };
}

export function randomAddress(rng: Random, parsed: ParsedBlock): string {
  if (parsed.kind === 4) {
    let n: number;
    if (parsed.size <= 2) {
      n = parsed.base + Math.floor(rng.next() * parsed.size);
    } else if (parsed.size <= 256) {
      n = parsed.base + 1 + Math.floor(rng.next() * (parsed.size - 2));
    } else {
      n = parsed.base + Math.floor(rng.next() * parsed.size);
      // Clients rarely sit on .0 or .255; nudge into 1..254 while staying inside the block.
      const last = n & 255;
      if (last === 0 || last === 255) n = ((n & ~255) >>> 0) + rng.int(1, 254);
    }
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  // Random hextets are non-zero so the text is already canonical (RFC 5952): no `::` needed.
  const parts = parsed.prefix.map((h) => h.toString(16));
  while (parts.length < 8) parts.push(rng.int(1, 0xffff).toString(16));
  return parts.join(':');
}
