export {
  formatIp,
  formatIpv4,
  formatIpv6,
  ipv6ToBigInt,
  ipToBytes,
  ipVersion,
  isIp,
  normaliseIp,
  parseIp,
  parseIpv4,
  parseIpv6,
} from './ip.js';
export type { ParsedIp } from './ip.js';
export { classifyIp, isPublicIp, IP_CLASSES, type IpClass } from './ip-class.js';
export { CidrSet, formatCidr, networkOf, parseCidr, type Cidr } from './cidr.js';
export { TrustedProxies, createTrustedProxies } from './trusted-proxy.js';
export {
  CLOUDFLARE_RANGES,
  FASTLY_RANGES,
  NAMED_RANGES,
  PRIVATE_RANGES,
  RANGES_CHECKED,
} from './proxy-ranges.js';
