/**
 * `*` wildcards for rule ids and host names (`sqli-*`, `behaviour/*`, `*.example.com`), case-insensitive.
 * Matched by hand with the two-pointer algorithm (O(pattern x text) at worst, no backtracking blow-up), rather
 * than a RegExp built from config or a path glob library (host names and rule ids are not paths: `*` must
 * cross `/` and `.`).
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  const p = pattern.toLowerCase();
  const t = text.toLowerCase();
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    if (pi < p.length && p[pi] !== '*' && p[pi] === t[ti]) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = ti;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}
