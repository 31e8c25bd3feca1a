/**
 * The text of an nginx `log_format`: split into literals and `$variable` / `${variable}` tokens. Users
 * paste either the format string or the whole directive, with nginx's quoting and line breaks.
 */

export type FormatToken = { kind: 'literal'; text: string } | { kind: 'variable'; name: string };

/** Longest format accepted; real ones are a few hundred characters. */
export const MAX_FORMAT = 4096;

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/** Concatenated contents of nginx-quoted strings (`'...'` or `"..."`), as in a multi-line directive. */
function joinQuoted(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== c) {
        if (s[j] === '\\' && (s[j + 1] === c || s[j + 1] === '\\')) j++;
        out += s[j];
        j++;
      }
      if (j >= s.length) throw new Error(`log_format: unterminated ${c} string`);
      i = j + 1;
    } else if (c === ';' || /\s/.test(c)) {
      i++;
    } else {
      throw new Error(`log_format: unexpected "${s.slice(i, i + 20)}" between quoted parts`);
    }
  }
  return out;
}

/**
 * The format string from what the user pasted: `log_format main [escape=..] '...' '...';`, a sequence of
 * quoted parts, or a bare format string.
 */
export function extractFormatString(text: string): string {
  if (text.length > MAX_FORMAT)
    throw new Error(`log_format is ${text.length} characters; at most ${MAX_FORMAT} are accepted`);
  let s = text.trim();
  if (s.startsWith('log_format')) {
    const words = s.slice('log_format'.length).trimStart();
    const firstQuote = words.search(/['"]/);
    if (firstQuote < 0) throw new Error('log_format directive has no quoted format string');
    s = words.slice(firstQuote);
    return joinQuoted(s.trim());
  }
  if (s.startsWith("'")) return joinQuoted(s);
  return s;
}

/** Splits a format string into tokens; adjacent literals are merged. Throws naming what is wrong. */
export function tokenizeLogFormat(format: string): FormatToken[] {
  if (format.length === 0) throw new Error('log_format is empty');
  if (format.length > MAX_FORMAT)
    throw new Error(`log_format is ${format.length} characters; at most ${MAX_FORMAT} are accepted`);
  const tokens: FormatToken[] = [];
  let literal = '';
  let i = 0;
  while (i < format.length) {
    const c = format.charCodeAt(i);
    if (c !== 36 /* $ */) {
      literal += format[i];
      i++;
      continue;
    }
    let name: string;
    let next: number;
    if (format.charCodeAt(i + 1) === 123 /* { */) {
      const close = format.indexOf('}', i + 2);
      if (close < 0) throw new Error(`log_format: "\${" at column ${i + 1} has no closing "}"`);
      name = format.slice(i + 2, close);
      next = close + 1;
      for (let k = 0; k < name.length; k++) {
        if (!isNameChar(name.charCodeAt(k)))
          throw new Error(`log_format: invalid variable name "\${${name.slice(0, 40)}}"`);
      }
    } else {
      let j = i + 1;
      while (j < format.length && isNameChar(format.charCodeAt(j))) j++;
      name = format.slice(i + 1, j);
      next = j;
    }
    if (name.length === 0) {
      literal += '$';
      i++;
      continue;
    }
    if (literal !== '') tokens.push({ kind: 'literal', text: literal });
    literal = '';
    tokens.push({ kind: 'variable', name });
    i = next;
  }
  if (literal !== '') tokens.push({ kind: 'literal', text: literal });
  return tokens;
}
