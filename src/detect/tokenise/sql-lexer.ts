/**
 * A SQL tokeniser for request values, in the manner of libinjection: the value is read as the text an
 * application pastes into a query, starting in one quoting context (bare, or inside a '…', "…" or `…`
 * literal the application opened), and cut into classed tokens. Hand-written, one pass, no regular
 * expressions: every step consumes at least one character and looks ahead only over whitespace and
 * closed comments, so the work is linear in the (capped) input.
 *
 * Token classes (`SqlTokenType`):
 *   s string literal      n bare word / identifier   1 number        v @variable / @@system variable
 *   k keyword             U union/intersect/except   f word followed by `(` (a function call)
 *   & logic (and or xor not && || !)                 = comparison (= <> != < > like in is between …)
 *   o other operator (+ - * / % | & ^ ~ :: := div)   c comment running to the end of the value
 *   ( ) , ;  punctuation                             ? anything else
 */
import { ARITH_WORDS, COMPARE_WORDS, KEYWORDS, LOGIC_WORDS, UNION_WORDS } from './sql-words.js';

export type SqlTokenType = 's' | 'n' | '1' | 'v' | 'k' | 'U' | 'f' | '&' | '=' | 'o' | 'c' | '(' | ')' | ',' | ';' | '?';

/** Where the value starts: bare, or inside a literal opened with this quote. */
export type QuoteContext = 'none' | "'" | '"' | '`';

export interface SqlToken {
  type: SqlTokenType;
  /** Words lower-cased, operators as written, strings' contents; at most MAX_TOKEN_TEXT characters. */
  text: string;
  /** Offset in the value where the token starts. */
  start: number;
  /** For strings: the quote character code; for comments: '-', '#' or '/' as a char code. */
  mark: number;
  /** A string with no closing quote (the application's own quote would close it). */
  open: boolean;
}

export interface SqlTokens {
  tokens: SqlToken[];
  /** A MySQL version comment (slash, star, bang) was unwrapped: its contents are tokenised as SQL. */
  versionComment: boolean;
  /** Closed block comments were skipped as whitespace. */
  inlineComments: number;
}

/** Tokens kept per value and context: the decision reads the head of the query, as libinjection does. */
export const MAX_SQL_TOKENS = 40;
const MAX_TOKEN_TEXT = 64;

const SPACE = new Uint8Array(128);
for (const c of [9, 10, 11, 12, 13, 32, 0]) SPACE[c] = 1;
const OPERATOR_CHARS = '=<>!|&^~+-*/%:';
const OPERATOR = new Uint8Array(128);
for (const ch of OPERATOR_CHARS) OPERATOR[ch.charCodeAt(0)] = 1;
const TWO_CHAR_OPS: ReadonlySet<string> = new Set(['<=', '>=', '<>', '!=', '!<', '!>', '||', '&&', '::', ':=', '<<', '>>']);
const COMPARE_OPS: ReadonlySet<string> = new Set(['=', '<', '>', '<=', '>=', '<>', '!=', '!<', '!>', '<=>']);
const LOGIC_OPS: ReadonlySet<string> = new Set(['&&', '||', '!']);

function isSpace(c: number): boolean {
  return (c < 128 && SPACE[c] === 1) || c === 0xa0;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isWordStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || (c > 127 && c !== 0xa0);
}

function isWordPart(c: number): boolean {
  return isWordStart(c) || isDigit(c) || c === 46;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function isAlnum(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** Whether the literal stringEnd last read was closed (a module variable: no object per literal). */
let lastClosed = false;

/**
 * Index after the literal that starts at `from` (just after its opening quote `q`); `lastClosed` says
 * whether it closed. A doubled quote and a backslash escape stay inside, as in MySQL.
 */
function stringEnd(s: string, from: number, q: number): number {
  let i = from;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 92 && q !== 96) {
      i += 2;
      continue;
    }
    if (c === q) {
      if (i + 1 < n && s.charCodeAt(i + 1) === q) {
        i += 2;
        continue;
      }
      lastClosed = true;
      return i + 1;
    }
    i++;
  }
  lastClosed = false;
  return n;
}

/** `--` starts a comment when what follows cannot continue a word (`--INFANT` is two minuses and a word). */
function dashComment(s: string, i: number): boolean {
  if (s.charCodeAt(i + 1) !== 45) return false;
  return i + 2 >= s.length || !isAlnum(s.charCodeAt(i + 2));
}

