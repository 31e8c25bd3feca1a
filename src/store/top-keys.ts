/**
 * The top source IPs and paths of /api/stats: the keys with most threats, then most requests, over [since, until).
 *
 * Exact over the minute rollups when the range holds few keyed rows (at most `exactRows`: the sum of requests and
 * threats bounds the minute rows). Over longer ranges summing every minute row is what cost 4 s for 30 days of
 * 10 M rows, and an exact ranking over ~100,000 clients a day has no cheap index, so the ranking reads the daily
 * rollups (migration 0012) the threshold way:
 *  1. candidates: each UTC day's K busiest keys (one index range per day, K rows each);
 *  2. each candidate's counts summed exactly over the range (its day rows by primary key; a partial first or
 *     last day from the minute rows, only for the candidates, or as the day minus the minutes outside the range);
 *  3. a key that is no day's candidate had, on every day with K candidates, at most that day's K-th counts, so at
 *     most the sum T of the K-th threat counts in the range. Listed counts are always exact; the list is exact
 *     when the last listed key has more threats than T (or, where T is 0, more requests than the K-th request
 *     sums), and the answer says which (`exact`, `unlistedMaxThreats`).
 */
import { OTHER, DAY_MS, dayOf } from './rollups.js';
import type { SqlClient, TopEntry } from './types.js';

export const TOP = 10;
/** Candidates per day: with K ≥ TOP, a range with a full day always has TOP candidates. */
export const DAY_CANDIDATES = 20;
/** Below this many keyed minute rows the exact minute query is cheap (~40 ms per 100,000 rows here). */
export const EXACT_ROWS = 100_000;

export type TopTable = 'ip' | 'path';

export interface TopKeys {
  entries: TopEntry[];
  /** True when no key outside `entries` can rank above the last of them. */
  exact: boolean;
  /**
   * The most threats a key not listed can have had in the range: the last listed key's threats when the list is
   * full, or the bound of step 3 when that is higher (0 when every key with counts is listed).
   */
  unlistedMaxThreats: number;
}

export interface TopOptions {
  exactRows?: number;
  dayCandidates?: number;
}

const TABLES = {
  ip: { minute: 'rollup_minute_ip', day: 'rollup_day_ip', column: 'ip' },
  path: { minute: 'rollup_minute_path', day: 'rollup_day_path', column: 'path' },
} as const;

/** Time bounds as SQL over epoch-ms parameters (the rollups' convention). */
const ts = (n: number) => `to_timestamp($${n}::float8 / 1000)`;

/**
 * Top keys over [since, until); `since` is already rounded down to the minute, `keyedRows` bounds the minute rows
 * of the range (requests + threats).
 */
export async function topKeys(
  sql: SqlClient,
  which: TopTable,
  since: number,
  until: number,
  keyedRows: number,
  opts: TopOptions = {},
): Promise<TopKeys> {
  if (until <= since) return { entries: [], exact: true, unlistedMaxThreats: 0 };
  if (keyedRows <= (opts.exactRows ?? EXACT_ROWS)) {
    const entries = await exactTop(sql, which, since, until);
    return { entries, exact: true, unlistedMaxThreats: entries.length < TOP ? 0 : (entries[TOP - 1]!.threats ?? 0) };
  }
  return dayTop(sql, which, since, until, opts.dayCandidates ?? DAY_CANDIDATES);
}

async function exactTop(sql: SqlClient, which: TopTable, since: number, until: number): Promise<TopEntry[]> {
  const { minute, column } = TABLES[which];
  const { rows } = await sql.query<{ key: string; threats: number; requests: number }>(
    `SELECT ${column} AS key, sum(threats)::float8 AS threats, sum(requests)::float8 AS requests
     FROM ${minute} WHERE minute >= ${ts(1)} AND minute < ${ts(2)} AND ${column} <> $3
     GROUP BY ${column} ORDER BY threats DESC, requests DESC, ${column} COLLATE "C" LIMIT ${TOP}`,
    [since, until, OTHER],
  );
  return rows.map(entry);
}

