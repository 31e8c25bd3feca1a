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
