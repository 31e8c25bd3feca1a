/**
 * File identity beyond the inode: a hash of the file's first line, so a rewritten or copytruncated file
 * is not mistaken for the one a checkpoint belongs to. Only the first HEAD_BYTES bytes of the first line
 * count, so the hash is final as soon as the first line is complete or HEAD_BYTES long; until then it
 * is provisional and may only grow (a file that is appended to keeps its identity).
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { eventId } from '../event-id.js';

export const HEAD_BYTES = 256;

export interface Head {
  hash: string;
  /** The hashed bytes: the first line, or its first HEAD_BYTES bytes. */
  bytes: Buffer;
  /** False while the first line is shorter than HEAD_BYTES and has no newline yet. */
  final: boolean;
}

export async function readHead(fh: FileHandle): Promise<Head> {
  const buf = Buffer.alloc(HEAD_BYTES);
  const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
  return headOf(buf.subarray(0, bytesRead));
}

/** The head of content that starts with `start` (at least its first HEAD_BYTES bytes when it has them). */
export function headOf(start: Buffer): Head {
  const buf = start.subarray(0, HEAD_BYTES);
  const nl = buf.indexOf(0x0a);
  const bytes = buf.subarray(0, nl === -1 ? buf.length : nl);
  return { hash: hashHead(bytes), bytes, final: nl !== -1 || buf.length === HEAD_BYTES };
}

export function hashHead(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

/** True when `now` is the same file content as `before`, possibly grown. */
export function sameHead(before: Head, now: Head): boolean {
  if (before.final) return now.final && now.hash === before.hash;
  return (
    now.bytes.length >= before.bytes.length && now.bytes.subarray(0, before.bytes.length).equals(before.bytes)
  );
}

export function fileIdOf(st: BigIntStats): string {
  return `${st.dev}:${st.ino}`;
}

/**
 * Key prefix of a file's lines: a hash of the followed path (stable across rotation) and the head hash,
 * so two files whose first lines are identical never share event ids, and a rotated copy (renamed,
 * copied or gzip-compressed) keys its lines exactly as the original did: a re-read deduplicates.
 */
export function lineKeyPrefix(source: string, headHash: string): string {
  return eventId(`${source}|${headHash}`) + ':';
}
