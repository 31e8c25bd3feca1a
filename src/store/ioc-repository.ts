/**
 * IOCs and their enrichment, over SqlClient (PGlite or PostgreSQL, one dialect). Implements the
 * collector's CollectorStore. Every value goes in as a parameter; values are canonicalised with
 * detectIoc first, so `1.2.3.4`, ` 1.2.3.4 ` and `1[.]2[.]3[.]4` are one row.
 */
import {
  type CollectorStore,
  type DueIoc,
  type NewIoc,
  detectIoc,
  sourceScore,
  type EnrichmentResult,
  type IocType,
  type RiskLevel,
  type GeoResult,
} from '../enrich/index.js';
import { classifyIp, normaliseIp } from '../net/index.js';
import type { SqlClient, ThreatReputation } from './types.js';

export interface IocSummary {
  value: string;
  type: IocType;
  risk_score: number;
  risk_level: RiskLevel;
  categories: string[];
  geo: GeoResult | null;
  updated_at: Date;
  last_enriched: Date | null;
}

export interface IocRepositoryOptions {
  /** How long a claimed IOC stays invisible to other collectors before it is due again. */
  leaseMs?: number;
}

const isIpType = (t: IocType) => t === 'ipv4' || t === 'ipv6';

/** Postgres jsonb rejects NUL in strings; provider data is not trusted to be free of it. */
const toJsonb = (v: unknown): string | null => (v == null ? null : JSON.stringify(v).replace(/\\u0000/g, ''));

export class IocRepository implements CollectorStore {
  private readonly leaseMs: number;

  constructor(
    private readonly sql: SqlClient,
    opts: IocRepositoryOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? 10 * 60_000;
  }

  /** Inserts new IOCs; for known ones raises priority (never lowers it) and bumps last_seen. */
  async upsertIocs(items: readonly NewIoc[], now: Date): Promise<void> {
    if (items.length === 0) return;
    const values: string[] = [];
    const types: string[] = [];
    const ips: (string | null)[] = [];
    const kinds: (string | null)[] = [];
    const prios: number[] = [];
    for (const it of items) {
      const { value, type } = detectIoc(it.value);
      const canonical = isIpType(type) ? normaliseIp(value)! : value;
      values.push(canonical);
      types.push(type);
      ips.push(isIpType(type) ? canonical : null);
      kinds.push(isIpType(type) ? classifyIp(canonical) : null);
      prios.push(Math.max(0, Math.min(100, Math.round(it.priority))));
    }
    await this.sql.query(
      `INSERT INTO ioc (value, type, ip, ip_kind, priority, first_seen, last_seen)
       SELECT v, t, i, k, p, $6, $6 FROM unnest($1::text[], $2::text[], $3::inet[], $4::text[], $5::int[]) AS u(v, t, i, k, p)
       ON CONFLICT (value) DO UPDATE SET priority = GREATEST(ioc.priority, EXCLUDED.priority), last_seen = EXCLUDED.last_seen`,
      [values, types, ips, kinds, prios, now],
    );
  }

  /** Known good (verified crawler, allow-listed): never selected for enrichment. */
  async markKnownGood(value: string, good = true): Promise<void> {
    await this.sql.query(`UPDATE ioc SET known_good = $2 WHERE value = $1`, [this.canonical(value), good]);
  }

  /**
   * Claims up to `limit` due IOCs (never enriched, or next_due passed), most suspicious first,
   * skipping non-public addresses (private, reserved, bogon…) and known-good sources. Claimed rows get next_due = now + lease,
   * so a second collector (another process) picks different ones.
   */
  async selectDue(limit: number, now: Date): Promise<DueIoc[]> {
    const { rows } = await this.sql.query<{ value: string; type: IocType; priority: number }>(
      `WITH due AS (
         SELECT id FROM ioc
         WHERE NOT known_good
           AND (next_due IS NULL OR next_due <= $1)
           AND (ip_kind IS NULL OR ip_kind = 'public')
         ORDER BY (last_enriched IS NULL) DESC, priority DESC, next_due NULLS FIRST, id
         LIMIT $2
         FOR UPDATE SKIP LOCKED)
       UPDATE ioc SET next_due = $3 FROM due WHERE ioc.id = due.id
       RETURNING ioc.value, ioc.type, ioc.priority, ioc.last_enriched`,
      [now, limit, new Date(now.getTime() + this.leaseMs)],
    );
    return rows.sort((a, b) => b.priority - a.priority).map(({ value, type }) => ({ value, type }));
  }

