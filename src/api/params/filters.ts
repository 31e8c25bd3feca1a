/**
 * The analytics filters every list and aggregate takes (issue #11): free text over path and user agent,
 * ip or CIDR, country, ASN, AS organisation, JA4, bot name, browser family, host (site) and status. Each is
 * bounded and validated here; text filters are matched literally by the store (never as a LIKE or regex
 * pattern), and values reach SQL only as parameters.
 */
import * as z from 'zod';
import { parseCidr } from '../../net/index.js';
import { documentAs, repeatable } from '../request-schema.js';
import { MAX_IP_LENGTH } from './ip.js';

export const MAX_Q_LENGTH = 200;
export const MAX_NAME_FILTER = 100;
export const MAX_HOST_LENGTH = 253;
/** Longest list a filter accepts, all repetitions joined. */
const MAX_LIST_LENGTH = 400;

/** An ip filter: one address (a /32 or /128) or a network. */
export interface IpFilter {
  /** Canonical text: `10.0.0.1` for one address, `10.0.0.0/8` for a network. */
  cidr: string;
  /** True when the filter is one address (an exact match on the stored text, index-friendly). */
  single: boolean;
}

/** A status filter: exact codes and/or classes (`4xx` is 400..499). */
export interface StatusFilter {
  codes: number[];
  classes: number[];
}

export interface AnalyticsFilters {
  q?: string;
  ip?: IpFilter;
  country?: string[];
  asn?: number[];
  as_org?: string;
  ja4?: string[];
  bot?: string;
  browser?: string;
  host?: string;
  status?: StatusFilter;
}

/** Free text: bounded, no NUL (PostgreSQL text cannot hold one). */
function textFilter(max: number, description: string) {
  return z
    .string()
    .min(1)
    .max(max)
    .refine((v) => !v.includes('\0'), 'must not contain NUL')
    .optional()
    .describe(description);
}

function ipOrCidr() {
  return z
    .string()
    .min(1)
    .max(MAX_IP_LENGTH)
    .transform((raw, ctx): IpFilter => {
      try {
        const c = parseCidr(raw);
        const single = c.prefix === (c.version === 4 ? 32 : 128);
        return { cidr: single ? c.network : `${c.network}/${c.prefix}`, single };
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not an IP address or CIDR network (e.g. 203.0.113.7 or 203.0.113.0/24)' });
        return z.NEVER;
      }
    })
    .optional()
    .describe('Source IP (IPv4 or IPv6) or network in CIDR notation (203.0.113.0/24).');
}

/** A comma list (or repeated parameter) of values each matching `re` after `fold`. */
function tokenList<T>(re: RegExp, what: string, parse: (v: string) => T, description: string) {
  const schema = z
    .string()
    .max(MAX_LIST_LENGTH)
    .transform((raw, ctx): T[] => {
      const out: T[] = [];
      for (const part of raw.split(',')) {
        const v = part.trim();
        if (v === '') continue;
        if (!re.test(v)) {
          const shown = JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
          ctx.addIssue({ code: 'custom', message: `has ${shown}, which is not ${what}` });
          return z.NEVER;
        }
        const value = parse(v);
        if (!out.includes(value)) out.push(value);
      }
      if (out.length === 0) {
        ctx.addIssue({ code: 'custom', message: `is empty; give ${what}` });
        return z.NEVER;
      }
      return out;
    })
    .optional();
  return repeatable(
    documentAs(schema, {
      type: 'string',
      maxLength: MAX_LIST_LENGTH,
      description: `${description} One or a comma-separated list (the parameter may also be repeated).`,
    }),
  );
}

const COUNTRY = /^[A-Za-z]{2}$/;
const ASN = /^(?:[Aa][Ss])?\d{1,10}$/;
/** JA4 (`t13d1516h2_8daaf6152771_02713d6af862`) and its JA4H/raw cousins: letters, digits, underscores. */
const JA4 = /^[A-Za-z0-9_]{1,100}$/;
const STATUS = /^(?:[1-5]\d\d|[1-5]xx)$/i;
const NAME = /^[\p{L}\p{N} ._/+-]{1,100}$/u;
/** A host name or address as a log writes it (with a port, or a bracketed IPv6). */
const HOST = /^[A-Za-z0-9._:[\]-]{1,253}$/;

