/**
 * Finds where a log's unread lines went after a rotation: the file a position belongs to (renamed to
 * `access.log.1`, compressed to `access.log.2.gz`, copied by copytruncate to `access.log-20240102`, or
 * anywhere a configured rotation glob matches), and every rotated file newer than it, oldest first, so
 * the lines between the position and the live file are read in order.
 *
 * Identity: the inode and first-line hash for a plain file; the first-line hash alone for a copy or a
 * compressed file (a copy has its own inode). Candidates are bounded, and only their first bytes are read.
 */
import { lstat, open, readdir, realpath, type FileHandle } from 'node:fs/promises';
import { constants, gunzipSync } from 'node:zlib';
import { basename, dirname, join } from 'node:path';
import { compilePatterns, expand } from './discovery.js';
import { fileIdOf, headOf, readHead, type Head } from './head.js';
import { GZIP_SUFFIX, compareAge, rotationName, type RotationKey } from './rotation-order.js';

/** Rotated files looked at per search; a directory with more matching names is cut at this many. */
const MAX_CANDIDATES = 256;
/** Compressed bytes read to get a gzip file's first line (inflates to far more than HEAD_BYTES). */
const GZIP_HEAD_INPUT = 4096;

export interface RotatedFile {
  path: string;
  fileId: string;
  compressed: boolean;
  /** Plain: the size. Compressed: the uncompressed size from the gzip trailer (mod 2^32), a hint only. */
  size: number;
  mtimeMs: number;
  head: Head;
  key: RotationKey;
  /**
   * Found only by scanning a symlinked log's target directory: it may be the file a position belongs to
   * (same inode and first line), but it is no evidence of a rotation, so it never counts as newer.
   */
  inodeOnly?: boolean;
}

/** A position in a log: the file it belongs to and how far it was read. */
export interface Position {
  fileId: string;
  headHash: string;
  offset: number;
}

export interface Chain {
  /** The file holding `position`, or null when it is nowhere to be found. */
  found: RotatedFile | null;
  /** Rotated files newer than `found`, oldest first (empty when `found` is null). */
  newer: RotatedFile[];
}

export interface ChainSearch {
  /** The followed path (the live file's name). */
  path: string;
  /** Configured rotation globs (`ingest.rotation.glob`), for schemes that rename away from the path. */
  globs?: readonly string[];
  /** The live file's id: never a candidate (after copytruncate it has the position's inode). */
  liveFileId?: string | null;
}

export async function findChain(search: ChainSearch, position: Position): Promise<Chain> {
  // Newest first: when several files share a first line (a log that starts with a fixed header), the
  // copy just made is the newest of them.
  const candidates = (await listRotated(search)).sort((a, b) => compareAge(b, a));
  const holds = (c: RotatedFile) =>
    c.head.hash === position.headHash && (c.compressed || c.size >= position.offset);
  const found =
    candidates.find((c) => !c.compressed && c.fileId === position.fileId && holds(c)) ??
    candidates.find((c) => !c.compressed && !c.inodeOnly && holds(c)) ??
    candidates.find((c) => c.compressed && holds(c)) ??
    null;
  if (!found || found.inodeOnly) return { found, newer: [] };
  // One file per content: while logrotate compresses, `x.2` and `x.2.gz` both exist; prefer the plain one.
  const byHead = new Map<string, RotatedFile>();
  for (const c of candidates) {
    if (c.inodeOnly || c.head.hash === found.head.hash) continue;
    const seen = byHead.get(c.head.hash);
    if (!seen || (seen.compressed && !c.compressed)) byHead.set(c.head.hash, c);
  }
  const newer = [...byHead.values()].filter((c) => compareAge(found, c) < 0).sort(compareAge);
  return { found, newer };
}

/** Every file that may be a rotation of `search.path`, with its identity. */
export async function listRotated(search: ChainSearch): Promise<RotatedFile[]> {
  const named = new Map<string, { compressed: boolean; key: RotationKey }>();
  const add = (dir: string, base: string, names: string[], byGlob: boolean) => {
    for (const name of names) {
      if (named.size >= MAX_CANDIDATES) return;
      const r = rotationName(base, name, byGlob);
      if (r) named.set(join(dir, name), { compressed: r.compressed, key: r.key });
    }
  };
  const bases = [search.path];
  // A symlinked log (current.log -> access.log) rotates under its target's name.
  const real = await realpath(search.path).catch(() => null);
  if (real && real !== search.path) bases.push(real);
  for (const p of bases) add(dirname(p), basename(p), await readdir(dirname(p)).catch(() => []), false);
  if (search.globs && search.globs.length > 0) {
    // A glob may cover the rotations of several logs: only names containing this log's stem count.
    const stem = basename(search.path).replace(/\.[^.]*$/, '');
    const { paths } = await expand(compilePatterns(search.globs));
    for (const p of paths)
      if (basename(p).includes(stem)) add(dirname(p), basename(search.path), [basename(p)], true);
  }
  const live = new Set([search.path, ...bases]);
  const out: RotatedFile[] = [];
  for (const [path, n] of named) {
    if (live.has(path)) continue;
    const f = await identify(path, n.compressed, n.key);
    if (f && f.fileId !== search.liveFileId) out.push(f);
  }
  // A symlink repointed while we were stopped leaves the old target where it was, under any name.
  if ((await lstat(search.path).catch(() => null))?.isSymbolicLink() && real) {
    const dir = dirname(real);
    for (const name of (await readdir(dir).catch(() => [])).slice(0, MAX_CANDIDATES)) {
      const path = join(dir, name);
      if (live.has(path) || named.has(path) || GZIP_SUFFIX.test(name)) continue;
      const f = await identify(path, false, { kind: 'other' });
      if (f && f.fileId !== search.liveFileId) out.push({ ...f, inodeOnly: true });
    }
  }
  return out;
}

async function identify(path: string, compressed: boolean, key: RotationKey): Promise<RotatedFile | null> {
  const fh = await open(path, 'r').catch(() => null);
  if (!fh) return null;
  try {
    const st = await fh.stat({ bigint: true });
    if (!st.isFile()) return null;
    const size = Number(st.size);
    const base = { path, fileId: fileIdOf(st), compressed, mtimeMs: Number(st.mtimeMs), key };
    if (!compressed) return { ...base, size, head: await readHead(fh) };
    const gz = await gzipStart(fh, size);
    return gz ? { ...base, ...gz } : null;
  } finally {
    await fh.close();
  }
}

/** The first line of a gzip file and its uncompressed size hint; null when it is not gzip. */
async function gzipStart(fh: FileHandle, size: number): Promise<{ head: Head; size: number } | null> {
  const input = Buffer.alloc(Math.min(size, GZIP_HEAD_INPUT));
  const { bytesRead } = await fh.read(input, 0, input.length, 0);
  if (bytesRead < 18 || input[0] !== 0x1f || input[1] !== 0x8b) return null;
  let start: Buffer;
  try {
    // Sync flush: inflate what the first bytes hold, without needing the end of the stream.
    start = gunzipSync(input.subarray(0, bytesRead), { finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    return null;
  }
  const trailer = Buffer.alloc(4);
  await fh.read(trailer, 0, 4, size - 4);
  return { head: headOf(start), size: trailer.readUInt32LE(0) };
}
