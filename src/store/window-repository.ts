/**
 * IP windows: per-IP behaviour features of closed windows (tables ip_windows, rollup_minute_window). Written by
 * the batch writer inside its transaction; read as a per-IP profile, the cross-IP scores table and totals per
 * threat level. Sort keys and the threat-level rank are whitelisted SQL; every value is a parameter.
 */
import { SEVERITIES, type Category, type Severity, BadRequestError } from '../core/index.js';
import { THREAT_LEVELS, type IpWindow, type ThreatLevel, levelWithReputation } from '../detect/index.js';
import { named } from './errors.js';
import { reputationOf } from './ioc-repository.js';
import { checkPage, orderBy } from './page.js';
import { DEFAULT_PRUNE_CHUNK, type PruneOptions } from './request-repository.js';
import { int, ip, realOrNull, text } from './sanitize.js';
import { decodeWindow, WINDOW_COLUMNS, type IpWindowRow } from './ip-window-record.js';
import type { IpProfile, ScoreSort, ScoresQuery, SqlClient, WindowCounts } from './types.js';
import { pruneOlderThan } from './prune.js';

/** Default of StoreOptions.windowMinHits. */
export const DEFAULT_WINDOW_MIN_HITS = 3;

export class WindowRepository {
  private readonly chunk: number;

  constructor(
    private readonly sql: SqlClient,
    opts: PruneOptions = {},
  ) {
    this.chunk = opts.pruneChunk ?? DEFAULT_PRUNE_CHUNK;
  }

  /** Stored windows and threat counts of one IP over [since, until); `limit` bounds the windows listed. */
  profile(ip: string, since: number, until: number, limit = 100): Promise<IpProfile> {
    return named('ipProfile', () => ipProfile(this.sql, ip, since, until, limit));
  }

  /** Stored windows of every IP that start in [since, until), filtered, sorted by a whitelisted key, paged. */
  scores(since: number, until: number, q: ScoresQuery): Promise<{ items: IpWindowRow[]; total: number }> {
    return named('scores', () => scores(this.sql, since, until, q));
  }

  /**
   * Closed IP windows per threat level over [since, until), from the per-minute rollup: `windows` counts all of
   * them, `stored` those kept as rows (what scores and profile list), `hits` their requests.
   */
  totals(since: number, until: number): Promise<Partial<Record<ThreatLevel, WindowCounts>>> {
    return named('windowTotals', () => windowTotals(this.sql, since, until));
  }

  /** Deletes windows that started before `before`, in chunks (each its own short statement). */
  prune(before: number): Promise<number> {
    return named('pruneWindows', () => pruneOlderThan(this.sql, 'ip_windows', before, this.chunk));
  }
}

/** The batch writer's part (inside its transaction): the windows worth a row, and every window counted. Returns the rows. */
export async function writeWindows(tx: SqlClient, windows: readonly IpWindow[], minHits: number): Promise<IpWindow[]> {
  if (windows.length === 0) return [];
  const split = splitWindows(windows, minHits);
  await insertWindows(tx, split.rows);
  await upsertWindowCounts(tx, split.counts);
  return split.rows;
}

/** Longest known-bot token and scenario id kept (both come from our own tables, bounded anyway). */
const MAX_LABEL = 64;
const MAX_SCENARIOS = 32;

/** Levels that always earn a row: something fired. LOW, KNOWN_BOT and LEGITIMATE_BROWSER need hits or a scenario. */
const NOTABLE: ReadonlySet<ThreatLevel> = new Set(['CRITICAL', 'HIGH', 'MEDIUM']);

/**
 * Which windows are worth a row: a threat level above LOW, a scenario tripped, or at least minHits hits. The
 * rest (mostly one-hit clients: a curl, a crawler fetching one page, a browser passing by) say nothing
 * per IP that the requests do not, and made ip_windows grow almost one row per request; they are counted
 * per minute and level in rollup_minute_window instead, so window totals still add up.
 */
export function worthARow(w: IpWindow, minHits: number): boolean {
  return w.hits >= minHits || w.scenarios.length > 0 || NOTABLE.has(w.threatLevel);
}

export interface WindowSplit {
  /** The windows to store as rows, one per (ip, start). */
  rows: IpWindow[];
  /** Every window of the batch counted per minute start (epoch ms) and threat level. */
  counts: Map<number, Map<ThreatLevel, WindowCounts>>;
}

