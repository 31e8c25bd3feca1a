/**
 * How much log a list of inputs holds, estimated from the sizes on disk before anything is read: what decides
 * whether `analyze` runs in a child with a larger heap (src/cli/respawn.ts) and whether it parses on a second
 * thread (src/runtime/parse-thread.ts). Only node:fs, so the launcher can load it before anything else.
 */
import { statSync } from 'node:fs';

/** A .gz file's log bytes per byte on disk (access logs compress about 8 to 15 times). */
export const GZIP_RATIO = 8;

/**
 * Estimated log bytes of `words` (file paths; `-` is stdin), counted until `enough` is reached. Stdin counts as
 * Infinity: its size is unknown and a pipe is usually a large log. A word that starts with `-` (an option, when the
 * words are a command line) or names no file counts for nothing.
 */
export function estimatedLogBytes(words: readonly string[], enough = Infinity, sizeOf: (path: string) => number | null = fileSize): number {
  let bytes = 0;
  for (const w of words) {
    if (w === '-') return Infinity;
    if (w.startsWith('-')) continue;
    const size = sizeOf(w);
    if (size === null) continue;
    bytes += w.endsWith('.gz') ? size * GZIP_RATIO : size;
    if (bytes >= enough) return bytes;
  }
  return bytes;
}

/** The size of a regular file, or null (missing, a directory, unreadable). */
export function fileSize(path: string): number | null {
  try {
    const st = statSync(path);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}