function nameFilter(description: string) {
  return z
    .string()
    .max(MAX_NAME_FILTER)
    .regex(NAME, 'must be letters, digits, spaces and . _ / + -')
    .optional()
    .describe(description);
}

/** The filter fields; spread into a route's z.object. */
export function analyticsFilterFields() {
  return {
    q: textFilter(MAX_Q_LENGTH, 'Free text found in the request path or user agent, matched literally (case-insensitive).'),
    ip: ipOrCidr(),
    country: tokenList(COUNTRY, 'an ISO 3166-1 alpha-2 country code', (v) => v.toUpperCase(), 'Country of the source (ISO 3166-1 alpha-2, e.g. DE).'),
    asn: tokenList(ASN, 'an AS number (64500 or AS64500)', (v) => Number(v.replace(/^as/i, '')), 'Autonomous system number of the source.'),
    as_org: textFilter(MAX_NAME_FILTER, 'Substring of the AS organisation name, matched literally (case-insensitive).'),
    ja4: tokenList(JA4, 'a JA4 fingerprint', (v) => v.toLowerCase(), 'JA4 TLS fingerprint, where the log carries it.'),
    bot: nameFilter('Bot name (a well-known crawler, e.g. Googlebot), matched case-insensitively.'),
    browser: nameFilter('Browser family (e.g. Chrome, Firefox), matched case-insensitively.'),
    host: z
      .string()
      .max(MAX_HOST_LENGTH)
      .regex(HOST, 'is not a host name')
      .transform((h) => h.toLowerCase())
      .optional()
      .describe('Site (the Host the log recorded), exact match, case-insensitive.'),
    status: tokenList(STATUS, 'an HTTP status (404) or class (4xx)', (v) => v.toLowerCase(), 'HTTP status codes or classes (4xx).'),
  };
}

interface FilterInput {
  q?: string | undefined;
  ip?: IpFilter | undefined;
  country?: string[] | undefined;
  asn?: number[] | undefined;
  as_org?: string | undefined;
  ja4?: string[] | undefined;
  bot?: string | undefined;
  browser?: string | undefined;
  host?: string | undefined;
  status?: string[] | undefined;
}

/** The filters given, undefined ones left out (so `{}` means "no filter"). */
export function resolveFilters(q: FilterInput): AnalyticsFilters {
  const out: AnalyticsFilters = {};
  if (q.q !== undefined) out.q = q.q;
  if (q.ip !== undefined) out.ip = q.ip;
  if (q.country !== undefined) out.country = q.country;
  if (q.asn !== undefined) out.asn = q.asn;
  if (q.as_org !== undefined) out.as_org = q.as_org;
  if (q.ja4 !== undefined) out.ja4 = q.ja4;
  if (q.bot !== undefined) out.bot = q.bot;
  if (q.browser !== undefined) out.browser = q.browser;
  if (q.host !== undefined) out.host = q.host;
  if (q.status !== undefined) {
    const codes: number[] = [];
    const classes: number[] = [];
    // `4xx` is class 4 (400..499); `404` is the code.
    for (const s of q.status) {
      if (s.endsWith('xx')) classes.push(Number(s[0]));
      else codes.push(Number(s));
    }
    out.status = { codes, classes };
  }
  return out;
}

/** Rejects filters an endpoint cannot apply (its data does not carry them), naming the first one. */
export function refuseFilters(f: AnalyticsFilters, unsupported: readonly (keyof AnalyticsFilters)[], why: string, ctx: z.RefinementCtx): void {
  for (const key of unsupported) {
    if (f[key] !== undefined) {
      ctx.addIssue({ code: 'custom', message: `is not supported here: ${why}`, path: [key] });
      return;
    }
  }
}
