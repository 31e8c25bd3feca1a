/** The Store: the queries, written once over SqlClient, for PGlite and PostgreSQL alike. */
import type { Checkpoint } from '../ingest/index.js';
import { named } from './errors.js';
import type { StoreLogger } from './logger.js';
import { migrate, migrationStatus } from './migrate.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import { DEFAULT_ROLLUP_LIMITS, type RollupLimits } from './rollups.js';
import { stats } from './stats.js';
import { ruleHits, silentRules } from './rule-hits.js';
import { getThreat, listThreats, topRules } from './threats.js';
import type { SqlClient, Store } from './types.js';
import { DEFAULT_WINDOW_MIN_HITS, ipProfile, pruneWindows, scores, windowTotals } from './windows.js';
import { writeBatch } from './write.js';
import { pruneOlderThan } from './prune.js';

export interface StoreOptions {
  logger?: StoreLogger;
  migrations?: readonly Migration[];
  rollupLimits?: RollupLimits;
  /** Rows per DELETE in pruneRequests: small enough that no statement holds locks for long. */
  pruneChunk?: number;
  /** Threats carry their source's IOC risk when at or above this score (enrich.reputation.minScore). */
  reputationMinScore?: number;
  /**
   * IP windows get a row when they have at least this many hits (default 3), a scenario, or a threat level
   * above LOW; the rest are only counted per minute and level (rollup_minute_window, see windows.ts).
   */
  windowMinHits?: number;
}

export function createStore(sql: SqlClient, opts: StoreOptions = {}): Store {
  const migrations = opts.migrations ?? MIGRATIONS;
  const limits = opts.rollupLimits ?? DEFAULT_ROLLUP_LIMITS;
  const chunk = opts.pruneChunk ?? 50_000;
  const writeOpts = { windowMinHits: opts.windowMinHits ?? DEFAULT_WINDOW_MIN_HITS };
  return {
    sql,
    migrate: () => migrate(sql, migrations, opts.logger),
    migrationStatus: () => migrationStatus(sql, migrations),
    ping: () => named('ping', async () => void (await sql.query('SELECT 1'))),
    write: (batch) => named('write', () => sql.transaction((tx) => writeBatch(tx, batch, limits, writeOpts))),
    loadCheckpoints: () => named('loadCheckpoints', () => loadCheckpoints(sql)),
    listThreats: (q) => named('listThreats', () => listThreats(sql, q, opts.reputationMinScore)),
    getThreat: (id) => named('getThreat', () => getThreat(sql, id, opts.reputationMinScore)),
    stats: (since, until) => named('stats', () => stats(sql, since, until)),
    // Windows share the requests' retention: both are raw behaviour, threats are the evidence kept longer.
    pruneRequests: (before) =>
      named('pruneRequests', async () => {
        const removed = await pruneOlderThan(sql, 'requests', before, chunk);
        await pruneWindows(sql, before, chunk);
        return removed;
      }),
    topRules: (since, until, limit = 10) => named('topRules', () => topRules(sql, since, until, limit)),
    ipProfile: (ip, since, until, limit = 100) => named('ipProfile', () => ipProfile(sql, ip, since, until, limit)),
    scores: (since, until, q) => named('scores', () => scores(sql, since, until, q)),
    windowTotals: (since, until) => named('windowTotals', () => windowTotals(sql, since, until)),
    ruleHits: (since, until, o) => named('ruleHits', () => ruleHits(sql, since, until, o.bucket, o.limit ?? 20)),
    silentRules: (since, ids) => named('silentRules', () => silentRules(sql, since, ids)),
    close: () => named('close', () => sql.close()),
  };
}

async function loadCheckpoints(sql: SqlClient): Promise<Checkpoint[]> {
  const { rows } = await sql.query<{ source: string; file_id: string; o: number; line: number; head_hash: string }>(
    `SELECT source, file_id, byte_offset::float8 AS o, line::float8 AS line, head_hash FROM checkpoints ORDER BY source`,
  );
  return rows.map((r) => ({ source: r.source, fileId: r.file_id, offset: r.o, line: r.line, headHash: r.head_hash }));
}

