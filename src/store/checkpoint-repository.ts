/**
 * Checkpoints: how far each source has been read (table checkpoints). Loaded at start; written by the batch
 * writer in the batch's transaction, so a checkpoint is never ahead of what is stored.
 */
import type { Checkpoint } from '../ingest/index.js';
import { named } from './errors.js';
import { int, text } from './sanitize.js';
import type { SqlClient } from './types.js';

export class CheckpointRepository {
  constructor(private readonly sql: SqlClient) {}

  /** Every source's checkpoint, by source. */
  load(): Promise<Checkpoint[]> {
    return named('loadCheckpoints', () => selectCheckpoints(this.sql, null));
  }
}

/** The stored checkpoints of `sources` (null: of every source), by source. */
async function selectCheckpoints(sql: SqlClient, sources: readonly string[] | null): Promise<Checkpoint[]> {
  const { rows } = await sql.query<{ source: string; file_id: string; o: number; line: number; head_hash: string }>(
    `SELECT source, file_id, byte_offset::float8 AS o, line::float8 AS line, head_hash FROM checkpoints
     ${sources === null ? '' : 'WHERE source = ANY($1::text[])'} ORDER BY source`,
    sources === null ? [] : [sources],
  );
  return rows.map((r) => ({ source: r.source, fileId: r.file_id, offset: r.o, line: r.line, headHash: r.head_hash }));
}

/** The last checkpoint of each source in `checkpoints`, keyed by its stored (sanitised) source name. */
function latestPerSource(checkpoints: readonly Checkpoint[]): Map<string, Checkpoint> {
  return new Map(checkpoints.map((c) => [text(c.source), c]));
}

// ---- The batch writer's part (inside its transaction) ----

export async function upsertCheckpoints(tx: SqlClient, checkpoints: readonly Checkpoint[]): Promise<void> {
  if (checkpoints.length === 0) return;
  // One row per source (the last wins): ON CONFLICT cannot touch the same row twice in one statement.
  const latest = [...latestPerSource(checkpoints).entries()];
  await tx.query(
    `INSERT INTO checkpoints (source, file_id, byte_offset, line, head_hash, updated_at)
     SELECT source, file_id, byte_offset, line, head_hash, now()
     FROM unnest($1::text[], $2::text[], $3::int8[], $4::int8[], $5::text[]) AS u(source, file_id, byte_offset, line, head_hash)
     ON CONFLICT (source) DO UPDATE SET
       file_id = EXCLUDED.file_id, byte_offset = EXCLUDED.byte_offset, line = EXCLUDED.line,
       head_hash = EXCLUDED.head_hash, updated_at = EXCLUDED.updated_at`,
    [
      latest.map(([source]) => source),
      latest.map(([, c]) => text(c.fileId)),
      latest.map(([, c]) => int(c.offset)),
      latest.map(([, c]) => int(c.line)),
      latest.map(([, c]) => text(c.headHash)),
    ],
  );
}

/**
 * Whether this batch was committed before: every one of its checkpoints is already stored exactly (file, offset, line,
 * head hash). A retry after a commit whose acknowledgement was lost (the connection dropped after COMMIT) finds them
 * so; any other batch advances at least one position. Exact equality, not "at or past": a file truncated in place
 * keeps its identity while its offsets start again lower, and those batches must be written.
 */
export async function alreadyCommitted(tx: SqlClient, checkpoints: readonly Checkpoint[]): Promise<boolean> {
  if (checkpoints.length === 0) return false;
  const latest = latestPerSource(checkpoints);
  const stored = await selectCheckpoints(tx, [...latest.keys()]);
  if (stored.length !== latest.size) return false;
  return stored.every((s) => {
    const c = latest.get(s.source);
    return c !== undefined && s.fileId === text(c.fileId) && s.offset === int(c.offset) && s.line === int(c.line) && s.headHash === text(c.headHash);
  });
}
