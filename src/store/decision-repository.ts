/**
 * Decisions and bouncers (migration 0013). Times are epoch milliseconds at this boundary and absolute in the
 * table, so what was active before a restart is active after it, until the same instant. "Active" is always
 * `until > now` with `now` passed in (the caller's clock), never a flag a job has to flip.
 *
 * Values from requests go in as parameters; targets are canonical text checked by the caller (src/decide).
 */
import { randomBytes } from 'node:crypto';
import { BadRequestError } from '../core/index.js';
import type { SqlClient } from './types.js';

export interface DecisionRecord {
  id: number;
  createdAt: number;
  until: number;
  scope: string;
  value: string;
  type: string;
  origin: string;
  scenario: string;
  ruleId: string | null;
  simulated: boolean;
  country: string | null;
}

/** A decision as the bouncer stream carries it (`until` epoch ms, possibly fractional). */
export type StreamDecision = Pick<DecisionRecord, 'id' | 'until' | 'scope' | 'value' | 'type' | 'origin' | 'scenario'>;

export interface NewDecision {
  scope: string;
  value: string;
  type: string;
  origin: string;
  scenario: string;
  until: number;
  ruleId?: string | null;
  simulated?: boolean;
  country?: string | null;
}

/** Filters of the lists and of deletion; every one optional, all must hold. */
export interface DecisionFilter {
  /** Decisions covering this address (an IP inside a banned range matches). */
  ip?: string;
  /** With `contains` (default true) decisions covering this CIDR; false: decisions inside it. */
  range?: string;
  contains?: boolean;
  /** Case-insensitive (`ip` = `Ip`). */
  scopes?: readonly string[];
  value?: string;
  type?: string;
  origins?: readonly string[];
  /** Scenario equal to this. */
  scenario?: string;
  /** Some of these occur in the scenario (case-insensitive). */
  scenariosContaining?: readonly string[];
  /** None of these occur in the scenario (case-insensitive). */
  scenariosNotContaining?: readonly string[];
  /** Default false: simulated decisions are only listed when asked for (bouncers never see them). */
  simulated?: boolean | 'any';
  id?: number;
}

export interface BouncerRecord {
  id: string;
  name: string;
  createdAt: number;
  lastPull: number | null;
  userAgent: string | null;
  ip: string | null;
}

interface DecisionRow {
  id: string | number;
  created_ms: number;
  until_ms: number;
  scope: string;
  value: string;
  type: string;
  origin: string;
  scenario: string;
  rule_id: string | null;
  simulated: boolean;
  country: string | null;
}

const DECISION_COLUMNS = `d.id, (extract(epoch FROM d.created_at) * 1000)::float8 AS created_ms,
  (extract(epoch FROM d.until) * 1000)::float8 AS until_ms, d.scope, d.value, d.type, d.origin, d.scenario,
  d.rule_id, d.simulated, d.country`;

function toDecision(r: DecisionRow): DecisionRecord {
  return {
    id: Number(r.id),
    createdAt: Math.round(r.created_ms),
    until: Math.round(r.until_ms),
    scope: r.scope,
    value: r.value,
    type: r.type,
    origin: r.origin,
    scenario: r.scenario,
    ruleId: r.rule_id,
    simulated: r.simulated,
    country: r.country,
  };
}

const ts = (i: number) => `to_timestamp($${i}::float8 / 1000)`;

/** WHERE clauses for a filter on the table aliased `t` (d unless told), appending its parameters to `params`. */
function where(f: DecisionFilter, params: unknown[], t = 'd'): string[] {
  const out: string[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.id !== undefined) out.push(`${t}.id = ${p(f.id)}`);
  if (f.ip !== undefined) out.push(`${t}.net >>= ${p(f.ip)}::inet`);
  if (f.range !== undefined) out.push(f.contains === false ? `${t}.net <<= ${p(f.range)}::cidr` : `${t}.net >>= ${p(f.range)}::cidr`);
  if (f.scopes && f.scopes.length > 0) out.push(`lower(${t}.scope) = ANY(${p(f.scopes.map((s) => s.toLowerCase()))}::text[])`);
  if (f.value !== undefined) out.push(`${t}.value = ${p(f.value)}`);
  if (f.type !== undefined) out.push(`${t}.type = ${p(f.type)}`);
  if (f.origins && f.origins.length > 0) out.push(`${t}.origin = ANY(${p(f.origins)}::text[])`);
  if (f.scenario !== undefined) out.push(`${t}.scenario = ${p(f.scenario)}`);
  if (f.scenariosContaining && f.scenariosContaining.length > 0) {
    out.push(`EXISTS (SELECT 1 FROM unnest(${p(f.scenariosContaining.map((s) => s.toLowerCase()))}::text[]) s WHERE strpos(lower(${t}.scenario), s) > 0)`);
  }
  if (f.scenariosNotContaining && f.scenariosNotContaining.length > 0) {
    out.push(`NOT EXISTS (SELECT 1 FROM unnest(${p(f.scenariosNotContaining.map((s) => s.toLowerCase()))}::text[]) s WHERE strpos(lower(${t}.scenario), s) > 0)`);
  }
  const sim = f.simulated ?? false;
  if (sim !== 'any') out.push(`${t}.simulated = ${sim ? 'true' : 'false'}`);
  return out;
}

