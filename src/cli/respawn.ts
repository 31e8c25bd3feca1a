/**
 * Should `analyze` run in a child Node with a larger young generation (bin/rampart.js)? The flag can
 * only be set when V8 starts, and it buys 25-40% more lines/s on large inputs, but the child is a
 * second Node start (about 50 ms of CPU and 40 MB for the launcher): on a small file that is most of
 * the run. So the launcher respawns only when the input is large, or of unknown size (stdin).
 *
 * Kept free of imports beyond node:fs (the size estimate is ingest's, node:fs only): the launcher loads it before
 * anything else.
 */
import { estimatedLogBytes } from '../ingest/index.input-size.js';

/** Below this much input (in log bytes) the child's start costs more than the larger heap saves. */
export const RESPAWN_MIN_BYTES = 16 * 1024 * 1024;

export type RespawnDecision = 'child' | 'in-process';

/**
 * `args` are the command-line words after `analyze`. The operands are taken as files: an option's
 * value (`--output jsonl`) that happens to name no file counts for nothing, which is fine for a
 * heuristic that only picks the faster way to run.
 */
export function analyzeRespawn(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  sizeOf?: (path: string) => number | null,
): RespawnDecision {
  if (env.RAMPART_NO_RESPAWN === '1') return 'in-process';
  if (env.RAMPART_RESPAWN === '1') return 'child';
  return estimatedLogBytes(args, RESPAWN_MIN_BYTES, sizeOf) >= RESPAWN_MIN_BYTES ? 'child' : 'in-process';
}
