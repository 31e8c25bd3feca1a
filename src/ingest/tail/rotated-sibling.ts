/**
 * After a restart, the file a checkpoint belongs to may have been rotated while we were down. It is then
 * usually beside the path under a derived name (`access.log.1`, `access.log-20240101`): find the one with
 * the checkpoint's file id and first line, so its remainder is read before the new file.
 */
import { open, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Checkpoint } from '../types.js';
import { fileIdOf, readHead } from './head.js';

/** Compressed rotations cannot be resumed at a byte offset of the plain file. */
const COMPRESSED = /\.(gz|bz2|xz|zst|zip|lz4|br|z)$/i;

export async function findRotatedSibling(path: string, checkpoint: Checkpoint): Promise<string | null> {
  const dir = dirname(path);
  const name = basename(path);
  const entries = await readdir(dir).catch(() => [] as string[]);
  for (const entry of entries) {
    if (entry === name || !entry.startsWith(name) || COMPRESSED.test(entry)) continue;
    const candidate = join(dir, entry);
    const fh = await open(candidate, 'r').catch(() => null);
    if (!fh) continue;
    try {
      const st = await fh.stat({ bigint: true });
      if (!st.isFile() || fileIdOf(st) !== checkpoint.fileId || Number(st.size) < checkpoint.offset) continue;
      if ((await readHead(fh)).hash === checkpoint.headHash) return candidate;
    } finally {
      await fh.close();
    }
  }
  return null;
}