const and = (clauses: readonly string[]) => (clauses.length === 0 ? '' : `AND ${clauses.join(' AND ')}`);

export const MAX_DECISION_TEXT = 256;
const BOUNCER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const HASH = /^[0-9a-f]{64}$/;

export function checkBouncerName(name: string): string {
  if (!BOUNCER_NAME.test(name)) {
    throw new BadRequestError(`bouncer name ${JSON.stringify(name.slice(0, 80))} is not valid: 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit`, 'name');
  }
  return name;
}

export class DecisionRepository {
  constructor(private readonly sql: SqlClient) {}

  /** Stores decisions (one statement) and moves the generation; returns them with their ids. */
  async add(decisions: readonly NewDecision[], now: number): Promise<DecisionRecord[]> {
    if (decisions.length === 0) return [];
    const cols = ['scope', 'value', 'type', 'origin', 'scenario', 'until', 'rule_id', 'simulated', 'country'] as const;
    const arrays: unknown[][] = cols.map(() => []);
    for (const d of decisions) {
      const row = [d.scope, d.value, d.type, d.origin, d.scenario.slice(0, MAX_DECISION_TEXT), d.until, d.ruleId ?? null, d.simulated ?? false, d.country ?? null];
      row.forEach((v, i) => arrays[i]!.push(v));
    }
    return this.sql.transaction(async (tx) => {
      const { rows } = await tx.query<DecisionRow>(
        `INSERT INTO decisions AS d (created_at, until, scope, value, net, type, origin, scenario, rule_id, simulated, country)
         SELECT ${ts(1)}, to_timestamp(u::float8 / 1000), s, v, v::cidr, t, o, sc, r, sim, c
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::text[], $9::bool[], $10::text[])
           AS x(s, v, t, o, sc, u, r, sim, c)
         RETURNING ${DECISION_COLUMNS}`,
        [now, ...arrays],
      );
      await tx.query('UPDATE decision_generation SET generation = generation + 1 WHERE id = 1');
      return rows.map(toDecision).sort((a, b) => a.id - b.id);
    });
  }

