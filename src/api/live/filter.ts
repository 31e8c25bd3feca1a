/**
 * Which alerts a live client wants: minimum severity, categories, source IPs or CIDRs, hosts, message
 * types. One zod shape serves the query string (GET /ws/alerts?min_severity=high&ip=10.0.0.0/8) and the
 * `subscribe` message sent after connecting (the same names; a list may be a JSON array or a
 * comma-separated string). Matching is pure and cheap: it runs for every client on every alert.
 */
import * as z from 'zod';
import { CATEGORIES, SEVERITIES, type Category, type Severity } from '../../core/index.js';
import { CidrSet, normaliseIp, parseCidr, parseIp, type ParsedIp } from '../../net/index.js';
import { listParam } from '../params/list.js';
import { ALERT_TYPES, type AlertType, type LiveAlert } from './message.js';

export const MAX_FILTER_IPS = 64;
export const MAX_FILTER_HOSTS = 64;
const MAX_HOST = 253;

export interface AlertFilter {
  minSeverity?: Severity;
  categories?: readonly Category[];
  types?: readonly AlertType[];
  /** IPs and CIDRs (a bare IP is its /32 or /128). */
  ips?: CidrSet;
  /** Lower-case host names, exact match. */
  hosts?: ReadonlySet<string>;
}

const ipList = z
  .string()
  .max(MAX_FILTER_IPS * 50)
  .transform((raw, ctx) => {
    const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (items.length === 0 || items.length > MAX_FILTER_IPS) {
      ctx.addIssue({ code: 'custom', message: `must list 1 to ${MAX_FILTER_IPS} IPs or CIDRs` });
      return z.NEVER;
    }
    const cidrs: string[] = [];
    for (const item of items) {
      const ip = normaliseIp(item);
      try {
        cidrs.push(ip !== null ? (ip.includes(':') ? `${ip}/128` : `${ip}/32`) : (parseCidr(item), item));
      } catch {
        ctx.addIssue({ code: 'custom', message: `has ${JSON.stringify(item.slice(0, 60))}, which is neither an IP nor a CIDR` });
        return z.NEVER;
      }
    }
    return new CidrSet(cidrs);
  })
  .optional()
  .describe(`Source IPs or CIDRs, comma-separated (at most ${MAX_FILTER_IPS}).`);

const hostList = z
  .string()
  .max(MAX_FILTER_HOSTS * (MAX_HOST + 1))
  .transform((raw, ctx) => {
    const items = raw.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
    if (items.length === 0 || items.length > MAX_FILTER_HOSTS || items.some((h) => h.length > MAX_HOST)) {
      ctx.addIssue({ code: 'custom', message: `must list 1 to ${MAX_FILTER_HOSTS} host names of at most ${MAX_HOST} characters` });
      return z.NEVER;
    }
    return new Set(items);
  })
  .optional()
  .describe('Host names (the request Host), comma-separated, exact match ignoring case.');

/** The filter fields, shared by the query string and the subscribe message. */
export const filterFields = {
  min_severity: z
    .string()
    .max(20)
    .transform((raw, ctx) => {
      const s = raw.trim().toLowerCase();
      if (!(SEVERITIES as readonly string[]).includes(s)) {
        ctx.addIssue({ code: 'custom', message: `has unknown value ${JSON.stringify(raw.slice(0, 40))}; valid: ${SEVERITIES.join(', ')}` });
        return z.NEVER;
      }
      return s as Severity;
    })
    .optional()
    .describe(`Lowest severity delivered: ${SEVERITIES.join(', ')}.`),
  category: listParam(CATEGORIES, { maxLength: 400, fold: 'lower', description: 'Threat categories delivered.' }),
  type: listParam(ALERT_TYPES, { maxLength: 100, fold: 'lower', description: 'Message types delivered (default all).' }),
  ip: ipList,
  host: hostList,
};

type FilterInput = z.output<z.ZodObject<typeof filterFields>>;

export function toAlertFilter(q: FilterInput): AlertFilter {
  const f: AlertFilter = {};
  if (q.min_severity !== undefined) f.minSeverity = q.min_severity;
  if (q.category !== undefined) f.categories = q.category;
  if (q.type !== undefined) f.types = q.type;
  if (q.ip !== undefined) f.ips = q.ip;
  if (q.host !== undefined) f.hosts = q.host;
  return f;
}

const subscribeFilter = z.object(filterFields).strict();

/**
 * The filter of a `subscribe` message's `filter` object, or the reason it is refused (naming the field).
 * Lists may come as arrays of strings.
 */
export function parseSubscribeFilter(raw: unknown): AlertFilter | { error: string } {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) return { error: '"filter" must be an object' };
  const flat: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    flat[k] = Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.join(',') : v;
  }
  const r = subscribeFilter.safeParse(flat);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.length > 0 ? `"${issue.path.join('.')}" ` : '';
    return { error: `filter ${field}${issue.message}`.trim() };
  }
  return toAlertFilter(r.data);
}

const RANK: Record<Severity, number> = Object.fromEntries(SEVERITIES.map((s, i) => [s, i])) as Record<Severity, number>;

/**
 * What every filter compares of an alert, worked out once per alert rather than once per client; the
 * resume buffer keeps this rather than the alert (its text is kept as sent).
 */
export interface MatchableAlert {
  type: AlertType;
  severity: Severity | null;
  category: Category | null;
  ip: ParsedIp | null;
  host: string | null;
}

export function matchable(alert: LiveAlert): MatchableAlert {
  if (alert.type === 'decision') {
    return { type: alert.type, severity: null, category: null, ip: typeof alert.data.ip === 'string' ? parseIp(alert.data.ip) : null, host: null };
  }
  const t = alert.data;
  return { type: alert.type, severity: t.severity, category: t.category, ip: parseIp(t.ip), host: t.host === null ? null : t.host.toLowerCase() };
}

export function matches(f: AlertFilter, a: LiveAlert | MatchableAlert): boolean {
  const m = 'data' in a ? matchable(a) : a;
  if (f.types && !f.types.includes(m.type)) return false;
  if (f.ips && (m.ip === null || !f.ips.containsParsed(m.ip))) return false;
  // Decisions have no severity, category or host: only type and ip filter them.
  if (m.type === 'decision') return true;
  if (f.minSeverity && (m.severity === null || RANK[m.severity] < RANK[f.minSeverity])) return false;
  if (f.categories && (m.category === null || !f.categories.includes(m.category))) return false;
  if (f.hosts && (m.host === null || !f.hosts.has(m.host))) return false;
  return true;
}

/** The filter as JSON, echoed in the `subscribed` message. */
export function filterToJson(f: AlertFilter): Record<string, unknown> {
  return {
    min_severity: f.minSeverity ?? null,
    category: f.categories ?? null,
    type: f.types ?? null,
    ip: f.ips ? [...f.ips.cidrs] : null,
    host: f.hosts ? [...f.hosts] : null,
  };
}
