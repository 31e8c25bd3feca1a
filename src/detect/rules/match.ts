/** Running one compiled matcher over one normalised text. Returns the matched fragment or null. */
import type { Rule } from './types.js';

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

export function matchRule(rule: Rule, text: string, stats: { regexRuns: number; regexChars: number }): string | null {
  const m = rule.match;
  switch (m.kind) {
    case 'regex': {
      stats.regexRuns++;
      stats.regexChars += text.length;
      const r = m.re.exec(text);
      return r === null ? null : r[0];
    }
    case 'phrases':
      for (const p of m.phrases) {
        let at = text.indexOf(p);
        while (at !== -1) {
          if (!m.word || (!isWordChar(text.charCodeAt(at - 1)) && !isWordChar(text.charCodeAt(at + p.length)))) return p;
          at = text.indexOf(p, at + 1);
        }
      }
      return null;
    case 'operator':
      for (const v of m.values) {
        const ok =
          m.op === 'equals' || m.op === 'in' || m.op === 'status_in'
            ? text === v
            : m.op === 'prefix'
              ? text.startsWith(v)
              : m.op === 'suffix'
                ? text.endsWith(v)
                : text.includes(v);
        if (ok) return text;
      }
      return null;
  }
}

/**
 * Can `rule` match a text of this length? Only equality operators constrain it; used to skip building
 * a lower-cased copy of a value (a user agent, say) just to compare it with a few short constants.
 */
export function lengthCanMatch(rule: Rule, length: number): boolean {
  const m = rule.match;
  if (m.kind !== 'operator' || (m.op !== 'equals' && m.op !== 'in' && m.op !== 'status_in')) return true;
  for (const v of m.values) if (v.length === length) return true;
  return false;
}
