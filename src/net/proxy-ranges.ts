/**
 * Named address sets for the trusted-proxy walk. The CDN lists are the providers' published egress
 * ranges (https://www.cloudflare.com/ips/, https://api.fastly.com/public-ip-list). Checked on
 * RANGES_CHECKED against several independent copies of those lists kept in public repositories, the
 * newest a Fastly list fetched 2026-08-30: every range agrees, and Fastly's second IPv6 block is a /32
 * (it was written here as a /29, which trusted eight times the space). Providers change the lists
 * rarely but do change them: users can add their own CIDRs next to these names in `trusted_proxies`,
 * and should re-check the lists yearly.
 */

export const RANGES_CHECKED = '2026-11-21';

export const CLOUDFLARE_RANGES: readonly string[] = [
  '173.245.48.0/20',
  '103.21.244.0/22',
  '103.22.200.0/22',
  '103.31.4.0/22',
  '141.101.64.0/18',
  '108.162.192.0/18',
  '190.93.240.0/20',
  '188.114.96.0/20',
  '197.234.240.0/22',
  '198.41.128.0/17',
  '162.158.0.0/15',
  '104.16.0.0/13',
  '104.24.0.0/14',
  '172.64.0.0/13',
  '131.0.72.0/22',
  '2400:cb00::/32',
  '2606:4700::/32',
  '2803:f800::/32',
  '2405:b500::/32',
  '2405:8100::/32',
  '2a06:98c0::/29',
  '2c0f:f248::/32',
];

export const FASTLY_RANGES: readonly string[] = [
  '23.235.32.0/20',
  '43.249.72.0/22',
  '103.244.50.0/24',
  '103.245.222.0/23',
  '103.245.224.0/24',
  '104.156.80.0/20',
  '140.248.64.0/18',
  '140.248.128.0/17',
  '146.75.0.0/17',
  '151.101.0.0/16',
  '157.52.64.0/18',
  '167.82.0.0/17',
  '167.82.128.0/20',
  '167.82.160.0/20',
  '167.82.224.0/20',
  '172.111.64.0/18',
  '185.31.16.0/22',
  '199.27.72.0/21',
  '199.232.0.0/16',
  '2a04:4e40::/32',
  '2a04:4e42::/32',
];

/** Addresses that only a local proxy or load balancer would connect from. */
export const PRIVATE_RANGES: readonly string[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '127.0.0.0/8',
  'fc00::/7',
  '::1/128',
];

/** Names accepted in a trusted-proxy list, each standing for a set of ranges. */
export const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  cdn: [...CLOUDFLARE_RANGES, ...FASTLY_RANGES],
  cloudflare: CLOUDFLARE_RANGES,
  fastly: FASTLY_RANGES,
  private: PRIVATE_RANGES,
};
