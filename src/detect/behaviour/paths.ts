/**
 * Small, allocation-light readers of request paths and referers. Inputs are hostile: every loop is bounded by
 * MAX_HASHED_CHARS and nothing here builds a regular expression from them.
 */
import { MAX_HASHED_CHARS, mix32 } from './sketch.js';

/** Lower-case extension of the last path segment including the dot ('.php'), or '' when there is none. */
export function pathExtension(path: string): string {
  const end = Math.min(path.length, MAX_HASHED_CHARS);
  for (let i = end - 1, stop = Math.max(0, end - 12); i >= stop; i--) {
    const c = path.charCodeAt(i);
    if (c === 47 /* / */) return '';
    if (c === 46 /* . */) return i === end - 1 ? '' : path.slice(i, end).toLowerCase();
  }
  return '';
}

/**
 * Hash of the path's family: segments that contain a digit become one wildcard, so /image/60844/productModel/200x200
 * and /image/61474/productModel/200x200 share a family, as do /api/assets/<uuid>/thumbnail. Never 0.
 */
export function familyHash(path: string): number {
  let h = 0x811c9dc5;
  const n = Math.min(path.length, MAX_HASHED_CHARS);
  let start = 0;
  while (start < n) {
    let end = start;
    let hasDigit = false;
    while (end < n && path.charCodeAt(end) !== 47) {
      const c = path.charCodeAt(end);
      if (c >= 48 && c <= 57) hasDigit = true;
      end++;
    }
    if (hasDigit) {
      h = Math.imul(h ^ 42 /* * */, 0x01000193);
    } else {
      for (let i = start; i < end; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
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
  for (let i = scheme + 3; i < n; i++) if (referer.charCodeAt(i) === 47) return i;
  return -1;
}

/** Hash of a referer's path (without query or fragment), comparable with hashString(event.path); 0 when absent. */
export function refererPathHash(referer: string): number {
  const start = refererPathStart(referer);
  if (start < 0) return 0;
  let h = 0x811c9dc5;
  const n = Math.min(referer.length, start + MAX_HASHED_CHARS);
  for (let i = start; i < n; i++) {
    const c = referer.charCodeAt(i);
    if (c === 63 /* ? */ || c === 35 /* # */) break;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return mix32(h) || 1;
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
