/**
 * The path an allowlist compares against. Allowlists are matched on a canonical path so that an
 * attacker cannot ride an allowed prefix with traversal (`/remote.php/dav/../../etc/passwd`) or
 * encoding (`/remote.php/dav/%2e%2e/`), and so that an encoded spelling of an allowed path still matches.
 */

const MAX_DECODE_ROUNDS = 3;
const MAX_PATH = 8192;

function decodeOnce(s: string): string {
  if (s.indexOf('%') < 0) return s;
  // Byte-wise decoding that never throws on malformed sequences: invalid escapes stay as they are.
  return s.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Decode (bounded rounds), unify separators, drop `.` and empty segments, resolve `..` (never above root). */
export function canonicalPath(raw: string): string {
  let s = raw.length > MAX_PATH ? raw.slice(0, MAX_PATH) : raw;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
    const d = decodeOnce(s);
    if (d === s) break;
    s = d;
  }
  const out: string[] = [];
  for (const seg of s.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  const trailing = s.endsWith('/') && out.length > 0 ? '/' : '';
  return '/' + out.join('/') + trailing;
}

/**
 * Segment-aligned prefix test: `/remote.php/dav` covers `/remote.php/dav` and `/remote.php/dav/x`, not
 * `/remote.php/davx`. A prefix ending in '/' covers everything under it.
 */
export function underPrefix(path: string, prefix: string): boolean {
  if (prefix === '/' ) return true;
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || prefix.endsWith('/') || path.charCodeAt(prefix.length) === 47;
}
