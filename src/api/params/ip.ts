/**
 * IP parameters: validated and folded with the same normaliser the pipeline applies before storing
 * (IPv4-mapped IPv6 as IPv4, IPv6 in RFC 5952 form), so `::FFFF:10.0.0.1` finds events from `10.0.0.1`.
 */
import * as z from 'zod';
import { normaliseIp } from '../../net/index.js';

/** Longest textual IPv6 address with an embedded IPv4 and a zone would still fit. */
export const MAX_IP_LENGTH = 64;

export function ipParam(description: string) {
  return z
    .string()
    .min(1)
    .max(MAX_IP_LENGTH)
    .transform((raw, ctx) => {
      const ip = normaliseIp(raw.trim());
      if (ip === null) {
        ctx.addIssue({ code: 'custom', message: 'is not an IPv4 or IPv6 address' });
        return z.NEVER;
      }
      return ip;
    })
    .describe(description);
}