  /** Stores one lookup: history rows per source, the summary, and the IOC's next due time. */
  async recordEnrichment(r: EnrichmentResult, fetchedAt: Date, nextDue: Date): Promise<void> {
    const value = isIpType(r.type) ? (normaliseIp(r.ioc) ?? r.ioc) : r.ioc;
    await this.sql.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string | number }>(
        `INSERT INTO ioc (value, type, ip, ip_kind, first_seen, last_seen, last_enriched, next_due)
         VALUES ($1, $2, $3::inet, $4, $5, $5, $5, $6)
         ON CONFLICT (value) DO UPDATE SET last_enriched = $5, next_due = $6
         RETURNING id`,
        [value, r.type, isIpType(r.type) ? value : null, isIpType(r.type) ? classifyIp(value) : null, fetchedAt, nextDue],
      );
      const id = rows[0]!.id;
      if (r.sources.length > 0) {
        await tx.query(
          `INSERT INTO enrichment (ioc_id, source, status, score, data, error, duration_ms, fetched_at)
           SELECT $1, s, st, sc, d::jsonb, e, ms, $8
           FROM unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::real[]) AS u(s, st, sc, d, e, ms)`,
          [
            id,
            r.sources.map((s) => s.source),
            r.sources.map((s) => s.status),
            r.sources.map((s) => sourceScore(s)),
            r.sources.map((s) => toJsonb(s.data)),
            r.sources.map((s) => s.error?.slice(0, 1000) ?? null),
            r.sources.map((s) => s.duration_ms),
            fetchedAt,
          ],
        );
      }
      await tx.query(
        `INSERT INTO ioc_summary (ioc_id, risk_score, risk_level, categories, geo, country, asn, sources_ok, sources_error, updated_at)
         VALUES ($1, $2, $3, $4::text[], $5::jsonb, $6, $7, $8, $9, $10)
         ON CONFLICT (ioc_id) DO UPDATE SET risk_score = $2, risk_level = $3, categories = $4::text[], geo = $5::jsonb,
           country = $6, asn = $7, sources_ok = $8, sources_error = $9, updated_at = $10`,
        [
          id,
          r.risk_score,
          r.risk_level,
          r.categories,
          toJsonb(r.geo),
          r.geo?.country?.iso ?? null,
          r.geo?.asn?.number ?? null,
          r.sources.filter((s) => s.status === 'ok').length,
          r.sources.filter((s) => s.status === 'error').length,
          fetchedAt,
        ],
      );
    });
  }

  async postpone(value: string, nextDue: Date): Promise<void> {
    await this.sql.query(`UPDATE ioc SET next_due = $2 WHERE value = $1`, [value, nextDue]);
  }

  /** The latest summary for an indicator (e.g. an IP), or null when it was never enriched. */
  async latestSummary(indicator: string): Promise<IocSummary | null> {
    const { rows } = await this.sql.query<IocSummary>(
      `SELECT i.value, i.type, s.risk_score, s.risk_level, s.categories, s.geo, s.updated_at, i.last_enriched
       FROM ioc i JOIN ioc_summary s ON s.ioc_id = i.id WHERE i.value = $1`,
      [this.canonical(indicator)],
    );
    return rows[0] ?? null;
  }

  /** Latest summaries for many IPs at once (threat lists, dashboards). */
  async latestSummaries(indicators: readonly string[]): Promise<Map<string, IocSummary>> {
    if (indicators.length === 0) return new Map();
    const { rows } = await this.sql.query<IocSummary>(
      `SELECT i.value, i.type, s.risk_score, s.risk_level, s.categories, s.geo, s.updated_at, i.last_enriched
       FROM ioc i JOIN ioc_summary s ON s.ioc_id = i.id WHERE i.value = ANY($1::text[])`,
      [indicators.map((v) => this.canonical(v))],
    );
    return new Map(rows.map((r) => [r.value, r]));
  }

  private canonical(indicator: string): string {
    const { type, value } = detectIoc(indicator);
    return isIpType(type) ? normaliseIp(value)! : value;
  }
}

/**
 * Latest enrichment summary of each address with a risk score of at least `minScore`: how reputation feeds back
 * at read time into threats and IP profiles (one query per page, on the ioc value index).
 */
export async function reputationOf(sql: SqlClient, ips: readonly string[], minScore: number): Promise<Map<string, ThreatReputation>> {
  if (ips.length === 0) return new Map();
  const { rows: found } = await sql.query<{ value: string; risk_score: number; risk_level: string; categories: string[]; updated_ms: number }>(
    `SELECT i.value, s.risk_score, s.risk_level, s.categories, (extract(epoch FROM s.updated_at) * 1000)::float8 AS updated_ms
     FROM ioc i JOIN ioc_summary s ON s.ioc_id = i.id
     WHERE i.value = ANY($1::text[]) AND s.risk_score >= $2`,
    [ips, minScore],
  );
  return new Map(
    found.map((f) => [f.value, { riskScore: f.risk_score, riskLevel: f.risk_level, categories: f.categories, updatedAt: Math.round(f.updated_ms) }]),
  );
}
