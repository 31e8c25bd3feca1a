/** What every section of the store conformance suite shares: the store under test and small helpers. */
import type { HttpEvent, ThreatEvent } from '../../../core/index.js';
import type { Store, StoreOptions } from '../../store.js';
import type { MigrationStatus, ThreatQuery } from '../../types.js';

/**
 * Set before each test: a fresh store, migrated. `withOptions` builds a second Store over the same SqlClient
 * (options are plain config) for tests about an option.
 */
export interface ConformanceContext {
  store: Store;
  /** Migration status before and after the first migrate of this test's store. */
  before: MigrationStatus;
  first: MigrationStatus;
  withOptions(opts: StoreOptions): Store;
}

/** One repository's part of the suite: `it` cases over `t.store`. */
export type ConformanceSection = (t: ConformanceContext) => void;

export const MIN = 60_000;

export const query = (over: Partial<ThreatQuery> = {}): ThreatQuery => ({
  sort: 'time',
  order: 'desc',
  limit: 100,
  offset: 0,
  ...over,
});

export async function count(store: Store, table: string): Promise<number> {
  const { rows } = await store.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0]!.n;
}

/** Threat + its event in one batch, as the pipeline writes them. */
export function batchOf(threats: ThreatEvent[], plain: HttpEvent[] = []) {
  return { events: [...plain, ...threats.map((t) => t.event)], threats, checkpoints: [] };
}