export function splitWindows(windows: readonly IpWindow[], minHits: number): WindowSplit {
  // Last wins per (ip, start): ON CONFLICT cannot touch the same row twice in one statement.
  const byKey = new Map<string, IpWindow>();
  const counts = new Map<number, Map<ThreatLevel, WindowCounts>>();
  for (const w of windows) {
    if (!Number.isFinite(w.start) || !Number.isFinite(w.end)) continue;
    checkLevel(w);
    const keep = worthARow(w, minHits);
    if (keep) byKey.set(`${w.start} ${ip(w.ip)}`, w);
    const minute = Math.floor(w.start / 60_000) * 60_000;
    let levels = counts.get(minute);
    if (!levels) counts.set(minute, (levels = new Map()));
    let c = levels.get(w.threatLevel);
    if (!c) levels.set(w.threatLevel, (c = { windows: 0, stored: 0, hits: 0 }));
    c.windows++;
    if (keep) c.stored++;
    c.hits += Number.isFinite(w.hits) ? Math.max(0, Math.trunc(w.hits)) : 0;
  }
  return { rows: [...byKey.values()], counts };
}

/** The windows worth a row (see worthARow), one per (ip, start). */
export function windowsToStore(windows: readonly IpWindow[], minHits: number): IpWindow[] {
  return splitWindows(windows, minHits).rows;
}

