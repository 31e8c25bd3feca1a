/**
 * Loader-side checks that keep rule regexes away from catastrophic backtracking. JavaScript's engine
 * backtracks, so we refuse the shapes that make it exponential:
 * - a group repeated without bound (`*`, `+`, `{n,}`) that itself contains a quantifier: `(a+)+`, `(.*)*`,
 *   `(a|b?)*`;
 * - a group repeated a bounded number of times that contains an unbounded quantifier: `(a+){2,9}`;
 * - backreferences (`\1`, `\k<n>`), which no linear-time engine supports.
 * `(\.\d{1,3}){0,3}` stays allowed: both counts are small and fixed. The polynomial shapes (a quantifier
 * that rescans a run from every start, two that split one run) are quadratic.ts's job.
 */

interface Group {
  anyQuant: boolean;
  unboundedQuant: boolean;
}

interface Quant {
  repeats: boolean;
  unbounded: boolean;
}

export function regexProblem(pattern: string): string | null {
  if (/\\[1-9]/.test(pattern) || /\\k</.test(pattern)) return 'backreferences are not allowed';
  const stack: Group[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      continue;
    }
    if (ch === '(') {
      stack.push({ anyQuant: false, unboundedQuant: false });
      continue;
    }
    if (ch === ')') {
      const inner = stack.pop();
      if (inner === undefined) return 'unbalanced parentheses';
      const after = quantifierAt(pattern, i + 1);
      if (after !== null && after.repeats) {
        if (after.unbounded && inner.anyQuant) return `nested quantifier at offset ${i}: an unbounded repeated group contains a quantifier`;
        if (inner.unboundedQuant) return `nested quantifier at offset ${i}: a repeated group contains an unbounded quantifier`;
      }
      const parent = stack[stack.length - 1];
      if (parent !== undefined) {
        parent.anyQuant ||= inner.anyQuant || after !== null;
        parent.unboundedQuant ||= inner.unboundedQuant || (after?.unbounded ?? false);
      }
      continue;
    }
    const q = quantifierAt(pattern, i);
    const top = stack[stack.length - 1];
    if (q !== null && top !== undefined) {
      top.anyQuant = true;
      top.unboundedQuant ||= q.unbounded;
    }
  }
  if (stack.length > 0) return 'unbalanced parentheses';
  return null;
}

/** Quantifier starting at i, if any. `?` and `{0,1}` cannot repeat; `{n,m}` is bounded. */
function quantifierAt(p: string, i: number): Quant | null {
  const ch = p[i];
  if (ch === '*' || ch === '+') return { repeats: true, unbounded: true };
  if (ch === '?') return p[i - 1] === '(' ? null : { repeats: false, unbounded: false };
  if (ch === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i, i + 16));
    if (m === null) return null;
    const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
    return { repeats: max > 1, unbounded: max === Infinity };
  }
  return null;
}
