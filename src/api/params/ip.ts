/**
 * IP parameters: validated and folded with the same normaliser the pipeline applies before storing
 * (IPv4-mapped IPv6 as IPv4, IPv6 in RFC 5952 form), so `::FFFF:10.0.0.1` finds events from `10.0.0.1`.
 */
import { BadRequestError } from '../../core/errors.js';
import { normaliseIp } from '../../net/ip.js';

export function parseIpParam(name: string, raw: string): string {
  const ip = normaliseIp(raw.trim());
  if (ip === null)
    throw new BadRequestError(`query parameter "${name}" is not an IPv4 or IPv6 address`, name);
  return ip;
}