async function upsertWindowCounts(tx: SqlClient, counts: WindowSplit['counts']): Promise<void> {
  const rows = [...counts].flatMap(([m, levels]) => [...levels].map(([level, c]) => ({ m, level, ...c })));
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO rollup_minute_window (minute, threat_level, windows, stored, hits)
     SELECT to_timestamp(m / 1000), l, w, s, h FROM unnest($1::float8[], $2::text[], $3::int[], $4::int[], $5::int8[]) AS u(m, l, w, s, h)
     ON CONFLICT (minute, threat_level) DO UPDATE SET
       windows = rollup_minute_window.windows + EXCLUDED.windows,
       stored = rollup_minute_window.stored + EXCLUDED.stored,
       hits = rollup_minute_window.hits + EXCLUDED.hits`,
    [rows.map((r) => r.m), rows.map((r) => r.level), rows.map((r) => r.windows), rows.map((r) => r.stored), rows.map((r) => r.hits)],
  );
}

/** Closed windows per threat level over [since, until) from the rollup: all of them, and those stored as rows. */
async function windowTotals(sql: SqlClient, since: number, until: number): Promise<Partial<Record<ThreatLevel, WindowCounts>>> {
  const { rows } = await sql.query<{ threat_level: ThreatLevel; windows: number; stored: number; hits: number }>(
    `SELECT threat_level, sum(windows)::float8 AS windows, sum(stored)::float8 AS stored, sum(hits)::float8 AS hits
     FROM rollup_minute_window
     WHERE minute >= to_timestamp($1::float8 / 1000) AND minute < to_timestamp($2::float8 / 1000)
     GROUP BY threat_level`,
    [Math.floor(since / 60_000) * 60_000, until],
  );
  const out: Partial<Record<ThreatLevel, WindowCounts>> = {};
  for (const r of rows) {
    if ((THREAT_LEVELS as readonly string[]).includes(r.threat_level)) out[r.threat_level] = { windows: r.windows, stored: r.stored, hits: r.hits };
  }
  return out;
}

const WINDOW_FIELDS = `hits, velocity, ratio_4xx, ratio_404, ratio_post, ratio_static, ratio_direct, path_diversity,
  distinct_paths, temporal_entropy, distinct_user_agents, distinct_ja4s, mean_header_count, known_bot`;

const INSERT_WINDOWS = `
INSERT INTO ip_windows (ip, window_start, window_end, ${WINDOW_FIELDS}, scenarios, threat_level)
SELECT ip, to_timestamp(s / 1000), to_timestamp(e / 1000), ${WINDOW_FIELDS},
       ARRAY(SELECT jsonb_array_elements_text(sc::jsonb)), threat_level
FROM unnest($1::text[], $2::float8[], $3::float8[], $4::int[], $5::float4[], $6::float4[], $7::float4[], $8::float4[],
            $9::float4[], $10::float4[], $11::float4[], $12::int[], $13::float4[], $14::int[], $15::int[], $16::float4[],
            $17::text[], $18::text[], $19::text[])
     AS u(ip, s, e, hits, velocity, ratio_4xx, ratio_404, ratio_post, ratio_static, ratio_direct, path_diversity,
          distinct_paths, temporal_entropy, distinct_user_agents, distinct_ja4s, mean_header_count, known_bot,
          sc, threat_level)
ON CONFLICT (ip, window_start) DO UPDATE SET
  window_end = EXCLUDED.window_end, hits = EXCLUDED.hits, velocity = EXCLUDED.velocity,
  ratio_4xx = EXCLUDED.ratio_4xx, ratio_404 = EXCLUDED.ratio_404, ratio_post = EXCLUDED.ratio_post,
  ratio_static = EXCLUDED.ratio_static, ratio_direct = EXCLUDED.ratio_direct,
  path_diversity = EXCLUDED.path_diversity, distinct_paths = EXCLUDED.distinct_paths,
  temporal_entropy = EXCLUDED.temporal_entropy, distinct_user_agents = EXCLUDED.distinct_user_agents,
  distinct_ja4s = EXCLUDED.distinct_ja4s, mean_header_count = EXCLUDED.mean_header_count,
  known_bot = EXCLUDED.known_bot, scenarios = EXCLUDED.scenarios, threat_level = EXCLUDED.threat_level`;

const real = (n: number): number => (Number.isFinite(n) ? n : 0);
const label = (s: string): string => text(s.length > MAX_LABEL ? s.slice(0, MAX_LABEL) : s);

// A level outside the whitelist would poison the threat-level filter, sort and rollup; refuse the batch loudly.
function checkLevel(w: IpWindow): void {
  if (!(THREAT_LEVELS as readonly string[]).includes(w.threatLevel)) {
    throw new BadRequestError(`window of ${w.ip}: unknown threat level "${String(w.threatLevel).slice(0, 40)}"`, 'threatLevel');
  }
}

async function insertWindows(tx: SqlClient, windows: readonly IpWindow[]): Promise<void> {
  if (windows.length === 0) return;
  for (const w of windows) checkLevel(w);
  await tx.query(INSERT_WINDOWS, [
    windows.map((w) => ip(w.ip)),
    windows.map((w) => w.start),
    windows.map((w) => w.end),
    windows.map((w) => int(w.hits)),
    windows.map((w) => real(w.velocity)),
    windows.map((w) => real(w.ratio4xx)),
    windows.map((w) => real(w.ratio404)),
    windows.map((w) => real(w.ratioPost)),
    windows.map((w) => real(w.ratioStatic)),
    windows.map((w) => real(w.ratioDirect)),
    windows.map((w) => real(w.pathDiversity)),
    windows.map((w) => int(w.distinctPaths)),
    windows.map((w) => real(w.temporalEntropy)),
    windows.map((w) => int(w.distinctUserAgents)),
    windows.map((w) => int(w.distinctJa4s)),
    windows.map((w) => realOrNull(w.meanHeaderCount)),
    windows.map((w) => (w.knownBot == null ? null : label(w.knownBot))),
    windows.map((w) => JSON.stringify(w.scenarios.slice(0, MAX_SCENARIOS).map(label))),
    windows.map((w) => w.threatLevel),
  ]);
}

/** Most severe first under DESC: CRITICAL 5 … LEGITIMATE_BROWSER 0 (the order of THREAT_LEVELS). */
const LEVEL_RANK = `CASE threat_level ${THREAT_LEVELS.map((l, i) => `WHEN '${l}' THEN ${THREAT_LEVELS.length - 1 - i}`).join(' ')} ELSE -1 END`;

/** The only sort expressions that reach SQL; (ip, window_start) — the primary key — makes pages stable. */
const SORT_SQL: Record<ScoreSort, string> = {
  time: 'window_start',
  ip: 'ip COLLATE "C"',
  threat_level: LEVEL_RANK,
  hits: 'hits',
  velocity: 'velocity',
  ratio_4xx: 'ratio_4xx',
  ratio_404: 'ratio_404',
  ratio_post: 'ratio_post',
  ratio_static: 'ratio_static',
  path_diversity: 'path_diversity',
  temporal_entropy: 'temporal_entropy',
  distinct_user_agents: 'distinct_user_agents',
};
const RANGE = `window_start >= to_timestamp($1::float8 / 1000) AND window_start < to_timestamp($2::float8 / 1000)`;

async function scores(
  sql: SqlClient,
  since: number,
  until: number,
  q: ScoresQuery,
): Promise<{ items: IpWindowRow[]; total: number }> {
  const { sort, order } = orderBy(SORT_SQL, q.sort, q.order);
  checkPage(q.limit, q.offset);
  const params: unknown[] = [since, until];
  let where = RANGE;
  if (q.threatLevel?.length) {
    for (const l of q.threatLevel) {
      if (!(THREAT_LEVELS as readonly string[]).includes(l)) {
        throw new BadRequestError(`threat level must be one of ${THREAT_LEVELS.join(', ')}`, 'threat_level');
      }
    }
    params.push(q.threatLevel);
    where += ` AND threat_level = ANY($${params.length}::text[])`;
  }
  const [count, page] = await Promise.all([
    sql.query<{ n: number }>(`SELECT count(*)::float8 AS n FROM ip_windows WHERE ${where}`, params),
    sql.query(
      `SELECT ${WINDOW_COLUMNS} FROM ip_windows WHERE ${where}
       ORDER BY ${sort} ${order}, window_start ${order}, ip COLLATE "C" ${order}
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit, q.offset],
    ),
  ]);
  return { items: page.rows.map(decodeWindow), total: count.rows[0]?.n ?? 0 };
}

