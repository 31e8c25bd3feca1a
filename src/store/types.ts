/**
 * Store contract types. One implementation of the queries per resource (the *-repository.ts files), written
 * once over SqlClient, runs on PGlite (embedded default) and on a PostgreSQL server (DATABASE_URL): one SQL
 * dialect.
 *
 * Obligations:
 * - The batch writer's `write` is one transaction: events, threats, rollups, windows and checkpoints land
 *   together or not at all, which is what makes a restart after kill -9 lose nothing and duplicate nothing.
 * - Every value from a log goes in as a parameter; sort columns come from a whitelist.
 */
import type { Category, Severity, ThreatEvent, HttpEvent } from '../core/index.js';
import type { HeldChanges, IpWindow, ThreatLevel } from '../detect/index.js';
import type { IpWindowRow } from './ip-window-record.js';
import type { ApiEventRow } from './api-event-repository.js';
import type { Checkpoint } from '../ingest/index.js';

export interface SqlClient {
  readonly dialect: 'pglite' | 'postgres';
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
  /** Runs a multi-statement script without parameters (migrations). */
  exec(script: string): Promise<void>;
  /**
   * Streams rows in COPY text format into `table` (only on PostgreSQL servers, where it is about
   * twice as fast as a multi-row insert). Inside a transaction it joins that transaction.
   */
  copyRows?(table: string, columns: readonly string[], rows: string): Promise<void>;
  /** Runs fn in a transaction on one connection; rolls back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface WriteBatch {
  /** Every request (kept for the retention period). */
  events: readonly HttpEvent[];
  /** The flagged subset, with detections. */
  threats: readonly ThreatEvent[];
  checkpoints: readonly Checkpoint[];
  /**
   * Closed per-IP behaviour windows drained after detection. All are counted per minute and level; only those
   * worth a row are stored (see StoreOptions.windowMinHits); a window already stored (same ip and start) is replaced.
   */
  windows?: readonly IpWindow[];
  /**
   * Hits site knowledge held back (not threats yet) and ids of held ones judged since: kept in held_threats with the
   * batch that held them, so a process killed while holding them finds them again at start.
   */
  held?: HeldChanges;
  /** What sensors sent beside their events' requests (ingest API, table api_events). */
  apiEvents?: readonly ApiEventRow[];
}

export const THREAT_SORTS = ['time', 'score', 'severity', 'ip', 'status'] as const;
export type ThreatSort = (typeof THREAT_SORTS)[number];

export interface ThreatQuery {
  since?: number;
  until?: number;
  severity?: readonly Severity[];
  category?: readonly Category[];
  ip?: string;
  /** Substring of the path (matched literally, not as a pattern). */
  path?: string;
  /** The site, exact (GET /api/alerts per site). */
  host?: string;
  sort: ThreatSort;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

export interface ThreatReputation {
  riskScore: number;
  riskLevel: string;
  categories: string[];
  /** When the summary was computed, epoch ms. */
  updatedAt: number;
}

export interface TopEntry {
  key: string;
  count: number;
  /** For top IPs and paths: `count` is threats (the ranking key); these give both figures. */
  threats?: number;
  requests?: number;
}

export interface Stats {
  since: number;
  until: number;
  totalRequests: number;
  threats: number;
  bySeverity: Record<Severity, number>;
  byCategory: Partial<Record<Category, number>>;
  topIps: TopEntry[];
  topPaths: TopEntry[];
  /** Whether the top lists are provably the top (top-keys.ts); their counts are exact either way. */
  topAccuracy: { exact: boolean; unlistedMaxIpThreats: number; unlistedMaxPathThreats: number };
}

/** Sort keys of the scores table; each maps to one whitelisted SQL expression in windows.ts. */
export const SCORE_SORTS = [
  'time',
  'ip',
  'threat_level',
  'hits',
  'velocity',
  'ratio_4xx',
  'ratio_404',
  'ratio_post',
  'ratio_static',
  'path_diversity',
  'temporal_entropy',
  'distinct_user_agents',
] as const;
export type ScoreSort = (typeof SCORE_SORTS)[number];

export interface ScoresQuery {
  threatLevel?: readonly ThreatLevel[];
  sort: ScoreSort;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}


export interface IpProfile {
  ip: string;
  since: number;
  until: number;
  /** Earliest and latest activity stored for the IP in the range (threat times, window bounds); null when none. */
  firstSeen: number | null;
  lastSeen: number | null;
  /** Threat level of the IP's latest stored window in the range. */
  latestThreatLevel: ThreatLevel | null;
  /** latestThreatLevel raised by the IP's reputation (src/detect/reputation-level.ts); never lowered. */
  threatLevel: ThreatLevel | null;
  /** The IP's latest enrichment summary, when the collector has enriched it. */
  reputation: ThreatReputation | null;
  /** Stored windows in the range per threat level (levels with none are omitted). */
  windowsByThreatLevel: Partial<Record<ThreatLevel, number>>;
  threats: number;
  threatsByCategory: Partial<Record<Category, number>>;
  threatsBySeverity: Record<Severity, number>;
  /** Latest first, at most the limit asked for. */
  windows: IpWindowRow[];
}

export type RuleHitBucket = 'hour' | 'day';

export interface RuleHitSeries {
  ruleId: string;
  total: number;
  /** Hits recorded by rules in simulation mode (included in total). */
  simulated: number;
  /** Non-empty buckets only, oldest first; `start` is the bucket's start, epoch ms (UTC-aligned). */
  points: { start: number; count: number }[];
}

export interface WindowCounts {
  windows: number;
  stored: number;
  hits: number;
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}
