/**
 * Finds where a log's unread lines went after a rotation: the file a position belongs to (renamed to
 * `access.log.1`, compressed to `access.log.2.gz`, copied by copytruncate to `access.log-20240102`, or
 * anywhere a configured rotation glob matches), and every rotated file newer than it, oldest first, so
 * the lines between the position and the live file are read in order.
 *
 * Identity: the inode and first-line hash for a plain file; the first-line hash alone for a copy or a
 * compressed file (a copy has its own inode). Candidates are bounded, and only their first bytes are read.
 * A rotation compressed in a format that cannot be read (`.xz`, `.bz2`, `.zst`) has no first line to
 * compare: it is placed by its name alone, and reported, never read.
 */
import { lstat, open, readdir, realpath, stat, type FileHandle } from 'node:fs/promises';
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
  /** Compressed in a format that cannot be read (its suffix): known by name and age only, its head is empty. */
  unreadable?: string;
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
  /**
   * Rotations that cannot be read: those newer than `found`, or every one when `found` is null (one of
   * them may hold the position). Oldest first. A name whose plain file is still there (compression in
   * progress) is left out: the plain file is read.
   */
  unreadable: RotatedFile[];
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
  const listed = (await listRotated(search)).sort((a, b) => compareAge(b, a));
  const candidates = listed.filter((c) => c.unreadable === undefined);
  const holds = (c: RotatedFile) =>
    c.head.hash === position.headHash && (c.compressed || c.size >= position.offset);
  const found =
    candidates.find((c) => !c.compressed && c.fileId === position.fileId && holds(c)) ??
    candidates.find((c) => !c.compressed && !c.inodeOnly && holds(c)) ??
    candidates.find((c) => c.compressed && holds(c)) ??
    null;
  const readable = new Set(candidates.map((c) => c.path));
  const unreadable = listed
    .filter(
      (c) =>
        c.unreadable !== undefined &&
        !readable.has(c.path.slice(0, -(c.unreadable.length + 1))) &&
        (!found || compareAge(found, c) < 0),
    )
    .reverse();
  if (!found) return { found, newer: [], unreadable };
  if (found.inodeOnly) return { found, newer: [], unreadable: [] };
  // One file per content: while logrotate compresses, `x.2` and `x.2.gz` both exist; prefer the plain one.
  const byHead = new Map<string, RotatedFile>();
  for (const c of candidates) {
    if (c.inodeOnly || c.head.hash === found.head.hash) continue;
    const seen = byHead.get(c.head.hash);
    if (!seen || (seen.compressed && !c.compressed)) byHead.set(c.head.hash, c);
  }
  const newer = [...byHead.values()].filter((c) => compareAge(found, c) < 0).sort(compareAge);
  return { found, newer, unreadable };
}

/** Every file that may be a rotation of `search.path`, with its identity. */
export async function listRotated(search: ChainSearch): Promise<RotatedFile[]> {
  const named = new Map<string, { compressed: boolean; unreadable?: string; key: RotationKey }>();
  const add = (dir: string, base: string, names: string[], byGlob: boolean) => {
    for (const name of names) {
      if (named.size >= MAX_CANDIDATES) return;
      const r = rotationName(base, name, byGlob);
      if (r) named.set(join(dir, name), r);
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
    const f = n.unreadable
      ? await identifyUnreadable(path, n.unreadable, n.key)
      : await identify(path, n.compressed, n.key);
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

/** A rotation that cannot be decompressed: its inode, size and age, no content. */
async function identifyUnreadable(
  path: string,
  unreadable: string,
  key: RotationKey,
): Promise<RotatedFile | null> {
  const st = await stat(path, { bigint: true }).catch(() => null);
  if (!st?.isFile()) return null;
  const head = { hash: '', bytes: Buffer.alloc(0), final: true };
  return {
    path,
    fileId: fileIdOf(st),
    compressed: true,
    unreadable,
    size: Number(st.size),
    mtimeMs: Number(st.mtimeMs),
    key,
    head,
  };
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
