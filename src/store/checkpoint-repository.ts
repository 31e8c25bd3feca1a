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
    return named('loadCheckpoints', async () => {
      const { rows } = await this.sql.query<{ source: string; file_id: string; o: number; line: number; head_hash: string }>(
        `SELECT source, file_id, byte_offset::float8 AS o, line::float8 AS line, head_hash FROM checkpoints ORDER BY source`,
      );
      return rows.map((r) => ({ source: r.source, fileId: r.file_id, offset: r.o, line: r.line, headHash: r.head_hash }));
    });
  }
}

// ---- The batch writer's part (inside its transaction) ----

export async function upsertCheckpoints(tx: SqlClient, checkpoints: readonly Checkpoint[]): Promise<void> {
  if (checkpoints.length === 0) return;
  // One row per source (the last wins): ON CONFLICT cannot touch the same row twice in one statement.
  const latest = [...new Map(checkpoints.map((c) => [text(c.source), c])).entries()];
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
  const latest = new Map(checkpoints.map((c) => [text(c.source), c]));
  const { rows } = await tx.query<{ source: string; file_id: string; o: number; line: number; head_hash: string }>(
    `SELECT source, file_id, byte_offset::float8 AS o, line::float8 AS line, head_hash FROM checkpoints WHERE source = ANY($1::text[])`,
    [[...latest.keys()]],
  );
  if (rows.length !== latest.size) return false;
  return rows.every((r) => {
    const c = latest.get(r.source);
    return c !== undefined && r.file_id === text(c.fileId) && r.o === int(c.offset) && r.line === int(c.line) && r.head_hash === text(c.headHash);
  });
}