interface Counts {
  threats: number;
  requests: number;
}

/** How the range is read: whole day rows over [fullFrom, fullTo), plus or minus minute sums over some ranges. */
export interface RangePlan {
  fullFrom: number;
  fullTo: number;
  minutes: { from: number; to: number; sign: 1 | -1 }[];
}

/**
 * The read plan of [since, until) given which partial edge days hold data outside the range (`dataOutside`):
 * a partial day without such data reads as its whole row; with it, as its row minus the minutes outside, or as the
 * minutes inside, whichever spans less time.
 */
export function planRange(since: number, until: number, dataOutside: (day: number) => boolean): RangePlan {
  const first = dayOf(since);
  const last = dayOf(until - 1);
  const plan: RangePlan = { fullFrom: first, fullTo: last + DAY_MS, minutes: [] };
  for (const day of first === last ? [first] : [first, last]) {
    const from = Math.max(since, day);
    const to = Math.min(until, day + DAY_MS);
    if ((from === day && to === day + DAY_MS) || !dataOutside(day)) continue;
    if (to - from <= DAY_MS - (to - from)) {
      plan.minutes.push({ from, to, sign: 1 });
      // The day leaves the whole-day span: it is the first or the last, so the span stays one range.
      if (day === first) plan.fullFrom = day + DAY_MS;
      if (day === last) plan.fullTo = day;
    } else {
      if (from > day) plan.minutes.push({ from: day, to: from, sign: -1 });
      if (to < day + DAY_MS) plan.minutes.push({ from: to, to: day + DAY_MS, sign: -1 });
    }
  }
  if (plan.fullTo < plan.fullFrom) plan.fullTo = plan.fullFrom;
  return plan;
}

interface DayCandidate extends Counts {
  day: number;
  key: string;
}

/** The bound of step 3 from each day's candidates (read K per day, most first). */
export function unlistedBound(candidates: readonly DayCandidate[], k: number): { full: boolean; threats: number; requests: number } {
  const perDay = new Map<number, DayCandidate[]>();
  for (const c of candidates) {
    let list = perDay.get(c.day);
    if (!list) perDay.set(c.day, (list = []));
    list.push(c);
  }
  let full = false;
  let threats = 0;
  let requests = 0;
  for (const list of perDay.values()) {
    if (list.length < k) continue;
    full = true;
    const kth = list[list.length - 1]!;
    threats += kth.threats;
    requests += kth.requests;
  }
  return { full, threats, requests };
}