  /** Active decisions (until > now) matching the filter, newest first. */
  async active(f: DecisionFilter, now: number, limit = 1000, offset = 0): Promise<DecisionRecord[]> {
    const params: unknown[] = [now];
    const w = where(f, params);
    params.push(limit, offset);
    const { rows } = await this.sql.query<DecisionRow>(
      `SELECT ${DECISION_COLUMNS} FROM decisions d WHERE d.until > ${ts(1)} ${and(w)}
       ORDER BY d.id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return rows.map(toDecision);
  }

  /** Every decision still stored, expired ones included, newest first (GET /api/decisions?all=true). */
  async list(f: DecisionFilter, limit: number, offset: number): Promise<DecisionRecord[]> {
    const params: unknown[] = [];
    const w = where(f, params);
    params.push(limit, offset);
    const { rows } = await this.sql.query<DecisionRow>(
      `SELECT ${DECISION_COLUMNS} FROM decisions d WHERE true ${and(w)}
       ORDER BY d.id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return rows.map(toDecision);
  }

  /** Expires the active decisions matching the filter now (as CrowdSec deletes); returns how many. */
  async expire(f: DecisionFilter, now: number): Promise<number> {
    const params: unknown[] = [now];
    const w = where({ simulated: 'any', ...f }, params);
    return this.sql.transaction(async (tx) => {
      const { rows } = await tx.query<{ n: number }>(
        `WITH gone AS (UPDATE decisions d SET until = ${ts(1)} WHERE d.until > ${ts(1)} ${and(w)} RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        params,
      );
      const n = rows[0]?.n ?? 0;
      if (n > 0) await tx.query('UPDATE decision_generation SET generation = generation + 1 WHERE id = 1');
      return n;
    });
  }

  /** The longest active decision on this target, enforced or simulated (the sink does not stack decisions on one source). */
  async activeFor(value: string, now: number, simulated = false): Promise<DecisionRecord | null> {
    const { rows } = await this.sql.query<DecisionRow>(
      `SELECT ${DECISION_COLUMNS} FROM decisions d WHERE d.value = $2 AND d.until > ${ts(1)} AND d.simulated = $3 ORDER BY d.until DESC LIMIT 1`,
      [now, value, simulated],
    );
    return rows[0] ? toDecision(rows[0]) : null;
  }

  /**
   * Counts one more offence of `value` and returns how many it had before (0 when its last offence is older
   * than `windowMs`: the ladder starts again).
   */
  async recordOffence(value: string, now: number, windowMs: number): Promise<number> {
    const { rows } = await this.sql.query<{ prior: number }>(
      `WITH up AS (
         INSERT INTO decision_offences AS o (value, offences, last_at) VALUES ($1, 1, ${ts(2)})
         ON CONFLICT (value) DO UPDATE SET
           offences = CASE WHEN o.last_at < ${ts(2)} - make_interval(secs => $3::float8 / 1000) THEN 1 ELSE o.offences + 1 END,
           last_at = ${ts(2)}
         RETURNING offences)
       SELECT (SELECT offences FROM up) - 1 AS prior`,
      [value, now, windowMs],
    );
    return rows[0]?.prior ?? 0;
  }

  /** Prior offences of `value` without counting one (simulated rules ask this). */
  async offences(value: string, now: number, windowMs: number): Promise<number> {
    const { rows } = await this.sql.query<{ n: number }>(
      `SELECT offences AS n FROM decision_offences WHERE value = $1 AND last_at >= ${ts(2)} - make_interval(secs => $3::float8 / 1000)`,
      [value, now, windowMs],
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * The stream for one pull. `since` null (startup): new = every active decision, the longest per scope, type
   * and value; deleted = every expired one still stored. Otherwise new = created after `since` and still
   * active, deleted = expired after `since - 2 s` (CrowdSec 1.4.6 repeats deletions within that margin, so
   * bouncers apply both idempotently). Simulated decisions never leave.
   */
  async stream(f: DecisionFilter, since: number | null, now: number): Promise<{ new: StreamDecision[]; deleted: StreamDecision[] }> {
    const params: unknown[] = [now];
    const w = and(where({ ...f, simulated: false }, params));
    // Only what a bouncer receives: a startup pull carries every active decision.
    const cols = `d.id::float8 AS id, (extract(epoch FROM d.until) * 1000)::float8 AS until, d.scope, d.value, d.type, d.origin, d.scenario`;
    let newSql: string;
    let deletedSql: string;
    if (since === null) {
      newSql = `SELECT * FROM (SELECT DISTINCT ON (d.scope, d.type, d.value) ${cols} FROM decisions d
        WHERE d.until > ${ts(1)} ${w} ORDER BY d.scope, d.type, d.value, d.until DESC, d.id DESC) x ORDER BY id DESC`;
      deletedSql = `SELECT ${cols} FROM decisions d WHERE d.until <= ${ts(1)} ${w} ORDER BY d.id DESC`;
    } else {
      params.push(since);
      const s = params.length;
      newSql = `SELECT ${cols} FROM decisions d WHERE d.created_at > ${ts(s)} AND d.until > ${ts(1)} ${w} ORDER BY d.id DESC`;
      deletedSql = `SELECT ${cols} FROM decisions d
        WHERE d.until <= ${ts(1)} AND d.until > ${ts(s)} - interval '2 seconds' ${w} ORDER BY d.id DESC`;
    }
    const [n, d] = await Promise.all([this.sql.query<StreamDecision>(newSql, params), this.sql.query<StreamDecision>(deletedSql, params)]);
    return { new: n.rows, deleted: d.rows };
  }

  /**
   * One page of a startup pull, the rows `stream(f, null, now)` gives on that side whose id is below `before`, the
   * first `limit` of them (same order: id descending). A startup answer is read page after page while it is written
   * (CrowdSec's LAPI streams it too, its PR #1927), so its memory is a page, not every active decision. The longest decision per
   * scope, type and value is found without DISTINCT ON, which would sort every active decision again for each
   * page: a row is kept when no other row passing the same filters beats it (later until; equal until, higher id).
   * `OFFSET 0` keeps that NOT EXISTS a per-row probe of decisions_value: pulled up into an anti join, PostgreSQL
   * hashed the whole table for the first page (0.5 s at 300,000 rows, against 30 ms walking the primary key).
   */
  async startupPage(side: 'new' | 'deleted', f: DecisionFilter, now: number, before: number, limit: number): Promise<StreamDecision[]> {
    const params: unknown[] = [now];
    const g: DecisionFilter = { ...f, simulated: false };
    const w = and(where(g, params));
    const cols = `d.id::float8 AS id, (extract(epoch FROM d.until) * 1000)::float8 AS until, d.scope, d.value, d.type, d.origin, d.scenario`;
    let sql: string;
    if (side === 'new') {
      const we = and(where(g, params, 'e'));
      sql = `SELECT ${cols} FROM decisions d
        WHERE d.until > ${ts(1)} AND d.id < $${params.length + 1}::bigint ${w}
          AND NOT EXISTS (SELECT 1 FROM decisions e WHERE e.value = d.value AND e.scope = d.scope AND e.type = d.type
            AND (e.until > d.until OR (e.until = d.until AND e.id > d.id)) ${we} OFFSET 0)
        ORDER BY d.id DESC LIMIT $${params.length + 2}`;
    } else {
      sql = `SELECT ${cols} FROM decisions d WHERE d.until <= ${ts(1)} AND d.id < $${params.length + 1}::bigint ${w} ORDER BY d.id DESC LIMIT $${params.length + 2}`;
    }
    params.push(Math.min(before, Number.MAX_SAFE_INTEGER), limit);
    // For this query only: no sort, so the page is a walk down the primary key that stops at the LIMIT (on a table
    // without fresh statistics the planner chose to read every active decision, probing each, for every page);
    // no JIT, which cannot see the LIMIT stop the walk early and spent 0.5 s compiling a 30 ms query (300,000
    // decisions, EXPLAIN ANALYZE).
    return this.sql.transaction(async (tx) => {
      await tx.query("SELECT set_config('enable_sort', 'off', true), set_config('jit', 'off', true)");
      return (await tx.query<StreamDecision>(sql, params)).rows;
    });
  }

  /** Counts of active decisions by type, origin, scope, scenario and simulated, and the total. */
  async stats(now: number): Promise<{ active: number; simulated: number; byType: Record<string, number>; byOrigin: Record<string, number>; byScope: Record<string, number>; topScenarios: { scenario: string; count: number }[] }> {
    const { rows } = await this.sql.query<{ dim: string; key: string; n: number }>(
      `WITH a AS (SELECT type, origin, scope, scenario, simulated FROM decisions WHERE until > ${ts(1)})
       SELECT 'type' AS dim, type AS key, count(*)::int AS n FROM a WHERE NOT simulated GROUP BY type
       UNION ALL SELECT 'origin', origin, count(*)::int FROM a WHERE NOT simulated GROUP BY origin
       UNION ALL SELECT 'scope', scope, count(*)::int FROM a WHERE NOT simulated GROUP BY scope
       UNION ALL SELECT 'simulated', simulated::text, count(*)::int FROM a GROUP BY simulated
       UNION ALL (SELECT 'scenario', scenario, count(*)::int FROM a WHERE NOT simulated GROUP BY scenario ORDER BY 3 DESC, 2 LIMIT 20)`,
      [now],
    );
    const by = (dim: string) => Object.fromEntries(rows.filter((r) => r.dim === dim).map((r) => [r.key, r.n]));
    const sim = by('simulated');
    return {
      active: sim.false ?? 0,
      simulated: sim.true ?? 0,
      byType: by('type'),
      byOrigin: by('origin'),
      byScope: by('scope'),
      topScenarios: rows.filter((r) => r.dim === 'scenario').map((r) => ({ scenario: r.key, count: r.n })),
    };
  }

  /** Active enforced decisions per country (unknown: null), most first. */
  async countByCountry(now: number, limit: number): Promise<{ country: string | null; decisions: number }[]> {
    const { rows } = await this.sql.query<{ country: string | null; n: number }>(
      `SELECT country, count(*)::int AS n FROM decisions WHERE until > ${ts(1)} AND NOT simulated GROUP BY country ORDER BY 2 DESC, 1 LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => ({ country: r.country, decisions: r.n }));
  }

  /** Moves whenever decisions are added or deleted (the cache of decision aggregates is keyed by it). */
  async generation(): Promise<number> {
    const { rows } = await this.sql.query<{ g: string | number }>('SELECT generation AS g FROM decision_generation WHERE id = 1');
    return Number(rows[0]?.g ?? 0);
  }

  /** Removes decisions expired more than `keepMs` ago; returns how many. */
  async prune(now: number, keepMs: number): Promise<number> {
    const { rows } = await this.sql.query<{ n: number }>(
      `WITH gone AS (DELETE FROM decisions WHERE until < ${ts(1)} - make_interval(secs => $2::float8 / 1000) RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      [now, keepMs],
    );
    return rows[0]?.n ?? 0;
  }

  // Bouncers: keys stored hashed (as api keys are), looked up by hash.

  async addBouncer(name: string, hash: string, now: number): Promise<BouncerRecord> {
    checkBouncerName(name);
    if (!HASH.test(hash)) throw new BadRequestError('key hash must be 64 hex characters', 'hash');
    const id = `bouncer_${randomBytes(6).toString('hex')}`;
    const { rows } = await this.sql.query<BouncerRow>(
      `INSERT INTO bouncers (id, name, key_hash, created_at) VALUES ($1, $2, $3, ${ts(4)})
       ON CONFLICT DO NOTHING RETURNING ${BOUNCER_COLUMNS}`,
      [id, name, hash, now],
    );
    if (!rows[0]) throw new BadRequestError(`a bouncer is already named ${JSON.stringify(name)}: delete it first or choose another name`, 'name');
    return toBouncer(rows[0]);
  }

  async bouncerByHash(hash: string): Promise<BouncerRecord | null> {
    if (!HASH.test(hash)) return null;
    const { rows } = await this.sql.query<BouncerRow>(`SELECT ${BOUNCER_COLUMNS} FROM bouncers WHERE key_hash = $1`, [hash]);
    return rows[0] ? toBouncer(rows[0]) : null;
  }

  async bouncers(): Promise<BouncerRecord[]> {
    const { rows } = await this.sql.query<BouncerRow>(`SELECT ${BOUNCER_COLUMNS} FROM bouncers ORDER BY name`);
    return rows.map(toBouncer);
  }

  async deleteBouncer(name: string): Promise<boolean> {
    if (name.includes('\0')) return false;
    const { rows } = await this.sql.query<{ id: string }>('DELETE FROM bouncers WHERE name = $1 OR id = $1 RETURNING id', [name.slice(0, 200)]);
    return rows.length > 0;
  }

  /**
   * Records a pull: its time (the next delta starts there), and who pulled (User-Agent, address). Returns the
   * previous pull's time (null: never), read and replaced in one statement, so two pulls at once cannot both
   * start from the same point and one of them miss nothing either.
   */
  async recordPull(id: string, at: number | null, userAgent: string | null, ip: string | null): Promise<{ previous: number | null }> {
    const { rows } = await this.sql.query<{ prev_ms: number | null }>(
      `UPDATE bouncers b SET last_pull = ${ts(2)}, user_agent = coalesce($3, b.user_agent), ip = coalesce($4, b.ip)
       FROM (SELECT id, last_pull AS prev FROM bouncers WHERE id = $1 FOR UPDATE) o
       WHERE b.id = o.id
       RETURNING (extract(epoch FROM o.prev) * 1000)::float8 AS prev_ms`,
      [id, at, userAgent?.slice(0, 200) ?? null, ip?.slice(0, 64) ?? null],
    );
    const prev = rows[0]?.prev_ms;
    return { previous: prev === null || prev === undefined ? null : Math.round(prev) };
  }
}

interface BouncerRow {
  id: string;
  name: string;
  created_ms: number;
  last_pull_ms: number | null;
  user_agent: string | null;
  ip: string | null;
}

const BOUNCER_COLUMNS = `id, name, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms,
  (extract(epoch FROM last_pull) * 1000)::float8 AS last_pull_ms, user_agent, ip`;

function toBouncer(r: BouncerRow): BouncerRecord {
  return {
    id: r.id,
    name: r.name,
    createdAt: Math.round(r.created_ms),
    lastPull: r.last_pull_ms === null ? null : Math.round(r.last_pull_ms),
    userAgent: r.user_agent,
    ip: r.ip,
  };
}
