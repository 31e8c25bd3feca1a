/**
 * The store module's public surface. openStore picks the backend from the URL:
 * `postgres://…` → a PostgreSQL server; `memory://` → PGlite in memory; none → PGlite in dataDir.
 */
import { ConfigError } from '../core/index.js';
import type { StoreLogger } from './logger.js';
import { createStore, type Store, type StoreOptions } from './store.js';
import type { SqlClient } from './types.js';

export interface OpenOptions {
  databaseUrl?: string;
  /** PGlite data folder when there is no databaseUrl (created when missing). */
  dataDir?: string;
  /** PostgreSQL only: the schema to work in (a plain identifier that exists). */
  schema?: string;
  /** PostgreSQL only: application_name of the connections (default `rampart`). */
  applicationName?: string;
  logger?: StoreLogger;
}

export const DEFAULT_DATA_DIR = './data/pglite';

export async function openSql(opts: OpenOptions = {}): Promise<SqlClient> {
  const url = opts.databaseUrl;
  // PGlite runs in a worker thread, so its WebAssembly never holds up the API or ingest on this one.
  if (url === undefined || url === '') return (await import('./pglite-worker-client.js')).openPgliteWorker(opts.dataDir ?? DEFAULT_DATA_DIR);
  if (url === 'memory://') return (await import('./pglite-worker-client.js')).openPgliteWorker('memory://');
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { openPg } = await import('./pg-client.js');
    return openPg(url, { schema: opts.schema, applicationName: opts.applicationName, logger: opts.logger });
  }
  throw new ConfigError('databaseUrl', 'expected postgres://…, postgresql://… or memory://');
}

/** Opens the store and, unless `migrate: false`, applies pending migrations. */
export async function openStore(opts: OpenOptions & StoreOptions & { migrate?: boolean } = {}): Promise<Store> {
  const sql = await openSql(opts);
  const store = createStore(sql, opts);
  if (opts.migrate !== false) {
    try {
      await store.schema.migrate();
    } catch (err) {
      await sql.close().catch(() => undefined);
      throw err;
    }
  }
  return store;
}

export { createStore, type Store, type StoreOptions } from './store.js';
// The drivers (pg, PGlite) load on first open, so a command that never opens a store never loads them.
export type { PgClientOptions } from './pg-client.js';
export { MIGRATIONS, type Migration } from './migrations/index.js';
export { SqlError, StoreError } from './errors.js';
export { DEFAULT_ROLLUP_LIMITS, OTHER, type RollupLimits } from './rollups.js';
export type { StoreLogger } from './logger.js';
export * from './types.js';
export { ipWindowJson, windowToJson, type IpWindowJson, type IpWindowRow } from './ip-window-record.js';
export { detectionJson, detectionToJson, threatJson, threatToJson, type DetectionJson, type StoredThreat, type ThreatJson } from './threat-record.js';
export { storedThreatOf } from './threat-record.js';
export { connectionLoss } from './connection-errors.js';
export { BatchWriter, type BatchWriterOptions } from './batch-writer.js';
export { CheckpointRepository } from './checkpoint-repository.js';
// Loads no PGlite itself: the worker it starts does.
export { openPgliteWorker, type PgliteWorkerClient, type PgliteWorkerOptions } from './pglite-worker-client.js';
export { IocRepository } from './ioc-repository.js';
export { RequestRepository } from './request-repository.js';
export { DAILY_ROLLUP_MIN_KEEP_MS, RollupRepository } from './rollup-repository.js';
export { SchemaRepository } from './schema-repository.js';
export { SiteKnowledgeRepository } from './site-knowledge-repository.js';
export { HeldThreatRepository } from './held-threat-repository.js';
export { ThreatRepository } from './threat-repository.js';
export { WindowRepository } from './window-repository.js';
export { ApiEventRepository, type ApiEventRow } from './api-event-repository.js';
// SOC analytics (issue #11)
export { REQUEST_MOVE_MS, type GenerationMark } from './analytics-rollups.js';
export { AnalyticsRepository, severityOfScore, type GeoRow, type HeatCell, type HourPoint, type MapPoint, type OverviewTotals, type Recurrence, type TopAttacker } from './analytics-repository.js';
export type { AnalyticsFilter } from './analytics-filter.js';
export { MAX_COUNT, type Counted, type KeysetCursor } from './keyset.js';
export { DETECTION_KINDS, DETECTION_SORTS, DetectionRepository, detectionRowJson, detectionRowToJson, type DetectionQuery, type StoredDetection } from './detection-repository.js';
export { requestJson, requestToJson, TrafficRepository, type StoredRequest, type TrafficQuery } from './traffic-repository.js';
export { MAX_VERDICT_COMMENT, VERDICTS, VerdictRepository, verdictJson, verdictToJson, type StoredVerdict, type Verdict } from './verdict-repository.js';
export {
  BehaviourRepository,
  AGENT_SORTS,
  SCENARIO_IP_SORTS,
  USER_AGENT_KINDS,
  MAX_SAMPLE_POINTS,
  SAMPLE_POOL,
  type AgentQuery,
  type AgentPage,
  type AgentFamily,
  type AgentSort,
  type Cascade,
  type CascadePage,
  type FeatureStats,
  type FeatureSummary,
  type Radar,
  type RadarAxis,
  type SamplePoint,
  type ScenarioIp,
  type ScenarioIpQuery,
  type ScenarioIpSort,
} from './behaviour-repository.js';
export { WINDOW_FEATURES, binBounds, type WindowFeature } from './window-features.js';
export { BASELINES, type Baseline } from './behaviour-aggregates.js';
export { CASCADE_GAP_MS, CASCADE_PAGES_PER_IP } from './cascade.js';
export { ApiKeyRepository, KEY_SCOPES, MAX_KEY_NAME, checkKeyName, type ApiKeyRecord, type KeyScope, type NewApiKey } from './api-key-repository.js';
export { DeadLetterRepository, MAX_DEAD_LETTERS, type DeadLetter, type NewDeadLetter } from './dead-letter-repository.js';
export { DecisionRepository, checkBouncerName, MAX_DECISION_TEXT, type BouncerRecord, type DecisionFilter, type DecisionRecord, type NewDecision, type StreamDecision } from './decision-repository.js';