/** Ranks the candidates' exact counts and decides whether the list is provably the top. */
export function rankCandidates(totals: Map<string, Counts>, bound: { full: boolean; threats: number; requests: number }): TopKeys {
  const ranked = [...totals]
    .filter(([, c]) => c.threats > 0 || c.requests > 0)
    .sort(([ka, a], [kb, b]) => b.threats - a.threats || b.requests - a.requests || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .slice(0, TOP);
  const entries = ranked.map(([key, c]) => entry({ key, ...c }));
  const last = ranked[ranked.length - 1]?.[1];
  // A candidate ranked below the list has at most the last listed key's threats; a non-candidate at most the bound.
  const belowList = ranked.length < TOP || last === undefined ? 0 : last.threats;
  if (!bound.full) return { entries, exact: true, unlistedMaxThreats: belowList };
  const exact =
    last !== undefined &&
    ranked.length === TOP &&
    (last.threats > bound.threats || (bound.threats === 0 && (last.threats > 0 || last.requests > bound.requests)));
  return { entries, exact, unlistedMaxThreats: Math.max(belowList, bound.threats) };
}

async function dayTop(sql: SqlClient, which: TopTable, since: number, until: number, k: number): Promise<TopKeys> {
  const { minute, day, column } = TABLES[which];
  const first = dayOf(since);
  const last = dayOf(until - 1);
  // Epoch-ms day starts (not an interval series: '1 day' follows the session's time zone across DST).
  const picked = await sql.query<{ d: number; key: string; threats: number; requests: number }>(
    `SELECT g.d::float8 AS d, x.key, x.threats::float8 AS threats, x.requests::float8 AS requests
     FROM generate_series($1::bigint, $2::bigint, ${DAY_MS}) AS g(d)
     CROSS JOIN LATERAL (
       SELECT ${column} AS key, threats, requests FROM ${day}
       WHERE day = to_timestamp(g.d::float8 / 1000) AND ${column} <> $3
       ORDER BY threats DESC, requests DESC LIMIT ${k}) AS x`,
    [first, last, OTHER],
  );
  const candidates = picked.rows.map((r) => ({ day: Math.round(r.d), key: r.key, threats: r.threats, requests: r.requests }));
  const bound = unlistedBound(candidates, k);
  const keys = [...new Set(candidates.map((c) => c.key))];
  if (keys.length === 0) return { entries: [], exact: true, unlistedMaxThreats: 0 };

  const outside = await dataOutsidePartialDays(sql, since, until);
  const plan = planRange(since, until, (d) => outside.has(d));
  const totals = new Map<string, Counts>(keys.map((key) => [key, { threats: 0, requests: 0 }]));
  const add = (rows: { key: string; threats: number; requests: number }[], sign: 1 | -1) => {
    for (const r of rows) {
      const t = totals.get(r.key);
      if (!t) continue;
      t.threats += sign * r.threats;
      t.requests += sign * r.requests;
    }
  };
  const reads: Promise<void>[] = [];
  if (plan.fullTo > plan.fullFrom) {
    reads.push(
      sql
        .query<{ key: string; threats: number; requests: number }>(
          `SELECT ${column} AS key, sum(threats)::float8 AS threats, sum(requests)::float8 AS requests FROM ${day}
           WHERE ${column} = ANY($1::text[]) AND day >= ${ts(2)} AND day < ${ts(3)} GROUP BY ${column}`,
          [keys, plan.fullFrom, plan.fullTo],
        )
        .then((r) => add(r.rows, 1)),
    );
  }
  for (const m of plan.minutes) {
    // The candidates hash-joined to the minute range: as an index condition on the key (the second column of the
    // primary key) each of them would walk the whole range again, and as a filter `= ANY` compares each row
    // with every candidate (440 ms for an hour of rows).
    reads.push(
      sql
        .query<{ key: string; threats: number; requests: number }>(
          `SELECT m.${column} AS key, sum(m.threats)::float8 AS threats, sum(m.requests)::float8 AS requests
           FROM ${minute} m JOIN (SELECT DISTINCT unnest($1::text[]) AS key) c ON c.key = (m.${column} || '')
           WHERE m.minute >= ${ts(2)} AND m.minute < ${ts(3)} GROUP BY m.${column}`,
          [keys, m.from, m.to],
        )
        .then((r) => add(r.rows, m.sign)),
    );
  }
  await Promise.all(reads);
  return rankCandidates(totals, bound);
}

/** The partial first and last days of the range that hold data outside it (one look at rollup_minute each). */
async function dataOutsidePartialDays(sql: SqlClient, since: number, until: number): Promise<Set<number>> {
  const first = dayOf(since);
  const last = dayOf(until - 1);
  const { rows } = await sql.query<{ head: boolean; tail: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM rollup_minute WHERE minute >= ${ts(1)} AND minute < ${ts(2)}) AS head,
            EXISTS (SELECT 1 FROM rollup_minute WHERE minute >= ${ts(3)} AND minute < ${ts(4)}) AS tail`,
    [first, since, until, last + DAY_MS],
  );
  const out = new Set<number>();
  if (rows[0]?.head) out.add(first);
  if (rows[0]?.tail) out.add(last);
  return out;
}

function entry(r: { key: string; threats: number; requests: number }): TopEntry {
  return { key: r.key, count: r.threats, threats: r.threats, requests: r.requests };
}
