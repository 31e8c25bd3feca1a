/**
 * One batch in one transaction: requests, threats with their detections, rollups, IP windows, behaviour aggregates,
 * held hits, checkpoints.
 * The writer only orders the repositories' transaction-bound parts; each table's SQL lives with its repository.
 * Rows go in as parallel arrays through unnest() (one statement per table, on PGlite and pg alike), with
 * ON CONFLICT (id) DO NOTHING so a replay never duplicates; RETURNING id tells which rows are new, and only
 * those reach the rollups and threat_hits. A batch whose checkpoints are already stored exactly is a retry of a
 * commit whose acknowledgement was lost, and is not written again (its windows have no ids to dedupe by).
 */
import { BadRequestError, type HttpEvent } from '../core/index.js';
import { insertApiEvents } from './api-event-repository.js';
import { aggregateAnalytics, moveGeneration, upsertAnalytics } from './analytics-rollups.js';
import { cascadeState, writeBehaviour } from './behaviour-writes.js';
import { alreadyCommitted, upsertCheckpoints } from './checkpoint-repository.js';
import { named } from './errors.js';
import { writeHeld } from './held-threat-repository.js';
import { insertRequests } from './request-repository.js';
import { upsertRollups } from './rollup-repository.js';
import { aggregateRuleHours, upsertRuleHours } from './rule-hit-rollup.js';
import { aggregate, DEFAULT_ROLLUP_LIMITS, type RollupLimits } from './rollups.js';
import { insertThreats } from './threat-repository.js';
import type { SqlClient, WriteBatch } from './types.js';
import { DEFAULT_WINDOW_MIN_HITS, writeWindows } from './window-repository.js';

export interface BatchWriterOptions {
  rollupLimits?: RollupLimits;
  /**
   * IP windows get a row when they have at least this many hits (default 3), a scenario, or a threat level
   * above LOW; the rest are only counted per minute and level (rollup_minute_window, see window-repository.ts).
   */
  windowMinHits?: number;
}

export class BatchWriter {
  private readonly limits: RollupLimits;
  private readonly windowMinHits: number;
  /** Page-view budgets of the cascades (behaviour-writes.ts), kept across batches. */
  private readonly cascades = cascadeState();

  constructor(
    private readonly sql: SqlClient,
    opts: BatchWriterOptions = {},
  ) {
    this.limits = opts.rollupLimits ?? DEFAULT_ROLLUP_LIMITS;
    this.windowMinHits = opts.windowMinHits ?? DEFAULT_WINDOW_MIN_HITS;
  }

  /**
   * Stores the batch in one transaction: everything lands or nothing does, which is what makes a restart
   * after kill -9 lose nothing and duplicate nothing.
   */
  write(batch: WriteBatch): Promise<void> {
    return named('write', () => this.sql.transaction((tx) => this.writeIn(tx, batch)));
  }

  private async writeIn(tx: SqlClient, batch: WriteBatch): Promise<void> {
    for (const e of batch.events) checkTime(e);
    for (const t of batch.threats) checkTime(t.event);
    // The checkpoint commits with its events, so a server crash that loses the last commits loses the
    // checkpoint with them and the lines are read again: waiting for the WAL flush buys nothing here.
    if (tx.dialect === 'postgres') await tx.query('SET LOCAL synchronous_commit = off');
    // A retry of a batch already committed (its acknowledgement lost): rows and rollups would ignore its ids, but its
    // windows would be counted a second time in rollup_minute_window.
    if (await alreadyCommitted(tx, batch.checkpoints)) return;
    const newRequests = await insertRequests(tx, batch.events);
    const newThreats = await insertThreats(tx, batch.threats);
    if (batch.apiEvents?.length) await insertApiEvents(tx, batch.apiEvents);
    await upsertRollups(tx, aggregate(newRequests, newThreats, this.limits));
    const analytics = aggregateAnalytics(newRequests, newThreats);
    await upsertAnalytics(tx, analytics);
    await upsertRuleHours(tx, aggregateRuleHours(newThreats));
    const windows = batch.windows ?? [];
    const stored = windows.length > 0 ? await writeWindows(tx, windows, this.windowMinHits) : [];
    // Behaviour analytics read what ingest keeps (issue #11): client families, feature histograms, baselines,
    // scenario evidence per IP and page-view cascades, from the same new rows.
    await writeBehaviour(tx, { events: newRequests, threats: newThreats, windows, stored }, this.cascades);
    if (batch.held) await writeHeld(tx, batch.held);
    await upsertCheckpoints(tx, batch.checkpoints);
    // Last: its row lock, when it moves the generation, is held only for the commit (analytics-rollups.ts).
    await moveGeneration(tx, analytics);
  }
}

function checkTime(e: HttpEvent): void {
  if (!Number.isFinite(e.time)) throw new BadRequestError(`event ${e.id}: time is not a number`, 'time');
}
