/**
 * Detections for the SOC (GET /api/detections): every rule and behaviour hit (threat_hits) with its threat's
 * time, source and request, filtered, newest first by default, paged by offset or by keyset cursor on the
 * threat's (time, id) and the hit's number. Bounded by a time window over the threats' (time, id) index.
 */
import * as z from 'zod';
import { BadRequestError, CATEGORIES, SEVERITIES, type Category, type Severity } from '../core/index.js';
import { filterConditions, Params, type AnalyticsFilter } from './analytics-filter.js';
import { named } from './errors.js';
import { afterCursor, cappedCount, type Counted, type KeysetCursor } from './keyset.js';
import { checkPage, orderBy } from './page.js';
import { decodeFields, encodeFields, epochMs, jsonShape, plain, selectList, type ValueOf } from './record-fields.js';
import { escapeLike } from './threat-repository.js';
import { text } from './sanitize.js';
import type { SqlClient } from './types.js';

export const DETECTION_KINDS = ['rule', 'behaviour'] as const;
export type DetectionKind = (typeof DETECTION_KINDS)[number];

const DETECTION_FIELDS = {
  id: plain('id', z.string().describe('<threat id>-<hit number>: stable, unique per detection.'), `t.id || '-' || h.n`),
  time: { ...epochMs('time', "The threat's request time."), sql: '(extract(epoch FROM t.time) * 1000)::float8' },
  threatId: plain('threat_id', z.string(), 't.id'),
  kind: plain('kind', z.enum(DETECTION_KINDS).describe('behaviour for per-IP behaviour scenarios, rule otherwise.'), `CASE WHEN h.field = 'behaviour' THEN 'behaviour' ELSE 'rule' END`),
  ruleId: plain('rule_id', z.string(), 'h.rule_id'),
  category: plain('category', z.enum(CATEGORIES), 'h.category'),
  severity: plain('severity', z.enum(SEVERITIES), 'h.severity'),
  confidence: plain('confidence', z.number().min(0).max(1), 'h.confidence::float8'),
  field: plain('field', z.string(), 'h.field'),
  fragment: plain('fragment', z.string(), 'h.fragment'),
  simulated: plain('simulated', z.boolean(), 'h.simulated'),
  score: plain('score', z.number().min(0).max(1).describe("The threat's combined score."), 't.score::float8'),
  ip: plain('ip', z.string(), 't.ip'),
  host: plain('host', z.string().nullable(), 't.host'),
  method: plain('method', z.string(), 't.method'),
  path: plain('path', z.string(), 't.path'),
  status: plain('status', z.number().int(), 't.status'),
  userAgent: plain('user_agent', z.string().nullable(), 't.user_agent'),
  country: plain('country', z.string().nullable(), 't.country'),
  asn: plain('asn', z.number().int().nullable(), 't.asn::float8'),
};

export type StoredDetection = ValueOf<typeof DETECTION_FIELDS>;
export const detectionRowJson = z.object(jsonShape(DETECTION_FIELDS));
export type DetectionRowJson = z.output<typeof detectionRowJson>;
export function detectionRowToJson(d: StoredDetection): DetectionRowJson {
  return encodeFields(DETECTION_FIELDS, d);
}

const SELECT = selectList(DETECTION_FIELDS);

export const DETECTION_SORTS = ['time', 'score'] as const;
export type DetectionSort = (typeof DETECTION_SORTS)[number];
const SORT_SQL: Record<DetectionSort, string> = { time: 't.time', score: 't.score' };

export interface DetectionQuery extends AnalyticsFilter {
  since: number;
  until: number;
  rule?: string[];
  category?: Category[];
  severity?: Severity[];
  kind?: DetectionKind[];
  path?: string;
  sort: DetectionSort;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
  cursor?: KeysetCursor;
}

export class DetectionRepository {
  constructor(private readonly sql: SqlClient) {}

  list(q: DetectionQuery): Promise<{ items: StoredDetection[] } & Counted> {
    return named('listDetections', () => listDetections(this.sql, q));
  }
}

/** The cursor id of a detection: `<threat id>-<n>`; the threat id part is what the keyset compares. */
export function splitDetectionId(id: string): { threatId: string; n: number } | null {
  const dash = id.lastIndexOf('-');
  const n = Number(id.slice(dash + 1));
  return dash > 0 && Number.isInteger(n) && n >= 0 && n < 32768 ? { threatId: id.slice(0, dash), n } : null;
}

async function listDetections(sql: SqlClient, q: DetectionQuery): Promise<{ items: StoredDetection[] } & Counted> {
  checkPage(q.limit, q.offset);
  const { sort, order } = orderBy(SORT_SQL, q.sort, q.order);
  const ps = new Params();
  const conds = [`t.time >= to_timestamp(${ps.p(q.since)}::float8 / 1000)`, `t.time < to_timestamp(${ps.p(q.until)}::float8 / 1000)`];
  conds.push(...filterConditions(q, 'threats', 't', ps));
  if (q.rule?.length) conds.push(`h.rule_id = ANY(${ps.p(q.rule.map(text))}::text[])`);
  if (q.category?.length) conds.push(`h.category = ANY(${ps.p(q.category)}::text[])`);
  if (q.severity?.length) conds.push(`h.severity = ANY(${ps.p(q.severity)}::text[])`);
  if (q.kind?.length === 1) conds.push(q.kind[0] === 'behaviour' ? `h.field = 'behaviour'` : `h.field <> 'behaviour'`);
  if (q.path !== undefined) conds.push(`t.path LIKE '%' || ${ps.p(escapeLike(text(q.path)))} || '%' ESCAPE '\\'`);
  const fromWhere = `FROM threats t JOIN threat_hits h ON h.threat_id = t.id WHERE ${conds.join(' AND ')}`;
  const counted = cappedCount(sql, fromWhere, [...ps.values]);
  const pageConds = [...conds];
  if (q.cursor) {
    const key = splitDetectionId(q.cursor.id);
    if (q.sort !== 'time') throw new BadRequestError('query parameter "cursor" pages only sort=time lists', 'cursor');
    if (key === null) throw new BadRequestError('query parameter "cursor" is not a detections cursor', 'cursor');
    // (time, id) reaches the threats index; the hit number breaks the tie inside the cursor's own threat.
    pageConds.push(
      afterCursor('t.time', 't.id', { ...q.cursor, id: key.threatId }, q.order, ps, true),
      `NOT (t.id = ${ps.p(key.threatId)} AND h.n ${q.order === 'desc' ? '>=' : '<='} ${ps.p(key.n)})`,
    );
  }
  const page = await sql.query(
    `SELECT ${SELECT} FROM threats t JOIN threat_hits h ON h.threat_id = t.id WHERE ${pageConds.join(' AND ')}
     ORDER BY ${sort} ${order}, t.id ${order}, h.n ${order} LIMIT ${ps.p(q.limit)} OFFSET ${ps.p(q.offset)}`,
    ps.values,
  );
  return { items: page.rows.map((r) => decodeFields(DETECTION_FIELDS, r)), ...(await counted) };
}