export function tokeniseSql(s: string, ctx: QuoteContext, max = MAX_SQL_TOKENS): SqlTokens {
  const tokens: SqlToken[] = [];
  const out: SqlTokens = { tokens, versionComment: false, inlineComments: 0 };
  const n = s.length;
  let i = 0;
  const push = (type: SqlTokenType, text: string, start: number, mark = 0, open = false) => {
    tokens.push({ type, text: text.length > MAX_TOKEN_TEXT ? text.slice(0, MAX_TOKEN_TEXT) : text, start, mark, open });
  };
  if (ctx !== 'none') {
    // The application opened the literal: the value's first matching quote closes it.
    const q = ctx.charCodeAt(0);
    const end = stringEnd(s, 0, q);
    const closed = lastClosed;
    push(q === 96 ? 'n' : 's', s.slice(0, closed ? end - 1 : end), 0, q, !closed);
    i = end;
  }
  // Index after whitespace and closed comments from `j` (for "is a `(` next?"); does not consume.
  const skipBlank = (j: number): number => {
    while (j < n) {
      const c = s.charCodeAt(j);
      if (isSpace(c)) j++;
      else if (c === 47 && s.charCodeAt(j + 1) === 42 && s.charCodeAt(j + 2) !== 33) {
        const close = s.indexOf('*/', j + 2);
        if (close === -1) return j;
        j = close + 2;
      } else return j;
    }
    return j;
  };
  while (i < n && tokens.length < max) {
    const c = s.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === 39 || c === 34) {
      const end = stringEnd(s, i + 1, c);
      const closed = lastClosed;
      push('s', s.slice(i + 1, closed ? end - 1 : end), start, c, !closed);
      i = end;
    } else if (c === 96) {
      const end = stringEnd(s, i + 1, c);
      const closed = lastClosed;
      push('n', s.slice(i + 1, closed ? end - 1 : end).toLowerCase(), start, c, !closed);
      i = end;
    } else if (c === 35) {
      push('c', s.slice(i), start, 35);
      i = n;
    } else if (c === 45 && dashComment(s, i)) {
      push('c', s.slice(i), start, 45);
      i = n;
    } else if (c === 47 && s.charCodeAt(i + 1) === 42) {
      if (s.charCodeAt(i + 2) === 33) {
        // MySQL runs the inside of `/*!50000 … */` as SQL: unwrap it (its `*/` is skipped below).
        out.versionComment = true;
        i += 3;
        while (i < n && isDigit(s.charCodeAt(i))) i++;
        continue;
      }
      const close = s.indexOf('*/', i + 2);
      if (close === -1) {
        push('c', s.slice(i), start, 47);
        i = n;
      } else {
        out.inlineComments++;
        i = close + 2;
      }
    } else if (c === 42 && s.charCodeAt(i + 1) === 47 && out.versionComment) {
      i += 2;
    } else if (isDigit(c) || (c === 46 && isDigit(s.charCodeAt(i + 1)))) {
      i = numberEnd(s, i);
      push('1', s.slice(start, i), start);
    } else if (isWordStart(c)) {
      i++;
      while (i < n && isWordPart(s.charCodeAt(i))) i++;
      const word = s.slice(start, i).toLowerCase();
      push(wordType(word, s.charCodeAt(skipBlank(i)) === 40), word, start);
    } else if (c === 64) {
      i++;
      if (s.charCodeAt(i) === 64) i++;
      while (i < n && isWordPart(s.charCodeAt(i))) i++;
      push(i - start > (s.charCodeAt(start + 1) === 64 ? 2 : 1) ? 'v' : '?', s.slice(start, i).toLowerCase(), start);
    } else if (c < 128 && OPERATOR[c] === 1) {
      let op = s.slice(i, i + 3);
      if (op !== '<=>') {
        op = s.slice(i, i + 2);
        if (!TWO_CHAR_OPS.has(op)) op = s[i]!;
      }
      i += op.length;
      push(COMPARE_OPS.has(op) ? '=' : LOGIC_OPS.has(op) ? '&' : 'o', op, start);
    } else if (c === 40 || c === 41 || c === 44 || c === 59) {
      i++;
      push(s[start] as SqlTokenType, s[start]!, start);
    } else {
      i++;
      push('?', s[start]!, start);
    }
  }
  return out;
}

function wordType(word: string, callFollows: boolean): SqlTokenType {
  if (LOGIC_WORDS.has(word)) return '&';
  if (COMPARE_WORDS.has(word)) return '=';
  if (ARITH_WORDS.has(word)) return 'o';
  if (UNION_WORDS.has(word)) return 'U';
  if (KEYWORDS.has(word)) return 'k';
  return callFollows ? 'f' : 'n';
}

/** End of a number at `i`: 0x…, 0b…, digits with a fraction and an exponent. */
function numberEnd(s: string, i: number): number {
  const n = s.length;
  if (s.charCodeAt(i) === 48 && (s.charCodeAt(i + 1) | 32) === 120 && isHex(s.charCodeAt(i + 2))) {
    i += 2;
    while (i < n && isHex(s.charCodeAt(i))) i++;
    return i;
  }
  if (s.charCodeAt(i) === 48 && (s.charCodeAt(i + 1) | 32) === 98 && (s.charCodeAt(i + 2) === 48 || s.charCodeAt(i + 2) === 49)) {
    i += 2;
    while (i < n && (s.charCodeAt(i) === 48 || s.charCodeAt(i) === 49)) i++;
    return i;
  }
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  if (s.charCodeAt(i) === 46) {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
  }
  if ((s.charCodeAt(i) | 32) === 101) {
    let j = i + 1;
    if (s.charCodeAt(j) === 43 || s.charCodeAt(j) === 45) j++;
    if (isDigit(s.charCodeAt(j))) {
      i = j;
      while (i < n && isDigit(s.charCodeAt(i))) i++;
    }
  }
  return i;
}

/** The libinjection-style fingerprint: the classes of the first `count` tokens (for explain and tests). */
export function fingerprint(tokens: readonly SqlToken[], count = 8): string {
  let out = '';
  for (let k = 0; k < tokens.length && k < count; k++) out += tokens[k]!.type;
  return out;
}
