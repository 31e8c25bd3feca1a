/**
 * The analytics filters (issue #11) as SQL conditions over requests or threats. Values go in as parameters;
 * text filters match literally (LIKE with every wildcard escaped); a filter the table cannot answer (requests
 * carry no geo; no table keeps JA4 yet) is a BadRequestError naming it, never a silently ignored filter.
 */
import { BadRequestError } from '../core/index.js';
import { escapeLike } from './threat-repository.js';
import { ip as boundIp, text } from './sanitize.js';

/** Same shape as the API's parsed filters (src/api/params/filters.ts). */
export interface AnalyticsFilter {
  q?: string;
  ip?: { cidr: string; single: boolean };
  country?: string[];
  asn?: number[];
  as_org?: string;
  ja4?: string[];
  bot?: string;
  browser?: string;
  host?: string;
  status?: { codes: number[]; classes: number[] };
}

export type FilteredTable = 'requests' | 'threats';

/** Collects parameters for one statement: `p(value)` returns its placeholder. */
export class Params {
  readonly values: unknown[] = [];
  p(v: unknown): string {
    return `$${this.values.push(v)}`;
  }
}

const contains = (column: string, value: string, ps: Params) =>
  `${column} ILIKE '%' || ${ps.p(escapeLike(text(value)))} || '%' ESCAPE '\\'`;

/** Conditions (ANDed by the caller) for the filters on `table`, its columns prefixed with `alias.`. */
export function filterConditions(f: AnalyticsFilter, table: FilteredTable, alias: string, ps: Params): string[] {
  const c = (column: string) => `${alias}.${column}`;
  const conds: string[] = [];
  if (f.ja4 !== undefined) throw new BadRequestError('query parameter "ja4" is not supported here: the store keeps no JA4 per request yet', 'ja4');
  if (table === 'requests') {
    for (const key of ['country', 'asn', 'as_org'] as const) {
      if (f[key] !== undefined) {
        throw new BadRequestError(`query parameter "${key}" is not supported on raw requests: only threats carry geo and network`, key);
      }
    }
  }
  if (f.q !== undefined) conds.push(`(${contains(c('path'), f.q, ps)} OR ${contains(c('user_agent'), f.q, ps)})`);
  if (f.ip !== undefined) {
    conds.push(
      f.ip.single ? `${c('ip')} = ${ps.p(boundIp(f.ip.cidr))}` : `rampart_inet(${c('ip')}) <<= ${ps.p(f.ip.cidr)}::inet`,
    );
  }
  if (f.host !== undefined) conds.push(`${c('host')} = ${ps.p(text(f.host))}`);
  if (f.status !== undefined) {
    const parts: string[] = [];
    if (f.status.codes.length > 0) parts.push(`${c('status')} = ANY(${ps.p(f.status.codes)}::int[])`);
    if (f.status.classes.length > 0) parts.push(`(${c('status')} / 100) = ANY(${ps.p(f.status.classes)}::int[])`);
    conds.push(`(${parts.join(' OR ')})`);
  }
  // Bots and browsers name themselves in the user agent (Googlebot/2.1, Firefox/126.0): a literal word there.
  if (f.bot !== undefined) conds.push(contains(c('user_agent'), f.bot, ps));
  if (f.browser !== undefined) conds.push(contains(c('user_agent'), f.browser, ps));
  if (f.country !== undefined) conds.push(`${c('country')} = ANY(${ps.p(f.country)}::text[])`);
  if (f.asn !== undefined) conds.push(`${c('asn')} = ANY(${ps.p(f.asn)}::bigint[])`);
  if (f.as_org !== undefined) conds.push(contains(c('as_org'), f.as_org, ps));
  return conds;
}

/** Refuses filters a rollup-backed aggregate cannot apply (only those in `supported` are), naming the first. */
export function onlyFilters(f: AnalyticsFilter, supported: readonly (keyof AnalyticsFilter)[], what: string): void {
  for (const key of Object.keys(f) as (keyof AnalyticsFilter)[]) {
    if (f[key] !== undefined && !supported.includes(key)) {
      throw new BadRequestError(
        `query parameter "${key}" is not supported by ${what} (answered from rollups; supported: ${supported.join(', ') || 'none'})`,
        key,
      );
    }
  }
}
