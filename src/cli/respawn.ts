/**
 * Should `analyze` run in a child Node with a larger young generation (bin/rampart.js)? The flag can
 * only be set when V8 starts, and it buys 25-40% more lines/s on large inputs, but the child is a
 * second Node start (about 50 ms of CPU and 40 MB for the launcher): on a small file that is most of
 * the run. So the launcher respawns only when the input is large, or of unknown size (stdin).
 *
 * Kept free of imports beyond node:fs: the launcher loads it before anything else.
 */
import { statSync } from 'node:fs';

/** Below this much input (in log bytes) the child's start costs more than the larger heap saves. */
export const RESPAWN_MIN_BYTES = 16 * 1024 * 1024;
/** A .gz file's log bytes, estimated from its size (access logs compress about 8 to 15 times). */
const GZIP_RATIO = 8;

export type RespawnDecision = 'child' | 'in-process';

/**
 * `args` are the command-line words after `analyze`. The operands are taken as files: an option's
 * value (`--output jsonl`) that happens to name no file counts for nothing, which is fine for a
 * heuristic that only picks the faster way to run.
 */
export function analyzeRespawn(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  sizeOf: (path: string) => number | null = fileSize,
): RespawnDecision {
  if (env.RAMPART_NO_RESPAWN === '1') return 'in-process';
  if (env.RAMPART_RESPAWN === '1') return 'child';
  let bytes = 0;
  for (const a of args) {
    if (a === '-') return 'child';
    if (a.startsWith('-')) continue;
    const size = sizeOf(a);
    if (size === null) continue;
    bytes += a.endsWith('.gz') ? size * GZIP_RATIO : size;
    if (bytes >= RESPAWN_MIN_BYTES) return 'child';
  }
  return 'in-process';
}

function fileSize(path: string): number | null {
  try {
    const st = statSync(path);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}