async function ipProfile(
  sql: SqlClient,
  rawIp: string,
  since: number,
  until: number,
  limit: number,
): Promise<IpProfile> {
  checkPage(limit, 0);
  const key = ip(rawIp);
  const p = [key, since, until];
  const threatRange = `ip = $1 AND time >= to_timestamp($2::float8 / 1000) AND time < to_timestamp($3::float8 / 1000)`;
  const windowRange = `ip = $1 AND window_start >= to_timestamp($2::float8 / 1000) AND window_start < to_timestamp($3::float8 / 1000)`;
  const [windows, levels, byCategory, bySeverity, seen, reputations] = await Promise.all([
    sql.query(
      `SELECT ${WINDOW_COLUMNS} FROM ip_windows WHERE ${windowRange} ORDER BY window_start DESC LIMIT $4`,
      [...p, limit],
    ),
    sql.query<{ threat_level: ThreatLevel; n: number; latest: number }>(
      `SELECT threat_level, count(*)::float8 AS n, (extract(epoch FROM max(window_start)) * 1000)::float8 AS latest
       FROM ip_windows WHERE ${windowRange} GROUP BY threat_level`,
      p,
    ),
    sql.query<{ category: Category; n: number }>(
      `SELECT category, count(*)::float8 AS n FROM threats WHERE ${threatRange} GROUP BY category`,
      p,
    ),
    sql.query<{ severity: Severity; n: number }>(
      `SELECT severity, count(*)::float8 AS n FROM threats WHERE ${threatRange} GROUP BY severity`,
      p,
    ),
    sql.query<{ first: number | null; last: number | null }>(
      `SELECT (extract(epoch FROM min(f)) * 1000)::float8 AS first, (extract(epoch FROM max(l)) * 1000)::float8 AS last
       FROM (SELECT min(time) AS f, max(time) AS l FROM threats WHERE ${threatRange}
             UNION ALL
             SELECT min(window_start), max(window_end) FROM ip_windows WHERE ${windowRange}) AS s`,
      p,
    ),
    reputationOf(sql, [key], 0),
  ]);
  const reputation = reputations.get(key) ?? null;
  const windowsByThreatLevel: IpProfile['windowsByThreatLevel'] = {};
  let latest: { level: ThreatLevel; at: number } | null = null;
  for (const r of levels.rows) {
    windowsByThreatLevel[r.threat_level] = r.n;
    if (!latest || r.latest > latest.at) latest = { level: r.threat_level, at: r.latest };
  }
  const threatsByCategory: IpProfile['threatsByCategory'] = {};
  for (const r of byCategory.rows) threatsByCategory[r.category] = r.n;
  const threatsBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let threats = 0;
  for (const r of bySeverity.rows) {
    threatsBySeverity[r.severity] = r.n;
    threats += r.n;
  }
  const s = seen.rows[0];
  return {
    ip: key,
    since,
    until,
    firstSeen: s?.first == null ? null : Math.round(s.first),
    lastSeen: s?.last == null ? null : Math.round(s.last),
    latestThreatLevel: latest?.level ?? null,
    threatLevel: levelWithReputation(latest?.level ?? null, reputation?.riskScore ?? null),
    reputation,
    windowsByThreatLevel,
    threats,
    threatsByCategory,
    threatsBySeverity,
    windows: windows.rows.map(decodeWindow),
  };
}
