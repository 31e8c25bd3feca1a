/**
 * Analyst verdicts on IPs (table ip_verdicts, migration 0009): one row per verdict with who and when, never
 * updated, so the history of an address's classification stays. The latest is the IP's current verdict.
 */
import * as z from 'zod';
import { named } from './errors.js';
import { cappedCount, type Counted } from './keyset.js';
import { checkPage, ORDER_SQL } from './page.js';
import { decodeFields, encodeFields, epochMs, jsonShape, plain, selectList, type ValueOf } from './record-fields.js';
import { ip as boundIp, text } from './sanitize.js';
import type { SqlClient } from './types.js';

export const VERDICTS = ['bot', 'legitimate', 'suspicious', 'malicious'] as const;
export type Verdict = (typeof VERDICTS)[number];
export const MAX_VERDICT_COMMENT = 2000;
export const MAX_ANALYST = 200;

const VERDICT_FIELDS = {
  id: plain('id', z.number().int(), 'id::float8'),
  ip: plain('ip', z.string()),
  verdict: plain('verdict', z.enum(VERDICTS)),
  comment: plain('comment', z.string()),
  analyst: plain('analyst', z.string().describe('The API key name that gave it, or "anonymous" without authentication.')),
  createdAt: epochMs('created_at'),
};

export type StoredVerdict = ValueOf<typeof VERDICT_FIELDS>;
export const verdictJson = z.object(jsonShape(VERDICT_FIELDS));
export type VerdictJson = z.output<typeof verdictJson>;
export function verdictToJson(v: StoredVerdict): VerdictJson {
  return encodeFields(VERDICT_FIELDS, v);
}

const SELECT = selectList(VERDICT_FIELDS);

export interface NewVerdict {
  ip: string;
  verdict: Verdict;
  comment: string;
  analyst: string;
  at: number;
}

export interface VerdictQuery {
  ip?: string;
  verdict?: Verdict[];
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

export class VerdictRepository {
  constructor(private readonly sql: SqlClient) {}

  add(v: NewVerdict): Promise<StoredVerdict> {
    return named('addVerdict', async () => {
      const { rows } = await this.sql.query(
        `INSERT INTO ip_verdicts (ip, verdict, comment, analyst, created_at)
         VALUES ($1, $2, $3, $4, to_timestamp($5::float8 / 1000)) RETURNING ${SELECT}`,
        [boundIp(v.ip), v.verdict, text(v.comment.slice(0, MAX_VERDICT_COMMENT)), text(v.analyst.slice(0, MAX_ANALYST)), v.at],
      );
      return decodeFields(VERDICT_FIELDS, rows[0] as Record<string, unknown>);
    });
  }

  list(q: VerdictQuery): Promise<{ items: StoredVerdict[] } & Counted> {
    return named('listVerdicts', async () => {
      checkPage(q.limit, q.offset);
      const order = ORDER_SQL[q.order];
      const params: unknown[] = [];
      const conds: string[] = [];
      if (q.ip !== undefined) conds.push(`ip = $${params.push(boundIp(q.ip))}`);
      if (q.verdict?.length) conds.push(`verdict = ANY($${params.push(q.verdict)}::text[])`);
      const where = conds.length ? `WHERE ${conds.join(' AND ')}` : '';
      const counted = cappedCount(this.sql, `FROM ip_verdicts ${where}`, [...params]);
      const { rows } = await this.sql.query(
        `SELECT ${SELECT} FROM ip_verdicts ${where} ORDER BY created_at ${order}, id ${order}
         LIMIT $${params.push(q.limit)} OFFSET $${params.push(q.offset)}`,
        params,
      );
      return { items: rows.map((r) => decodeFields(VERDICT_FIELDS, r)), ...(await counted) };
    });
  }
}
