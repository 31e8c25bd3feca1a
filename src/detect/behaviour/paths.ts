/**
 * Small, allocation-light readers of request paths and referers. Inputs are hostile: every loop is bounded by
 * MAX_HASHED_CHARS and nothing here builds a regular expression from them.
 */
import { MAX_HASHED_CHARS, mix32 } from './sketch.js';

/** Lower-case extension of the last path segment including the dot ('.php'), or '' when there is none. */
export function pathExtension(path: string): string {
  const dot = extensionStart(path);
  return dot < 0 ? '' : path.slice(dot, Math.min(path.length, MAX_HASHED_CHARS)).toLowerCase();
}

/** Index of the dot that starts the extension pathExtension() returns, or -1 when there is none. */
export function extensionStart(path: string): number {
  const end = Math.min(path.length, MAX_HASHED_CHARS);
  for (let i = end - 1, stop = Math.max(0, end - 12); i >= stop; i--) {
    const c = path.charCodeAt(i);
    if (c === 47 /* / */) return -1;
    if (c === 46 /* . */) return i === end - 1 ? -1 : i;
  }
  return -1;
}

/**
 * The path's last segment is a number (`/product/34395`, `/post/12/`): a record id on one of the site's own routes.
 * A client walking ids gets a 404 for every deleted record; a scanner's wordlist guesses names, not ids.
 */
export function numericLastSegment(path: string): boolean {
  let end = Math.min(path.length, MAX_HASHED_CHARS);
  if (end > 1 && path.charCodeAt(end - 1) === 47 /* / */) end--;
  let i = end - 1;
  while (i >= 0 && path.charCodeAt(i) >= 48 && path.charCodeAt(i) <= 57) i--;
  return i < end - 1 && i >= 0 && path.charCodeAt(i) === 47;
}

/**
 * A set of extensions (with the dot) that answers "is the extension of this path in the set?" without building the
 * lower-cased slice pathExtension() allocates: a hash of the ASCII-lower-cased characters picks the candidate, then
 * the characters are compared. Non-ASCII extensions take the exact slow path (toLowerCase maps e.g. the Kelvin sign
 * to 'k', which ASCII folding would not).
 */
export class ExtensionSet {
  private readonly byHash = new Map<number, string>();
  private readonly exact: Set<string>;

  constructor(extensions: Iterable<string>) {
    this.exact = new Set([...extensions].map((x) => x.toLowerCase()));
    for (const x of this.exact) {
      const h = lowerAsciiHash(x, 0, x.length);
      // Two configured extensions with one hash: keep both reachable through the exact set.
      if (h < 0 || this.byHash.has(h)) this.byHash.set(h, '');
      else this.byHash.set(h, x);
    }
  }

  /** True when pathExtension(path) is in the set. */
  hasExtensionOf(path: string): boolean {
    const dot = extensionStart(path);
    if (dot < 0) return false;
    const end = Math.min(path.length, MAX_HASHED_CHARS);
    const h = lowerAsciiHash(path, dot, end);
    if (h < 0) return this.exact.has(path.slice(dot, end).toLowerCase()); // non-ASCII: exact semantics
    const x = this.byHash.get(h);
    if (x === undefined) return false;
    if (x === '') return this.exact.has(path.slice(dot, end).toLowerCase());
    if (x.length !== end - dot) return false;
    for (let i = 0; i < x.length; i++) {
      let c = path.charCodeAt(dot + i);
      if (c >= 65 && c <= 90) c += 32;
      if (c !== x.charCodeAt(i)) return false;
    }
    return true;
  }
}

/** FNV-1a of s[start, end) with A-Z folded to a-z; -1 when a character is not ASCII. */
function lowerAsciiHash(s: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    let c = s.charCodeAt(i);
    if (c >= 128) return -1;
    if (c >= 65 && c <= 90) c += 32;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Hash of the path's family: segments that contain a digit become one wildcard, so /image/60844/productModel/200x200
 * and /image/61474/productModel/200x200 share a family, as do /api/assets/<uuid>/thumbnail. Never 0.
 */
export function familyHash(path: string): number {
  return familyHashRange(path, 0, Math.min(path.length, MAX_HASHED_CHARS));
}

/** familyHash of s[start, end). */
function familyHashRange(s: string, from: number, n: number): number {
  let h = 0x811c9dc5;
  let start = from;
  while (start < n) {
    let end = start;
    let hasDigit = false;
    while (end < n && s.charCodeAt(end) !== 47) {
      const c = s.charCodeAt(end);
      if (c >= 48 && c <= 57) hasDigit = true;
      end++;
    }
    if (hasDigit) {
      h = Math.imul(h ^ 42 /* * */, 0x01000193);
    } else {
      for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    }
    h = Math.imul(h ^ 47, 0x01000193);
    start = end + 1;
  }
  return mix32(h) || 1;
}

/** Index where the path of a referer URL starts ('https://h/p?q' → index of '/p'), or -1 when it has none. */
export function refererPathStart(referer: string): number {
  const n = Math.min(referer.length, MAX_HASHED_CHARS);
  const scheme = referer.indexOf('://');
  if (scheme < 0 || scheme > 16) return referer.charCodeAt(0) === 47 ? 0 : -1;
  // Native indexOf rather than a charCodeAt loop over the host: several times cheaper on parser-made strings.
  const slash = referer.indexOf('/', scheme + 3);
  return slash < n ? slash : -1;
}

/** Hash of a referer's path (without query or fragment), comparable with hashString(event.path); 0 when absent. */
export function refererPathHash(referer: string): number {
  const start = refererPathStart(referer);
  if (start < 0) return 0;
  let h = 0x811c9dc5;
  const n = refererPathEnd(referer, start);
  for (let i = start; i < n; i++) h = Math.imul(h ^ referer.charCodeAt(i), 0x01000193);
  return mix32(h) || 1;
}

/**
 * familyHash of a referer's path, comparable with familyHash(event.path); 0 when absent. Lets the detector learn the
 * family of the page a sub-resource came from without computing the family of every page it loads.
 */
export function refererFamilyHash(referer: string): number {
  const start = refererPathStart(referer);
  return start < 0 ? 0 : familyHashRange(referer, start, refererPathEnd(referer, start));
}

/** End (exclusive) of the path that starts at `start`: before '?' or '#', at most MAX_HASHED_CHARS long. */
export function refererPathEnd(referer: string, start: number): number {
  let n = Math.min(referer.length, start + MAX_HASHED_CHARS);
  // Native indexOf (see refererPathStart); the referer is bounded by the normaliser, so a miss scans little.
  const q = referer.indexOf('?', start);
  if (q >= 0 && q < n) n = q;
  const h = referer.indexOf('#', start);
  return h >= 0 && h < n ? h : n;
}

/** Matches login endpoints by segment-aligned suffix or by prefix, case-insensitively, ignoring one trailing '/'. */
export class LoginPathMatcher {
  private readonly suffixes: readonly string[];
  private readonly prefixes: readonly string[];

  constructor(suffixes: readonly string[], prefixes: readonly string[]) {
    this.suffixes = suffixes.map(normalise);
    this.prefixes = prefixes.map((p) => p.toLowerCase());
  }

  matches(path: string): boolean {
    if (path.length > MAX_HASHED_CHARS) return false;
    const p = normalise(path);
    for (const s of this.suffixes) if (p.endsWith(s)) return true;
    for (const s of this.prefixes) if (p.startsWith(s)) return true;
    return false;
  }
}

function normalise(path: string): string {
  const lower = path.toLowerCase();
  return lower.length > 1 && lower.endsWith('/') ? lower.slice(0, -1) : lower;
}
