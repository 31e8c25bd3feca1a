/**
 * The store: one repository per resource, all over one SqlClient (PGlite or PostgreSQL, one SQL dialect), and
 * the batch writer that composes their transaction-bound parts. Callers take the repositories they use.
 */
import type { TopOptions } from './top-keys.js';
import { ApiEventRepository } from './api-event-repository.js';
import { AnalyticsRepository } from './analytics-repository.js';
import { ApiKeyRepository } from './api-key-repository.js';
import { DeadLetterRepository } from './dead-letter-repository.js';
import { BatchWriter, type BatchWriterOptions } from './batch-writer.js';
import { BehaviourRepository } from './behaviour-repository.js';
import { CheckpointRepository } from './checkpoint-repository.js';
import { named } from './errors.js';
import { IocRepository } from './ioc-repository.js';
import { RequestRepository, type PruneOptions } from './request-repository.js';
import { RollupRepository } from './rollup-repository.js';
import { SchemaRepository, type SchemaRepositoryOptions } from './schema-repository.js';
import { HeldThreatRepository } from './held-threat-repository.js';
import { SiteKnowledgeRepository } from './site-knowledge-repository.js';
import { ThreatRepository, type ThreatRepositoryOptions } from './threat-repository.js';
import { DecisionRepository } from './decision-repository.js';
import { DetectionRepository } from './detection-repository.js';
import { TrafficRepository } from './traffic-repository.js';
import type { SqlClient } from './types.js';
import { VerdictRepository } from './verdict-repository.js';
import { WindowRepository } from './window-repository.js';

export type StoreOptions = SchemaRepositoryOptions &
  BatchWriterOptions &
  PruneOptions &
  ThreatRepositoryOptions & {
    /** How /api/stats ranks its top lists (top-keys.ts); tests lower the thresholds to reach the daily path. */
    topKeys?: TopOptions;
  };

export interface Store {
  readonly sql: SqlClient;
  /** Migrations (apply, status) and the readiness ping. */
  readonly schema: SchemaRepository;
  /** The one write path of ingest: a batch of every table in one transaction. */
  readonly writer: BatchWriter;
  readonly checkpoints: CheckpointRepository;
  readonly requests: RequestRepository;
  readonly threats: ThreatRepository;
  readonly windows: WindowRepository;
  readonly rollups: RollupRepository;
  readonly iocs: IocRepository;
  /** What detection learned about each site's content (src/detect/site), across restarts. */
  readonly siteKnowledge: SiteKnowledgeRepository;
  /** Hits site knowledge held back when the process stopped without judging them (kill -9). */
  readonly heldThreats: HeldThreatRepository;
  /** What sensors sent beside their events (the ingest API). */
  readonly apiEvents: ApiEventRepository;
  /** SOC aggregates from the hourly rollups (issue #11). */
  readonly analytics: AnalyticsRepository;
  /** Rule and behaviour hits as a list (issue #11). */
  readonly detections: DetectionRepository;
  /** Raw requests as a list (issue #11). */
  readonly traffic: TrafficRepository;
  /** Analyst verdicts on IPs (issue #11). */
  readonly verdicts: VerdictRepository;
  /** Behaviour analytics over what ingest keeps (client families, feature statistics, scenario IPs, cascades, baselines). */
  readonly behaviour: BehaviourRepository;
  /** API keys (hashes only) and their scopes (#12). */
  readonly apiKeys: ApiKeyRepository;
  /** Notifications that failed after their last attempt (#15). */
  readonly deadLetters: DeadLetterRepository;
  /** Decisions (ban, captcha, throttle), their offence counts, and bouncer keys (#15). */
  readonly decisions: DecisionRepository;
  close(): Promise<void>;
}

export function createStore(sql: SqlClient, opts: StoreOptions = {}): Store {
  return {
    sql,
    schema: new SchemaRepository(sql, opts),
    writer: new BatchWriter(sql, opts),
    checkpoints: new CheckpointRepository(sql),
    requests: new RequestRepository(sql, opts),
    threats: new ThreatRepository(sql, opts),
    windows: new WindowRepository(sql, opts),
    rollups: new RollupRepository(sql, opts.topKeys),
    iocs: new IocRepository(sql),
    siteKnowledge: new SiteKnowledgeRepository(sql),
    heldThreats: new HeldThreatRepository(sql),
    apiEvents: new ApiEventRepository(sql, opts),
    analytics: new AnalyticsRepository(sql),
    detections: new DetectionRepository(sql),
    traffic: new TrafficRepository(sql),
    verdicts: new VerdictRepository(sql),
    behaviour: new BehaviourRepository(sql),
    apiKeys: new ApiKeyRepository(sql),
    deadLetters: new DeadLetterRepository(sql),
    decisions: new DecisionRepository(sql),
    close: () => named('close', () => sql.close()),
  };
}
