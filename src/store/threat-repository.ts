/**
 * Threats: the flagged requests with their detections (tables threats, threat_hits). Read by the API as a
 * filtered list, one threat, and rule counts; written by the batch writer inside its transaction.
 */
import { SEVERITY_SCORE, type ThreatEvent } from '../core/index.js';
import { copyRow, copyUnlessReplayed, pgTextArray } from './copy-text.js';
import { named } from './errors.js';
import { checkPage, orderBy } from './page.js';
import { int, ip, realOrNull, text, textOrNull } from './sanitize.js';
import { decodeThreats, THREAT_COLUMNS, type StoredThreat } from './threat-record.js';
import { hourSplit, ruleHourRows } from './rule-hit-rollup.js';
import type { SqlClient, ThreatQuery, ThreatSort, TopEntry } from './types.js';
import { onlyInserted } from './inserted.js';

/** Default of enrich.reputation.minScore: `medium` risk and above. */
export const DEFAULT_REPUTATION_MIN_SCORE = 25;

export interface ThreatRepositoryOptions {
  /** Threats carry their source's IOC risk when at or above this score (enrich.reputation.minScore). */
  reputationMinScore?: number;
}

/** The only sort expressions that reach SQL (byte order for text, as on every backend); the id tie-break makes pages stable. */
const SORT_SQL: Record<ThreatSort, string> = {
  // Qualified: a bare `time` in ORDER BY names the select list's epoch-ms expression (THREAT_COLUMNS aliases
  // it "time"), which no index serves, so every list sorted all its matching rows.
  time: 'threats.time',
  score: 'score',
  severity: 'severity_score',
  ip: 'ip COLLATE "C"',
  status: 'status',
};

export class ThreatRepository {
  private readonly reputationMinScore: number;

  constructor(
    private readonly sql: SqlClient,
    opts: ThreatRepositoryOptions = {},
  ) {
    this.reputationMinScore = opts.reputationMinScore ?? DEFAULT_REPUTATION_MIN_SCORE;
  }

  /** Threats matching the filters, sorted by a whitelisted key, paged; `total` ignores the page. */
  list(q: ThreatQuery): Promise<{ items: StoredThreat[]; total: number }> {
    return named('listThreats', () => listThreats(this.sql, q, this.reputationMinScore));
  }

  get(id: string): Promise<StoredThreat | null> {
    return named('getThreat', async () => {
      const { rows } = await this.sql.query(`SELECT ${THREAT_COLUMNS} FROM threats WHERE id = $1`, [text(id)]);
      const [threat] = await decodeThreats(this.sql, rows, this.reputationMinScore);
      return threat ?? null;
    });
  }

  /** Detections per rule for threats in [since, until), most frequent first. */
  topRules(since: number, until: number, limit = 10): Promise<TopEntry[]> {
    return named('topRules', () => topRules(this.sql, since, until, limit));
  }
}

