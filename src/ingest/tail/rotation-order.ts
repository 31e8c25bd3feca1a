/**
 * Which rotated names belong to a log, and their age order, from the names alone: the rotation scheme
 * says it (logrotate numbers `.1` newest, `.2` older; `dateext` stamps `-20240102` sort by time).
 * Pure: the I/O is in rotation-chain.ts.
 */

/** The one compression read back (Node's zlib, no native addon). */
export const GZIP_SUFFIX = /\.gz$/i;
/**
 * Compressions that cannot be read back (bzip2, xz, zstd and the rest have no decoder in Node 20's zlib;
 * brotli has one, but no logrotate setup writes `.br`). Such a rotation is still recognised by its name,
 * so that lines it holds are reported lost, naming the file, rather than silently skipped.
 */
const UNREADABLE_COMPRESSION = /\.(bz2|xz|zst|zip|lz4|br|z|lzma|lzo)$/i;
/** `.1`, `-2`, `_3`: logrotate's numbered rotations. */
const INDEX = /^[._-](\d{1,6})$/;
/** A separator, then something with a digit in it: `-20240102`, `.2024-01-02`, `-2024010213.1`. */
const STAMPED = /^[._-][\w.:-]{0,64}$/;

export type RotationKey =
  | { kind: 'index'; n: number }
  | { kind: 'stamp'; digits: string }
  /** Named by a configured rotation glob only: ordered by modification time. */
  | { kind: 'other' };

export interface NamedRotation {
  name: string;
  /** Gzip: read through zlib. */
  compressed: boolean;
  /** Compressed in a format that cannot be read: its suffix (`xz`), lower case. */
  unreadable?: string;
  key: RotationKey;
}

/**
 * How `name` (a directory entry) is a rotation of the log named `base`, or null when it is not one by
 * name. `byGlob` says a configured rotation glob matched it: then any name qualifies, ordered by mtime
 * unless its suffix carries a number.
 */
export function rotationName(base: string, name: string, byGlob = false): NamedRotation | null {
  if (name === base) return null;
  const other = UNREADABLE_COMPRESSION.exec(name);
  const compressed = !other && GZIP_SUFFIX.test(name);
  const plain = other ? name.slice(0, other.index) : compressed ? name.slice(0, -3) : name;
  const named = (key: RotationKey): NamedRotation =>
    other
      ? { name, compressed, unreadable: (other[1] as string).toLowerCase(), key }
      : { name, compressed, key };
  if (plain === base) return named({ kind: 'index', n: 0 }); // `access.log.gz`
  if (plain.startsWith(base)) {
    const suffix = plain.slice(base.length);
    const index = INDEX.exec(suffix);
    if (index) return named({ kind: 'index', n: Number(index[1]) });
    const digits = suffix.replace(/\D/g, '');
    if (STAMPED.test(suffix) && digits.length >= 6) return named({ kind: 'stamp', digits });
  }
  if (!byGlob) return null;
  const digits = plain.replace(/\D/g, '');
  return named(digits.length >= 6 ? { kind: 'stamp', digits } : { kind: 'other' });
}

/**
 * Negative when `a` is older than `b`. Numbered rotations: higher is older. Stamps: lower is older
 * (compared as numbers of equal width). Otherwise, or across schemes: modification time.
 */
export function compareAge(
  a: { key: RotationKey; mtimeMs: number },
  b: { key: RotationKey; mtimeMs: number },
): number {
  if (a.key.kind === 'index' && b.key.kind === 'index' && a.key.n !== b.key.n) return b.key.n - a.key.n;
  if (a.key.kind === 'stamp' && b.key.kind === 'stamp' && a.key.digits !== b.key.digits) {
    const width = Math.max(a.key.digits.length, b.key.digits.length);
    return a.key.digits.padEnd(width, '0') < b.key.digits.padEnd(width, '0') ? -1 : 1;
  }
  return a.mtimeMs - b.mtimeMs;
}