async function listThreats(sql: SqlClient, q: ThreatQuery, reputationMinScore: number): Promise<{ items: StoredThreat[]; total: number }> {
  const { sort, order } = orderBy(SORT_SQL, q.sort, q.order);
  checkPage(q.limit, q.offset);
  const { where, params } = filters(q);
  const count = await sql.query<{ n: number }>(`SELECT count(*)::float8 AS n FROM threats ${where}`, params);
  const page = await sql.query(
    `SELECT ${THREAT_COLUMNS} FROM threats ${where}
     ORDER BY ${sort} ${order}, id ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, q.limit, q.offset],
  );
  const items = await decodeThreats(sql, page.rows, reputationMinScore);
  return { items, total: count.rows[0]?.n ?? 0 };
}

// Filter values go through the same sanitising as stored values, so a NUL in a query matches, not fails.
function filters(q: ThreatQuery): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const conds: string[] = [];
  const param = (v: unknown): string => `$${params.push(v)}`;
  if (q.since !== undefined) conds.push(`time >= to_timestamp(${param(q.since)}::float8 / 1000)`);
  if (q.until !== undefined) conds.push(`time < to_timestamp(${param(q.until)}::float8 / 1000)`);
  if (q.severity?.length) conds.push(`severity = ANY(${param(q.severity)}::text[])`);
  if (q.category?.length) conds.push(`category = ANY(${param(q.category)}::text[])`);
  if (q.ip) conds.push(`ip = ${param(ip(q.ip))}`);
  if (q.host !== undefined) conds.push(`host = ${param(text(q.host))}`);
  if (q.path) conds.push(`path LIKE '%' || ${param(escapeLike(text(q.path)))} || '%' ESCAPE '\\'`);
  return { where: conds.length ? `WHERE ${conds.join(' AND ')}` : '', params };
}

/** Makes a substring match literally under LIKE … ESCAPE '\'. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}

/**
 * The ranking of rules by detections in [since, until) (most first, then id in byte order); rule hits reuse it.
 * Whole hours come from rollup_hour_rule, the partial first and last hour from the hits (rule-hit-rollup.ts).
 */
export async function topRules(sql: SqlClient, since: number, until: number, limit: number): Promise<TopEntry[]> {
  if (until <= since) return [];
  const { hoursFrom, hoursTo } = hourSplit(since, until);
  const { rows } = await sql.query<{ key: string; count: number }>(
    `SELECT rule_id AS key, sum(hits)::float8 AS count FROM (${ruleHourRows()}) AS u(rule_id, hs, hits, simulated)
     GROUP BY rule_id ORDER BY count DESC, rule_id COLLATE "C" LIMIT $5`,
    [since, until, hoursFrom, hoursTo, limit],
  );
  return rows;
}

// ---- The batch writer's part (inside its transaction) ----

const INSERT_THREATS = `
WITH ins AS (
  INSERT INTO threats (id, time, ip, method, host, path, query, status, bytes, user_agent, referer,
                       score, severity, severity_score, category, origin,
                       ip_kind, country, country_name, city, latitude, longitude, asn, as_org)
  SELECT id, to_timestamp(t / 1000), ip, method, host, path, query, status, bytes, user_agent, referer,
         score, severity, severity_score, category, origin,
         ip_kind, country, country_name, city, latitude, longitude, asn, as_org
  FROM unnest($1::text[], $2::float8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[],
              $9::int8[], $10::text[], $11::text[], $12::float4[], $13::text[], $14::int2[], $15::text[], $16::text[],
              $17::text[], $18::text[], $19::text[], $20::text[], $21::float8[], $22::float8[], $23::int8[], $24::text[])
       AS u(id, t, ip, method, host, path, query, status, bytes, user_agent, referer,
            score, severity, severity_score, category, origin,
            ip_kind, country, country_name, city, latitude, longitude, asn, as_org)
  ON CONFLICT (id) DO NOTHING
  RETURNING id)
SELECT id FROM ins`;

/** Inserts the threats and the detections of those that are new; returns the new ones (a replay adds none). */
export async function insertThreats(tx: SqlClient, threats: readonly ThreatEvent[]): Promise<ThreatEvent[]> {
  if (threats.length === 0) return [];
  if (await copyUnlessReplayed(tx, 'copy_threats', (copyRows) => copyThreats(copyRows, threats))) return [...threats];
  const fresh = await insertStoredThreats(tx, threats);
  await insertHits(tx, fresh);
  return fresh;
}

const THREAT_COPY_COLUMNS = [
  'id', 'time', 'ip', 'method', 'host', 'path', 'query', 'status', 'bytes', 'user_agent', 'referer',
  'score', 'severity', 'severity_score', 'category', 'origin',
  'ip_kind', 'country', 'country_name', 'city', 'latitude', 'longitude', 'asn', 'as_org',
];
const HIT_COPY_COLUMNS = ['threat_id', 'n', 'rule_id', 'category', 'severity', 'confidence', 'field', 'fragment', 'transforms', 'simulated', 'detail'];

/**
 * Fast path on PostgreSQL, as for requests: COPY the threats and their hits (measured: a batch of 10,000 threats from
 * the ingest API, 1.1-1.2 s through the unnest insert on a loaded machine). A replayed threat trips the primary key;
 * copyUnlessReplayed's savepoint lets the ON CONFLICT path take over.
 */
async function copyThreats(copyRows: NonNullable<SqlClient['copyRows']>, threats: readonly ThreatEvent[]): Promise<void> {
  let rows = '';
  let hits = '';
  for (const t of threats) {
    const e = t.event;
    const id = text(e.id);
    const g = t.geo;
    rows += copyRow([
      id,
      new Date(e.time).toISOString(),
      ip(e.ip),
      text(e.method),
      textOrNull(e.host),
      text(e.path),
      text(e.query),
      int(e.status),
      int(e.bytes),
      textOrNull(e.userAgent),
      textOrNull(e.referer),
      Number.isFinite(t.score) ? t.score : 0,
      t.severity,
      SEVERITY_SCORE[t.severity],
      t.category,
      e.origin.kind,
      textOrNull(g?.kind),
      textOrNull(g?.country),
      textOrNull(g?.countryName),
      textOrNull(g?.city),
      realOrNull(g?.lat),
      realOrNull(g?.lon),
      g?.asn !== undefined && Number.isInteger(g.asn) ? g.asn : null,
      textOrNull(g?.asOrg),
    ]);
    t.detections.forEach((d, n) => {
      hits += copyRow([
        id,
        n,
        text(d.ruleId),
        d.category,
        d.severity,
        Number.isFinite(d.confidence) ? d.confidence : 0,
        text(d.field),
        text(d.fragment),
        pgTextArray((d.transforms ?? []).map(text)),
        d.simulated ?? false,
        textOrNull(d.detail),
      ]);
    });
  }
  await copyRows('threats', THREAT_COPY_COLUMNS, rows);
  if (hits !== '') await copyRows('threat_hits', HIT_COPY_COLUMNS, hits);
}

async function insertStoredThreats(tx: SqlClient, threats: readonly ThreatEvent[]): Promise<ThreatEvent[]> {
  const ev = threats.map((t) => t.event);
  const { rows } = await tx.query<{ id: string }>(INSERT_THREATS, [
    ev.map((e) => text(e.id)),
    ev.map((e) => e.time),
    ev.map((e) => ip(e.ip)),
    ev.map((e) => text(e.method)),
    ev.map((e) => textOrNull(e.host)),
    ev.map((e) => text(e.path)),
    ev.map((e) => text(e.query)),
    ev.map((e) => int(e.status)),
    ev.map((e) => int(e.bytes)),
    ev.map((e) => textOrNull(e.userAgent)),
    ev.map((e) => textOrNull(e.referer)),
    threats.map((t) => (Number.isFinite(t.score) ? t.score : 0)),
    threats.map((t) => t.severity),
    threats.map((t) => SEVERITY_SCORE[t.severity]),
    threats.map((t) => t.category),
    ev.map((e) => e.origin.kind),
    threats.map((t) => textOrNull(t.geo?.kind)),
    threats.map((t) => textOrNull(t.geo?.country)),
    threats.map((t) => textOrNull(t.geo?.countryName)),
    threats.map((t) => textOrNull(t.geo?.city)),
    threats.map((t) => realOrNull(t.geo?.lat)),
    threats.map((t) => realOrNull(t.geo?.lon)),
    threats.map((t) => (t.geo?.asn !== undefined && Number.isInteger(t.geo.asn) ? t.geo.asn : null)),
    threats.map((t) => textOrNull(t.geo?.asOrg)),
  ]);
  return onlyInserted(threats, (t) => text(t.event.id), rows);
}

// transforms travel as one JSON text per hit: unnest() cannot take a ragged text[][].
const INSERT_HITS = `
INSERT INTO threat_hits (threat_id, n, rule_id, category, severity, confidence, field, fragment, transforms, simulated, detail)
SELECT threat_id, n, rule_id, category, severity, confidence, field, fragment,
       ARRAY(SELECT jsonb_array_elements_text(transforms::jsonb)), simulated, detail
FROM unnest($1::text[], $2::int2[], $3::text[], $4::text[], $5::text[], $6::float4[], $7::text[], $8::text[],
            $9::text[], $10::bool[], $11::text[])
     AS u(threat_id, n, rule_id, category, severity, confidence, field, fragment, transforms, simulated, detail)
ON CONFLICT (threat_id, n) DO NOTHING`;

async function insertHits(tx: SqlClient, threats: readonly ThreatEvent[]): Promise<void> {
  const hits = threats.flatMap((t) => t.detections.map((d, n) => ({ id: text(t.event.id), n, d })));
  if (hits.length === 0) return;
  await tx.query(INSERT_HITS, [
    hits.map((h) => h.id),
    hits.map((h) => h.n),
    hits.map((h) => text(h.d.ruleId)),
    hits.map((h) => h.d.category),
    hits.map((h) => h.d.severity),
    hits.map((h) => (Number.isFinite(h.d.confidence) ? h.d.confidence : 0)),
    hits.map((h) => text(h.d.field)),
    hits.map((h) => text(h.d.fragment)),
    hits.map((h) => JSON.stringify((h.d.transforms ?? []).map(text))),
    hits.map((h) => h.d.simulated ?? false),
    hits.map((h) => textOrNull(h.d.detail)),
  ]);
}
