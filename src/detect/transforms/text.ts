/**
 * Text-shape transforms: case, NUL bytes, whitespace, SQL comments, shell quoting, plus-as-space,
 * quote look-alikes, literal backslash escapes.
 */
import { hexVal } from './decode.js';

/**
 * A charCode scan instead of a regex: most values are already lower-case ASCII and come back as they
 * are (no copy). Any character from U+00C0 up may have a lower-case form, so those go to toLowerCase.
 */
export function lowercase(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c >= 0xc0) return s.toLowerCase();
  }
  return s;
}

/**
 * NUL deleted: what C-string handling does to `<scr\0ipt>` or `passwd\0.jpg` (the part a check reads
 * and the part a browser or file API uses). Right for markup and paths; see nullSpace for languages.
 */
export function nullByte(s: string): string {
  return s.indexOf('\0') === -1 ? s : s.replace(/\0/g, '');
}

/**
 * NUL as a space. A separate transform, not a change to nullByte: in a SQL or shell command a NUL
 * between tokens is used as a separator (`1\0UNION\0SELECT`, which some parsers read as whitespace),
 * and deleting it would glue the tokens into `1unionselect`, which no rule (and no parser) reads as
 * SQL. Inside markup and paths deleting is what the target does, so those packs keep nullByte.
 */
export function nullSpace(s: string): string {
  return s.indexOf('\0') === -1 ? s : s.replace(/\0/g, ' ');
}

/**
 * Any run of whitespace (incl. vertical tab, form feed, NBSP) becomes one space, or one `\n` when it
 * holds a line break: a newline separates shell commands, so it must survive.
 */
const NEEDS_COMPRESS = /[\t\n\r\v\f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]| {2}/;

export function compressWhitespace(s: string): string {
  if (!NEEDS_COMPRESS.test(s)) return s;
  return s.replace(/[\s\u00a0]+/g, (run) => (run.indexOf('\n') !== -1 || run.indexOf('\r') !== -1 ? '\n' : ' '));
}

/** Query-string semantics: `+` is a space. Must run before urlDecode so `%2b` stays a plus. */
export function plusSpace(s: string): string {
  return s.indexOf('+') === -1 ? s : s.replace(/\+/g, ' ');
}

/**
 * SQL comments: `/*!50000 x*\/` keeps its content (MySQL executes it), other block comments become a
 * space (they separate tokens: `union/**\/select`), `-- ` and `#` comment out the rest of the line.
 */
export function sqlComments(s: string): string {
  if (s.indexOf('/*') === -1 && s.indexOf('--') === -1 && s.indexOf('#') === -1) return s;
  let out = versionedComments(s);
  out = blockComments(out);
  out = out.replace(/--(?:[\s+]|$)[^\n]*/g, ' ');
  out = out.replace(/#[^\n]*/g, ' ');
  return out;
}

/**
 * `/*!50000 x*\/` becomes ` x `: MySQL runs the content. A loop, not a regex: the regex form rescans
 * the rest of the text from every unclosed `/*!`, which is quadratic on `/*!/*!/*!…`. Without a `*\/`
 * after a `/*!` no later one can close either, so the scan stops there.
 */
function versionedComments(s: string): string {
  let at = s.indexOf('/*!');
  if (at === -1) return s;
  let out = '';
  let copied = 0;
  while (at !== -1) {
    let body = at + 3;
    for (let d = 0; d < 6 && s.charCodeAt(body) >= 48 && s.charCodeAt(body) <= 57; d++) body++;
    const end = s.indexOf('*/', body);
    if (end === -1) break;
    out += `${s.slice(copied, at)} ${s.slice(body, end)} `;
    copied = end + 2;
    at = s.indexOf('/*!', copied);
  }
  return copied === 0 ? s : out + s.slice(copied);
}

/**
 * Block comments become a space; an unclosed `/*` cuts off the rest of the value. But a `/*` between
 * two of the same quote, with the closing quote before the comment would end (`142 and '/*' union(
 * select ...`), is text inside a string literal, not a comment: cutting there would hide the injection
 * after it, so it stays. Closed comments elsewhere between quotes (`x'/**\/or/**\/'1'='1`) still go.
 * Linear: the next-quote positions only move forward.
 */
function blockComments(s: string): string {
  let at = s.indexOf('/*');
  if (at === -1) return s;
  let out = '';
  let copied = 0;
  const sq0 = s.indexOf("'");
  const dq0 = s.indexOf('"');
  let sqNext = -2; // next ' at or after the current comment's body (-2: not looked up yet, -1: none)
  let dqNext = -2;
  let closable = true; // false once a `/*` had no `*/` after it: no later one can have one either
  while (at !== -1) {
    const end = closable ? s.indexOf('*/', at + 2) : -1;
    if (end === -1) closable = false;
    const stop = end === -1 ? s.length : end;
    if (sq0 !== -1 && sq0 < at && sqNext !== -1 && sqNext < at + 2) sqNext = s.indexOf("'", at + 2);
    if (dq0 !== -1 && dq0 < at && dqNext !== -1 && dqNext < at + 2) dqNext = s.indexOf('"', at + 2);
    const literal = (sq0 !== -1 && sq0 < at && sqNext >= at + 2 && sqNext < stop) || (dq0 !== -1 && dq0 < at && dqNext >= at + 2 && dqNext < stop);
    if (literal) {
      at = s.indexOf('/*', at + 2);
      continue;
    }
    out += s.slice(copied, at) + ' ';
    if (end === -1) {
      copied = s.length;
      break;
    }
    copied = end + 2;
    at = s.indexOf('/*', copied);
  }
  return copied === 0 ? s : out + s.slice(copied);
}

/**
 * Shell de-obfuscation: `${IFS}`/`$IFS` are spaces to a shell, and quotes, backslashes and carets
 * inside a word (`c'a't`, `w\ho\am\i`, `who^ami`) disappear when the shell parses it.
 */
const SHELL_NOISE = /[$`'"^\\]/;

export function shellNormalize(s: string): string {
  if (!SHELL_NOISE.test(s)) return s;
  return s
    .replace(/\$\{ifs\}|\$ifs\b|\$\{ifs%\?\?\}/gi, ' ')
    .replace(/\$@|\$\*|\$\{\d\}|``|['"^]|(?<=[a-z])\\(?=[a-z])/gi, '');
}

/** Is c one of the quote look-alikes quoteFold folds? (A range test first: most non-ASCII text is not.) */
function isQuoteLike(c: number): boolean {
  if (c < 0x2b9) return false;
  if (c >= 0x2018 && c <= 0x201f) return c !== 0x201a && c !== 0x201e; // ‘ ’ ‛ “ ” ‟, not the low-9 ones
  return c === 0x2032 || c === 0x2033 || c === 0x2b9 || c === 0x2bc || c === 0xff02 || c === 0xff07;
}

/**
 * Curly quotes, primes, the modifier apostrophe and the fullwidth quotes become ' or ". Windows best-fit
 * mapping (and some database drivers) turn them into ASCII quotes after the application checked the
 * value, so `1’ or ‘1’=’1` reaches SQL as a quote break-out. Only non-ASCII text can change.
 */
export function quoteFold(s: string): string {
  let i = 0;
  while (i < s.length && !isQuoteLike(s.charCodeAt(i))) i++;
  if (i === s.length) return s;
  return s.replace(/[\u2018\u2019\u201b\u2032\u02b9\u02bc\uff07]/g, "'").replace(/[\u201c\u201d\u201f\u2033\uff02]/g, '"');
}


function isOctal(c: number): boolean {
  return c >= 48 && c <= 55;
}

/** What `\X` denotes for a one-character escape X (JSON, JavaScript, `echo -e`), or -1. */
const SIMPLE_ESCAPES: Record<number, number> = {
  110: 10, // \n
  114: 13, // \r
  116: 9, // \t
  118: 11, // \v
  102: 12, // \f
  101: 27, // \e (echo -e, printf)
  92: 92, // \\
  47: 47, // \/
  34: 34, // \"
  39: 39, // \'
};

function simpleEscape(c: number): number {
  return SIMPLE_ESCAPES[c] ?? -1;
}

/**
 * Backslash escapes written out in a value, turned into what they denote, as a JSON parser, a JavaScript
 * string, `echo -e`, `printf` or `$'...'` would: `\n \r \t \v \f \e`, `\\ \/ \" \'`, `\xHH`,
 * `\uHHHH`, octal `\NNN` (1-3 digits, ≤ 0377) and echo's `\0NNN`. So `\nid\n` is a command on its
 * own line and `\x3cscript` a tag. `\a` and `\b` are left alone: in Windows paths and shell words
 * (`c\at`) they are far more often just a backslash. One left-to-right pass (`\\n` is a backslash and
 * an n); every escape is longer than its result, so the output never grows.
 */
export function literalEscapes(s: string): string {
  let at = s.indexOf('\\');
  if (at === -1) return s;
  let out = '';
  let copied = 0;
  const n = s.length;
  while (at !== -1 && at + 1 < n) {
    const c = s.charCodeAt(at + 1);
    let ch = simpleEscape(c);
    let len = 2;
    if (ch < 0) {
      if (c === 120 && at + 3 < n) {
        // \xHH
        const h = hexVal(s.charCodeAt(at + 2));
        const l = hexVal(s.charCodeAt(at + 3));
        if (h >= 0 && l >= 0) {
          ch = h * 16 + l;
          len = 4;
        }
      } else if (c === 117 && at + 5 < n) {
        // \uHHHH
        let v = 0;
        let k = 2;
        for (; k < 6; k++) {
          const d = hexVal(s.charCodeAt(at + k));
          if (d < 0) break;
          v = v * 16 + d;
        }
        if (k === 6) {
          ch = v;
          len = 6;
        }
      } else if (isOctal(c)) {
        // echo -e's \0NNN, else C's \N, \NN, \NNN (at most 0377)
        if (c === 48 && isOctal(s.charCodeAt(at + 2)) && isOctal(s.charCodeAt(at + 3)) && isOctal(s.charCodeAt(at + 4))) {
          ch = ((s.charCodeAt(at + 2) - 48) * 64 + (s.charCodeAt(at + 3) - 48) * 8 + (s.charCodeAt(at + 4) - 48)) & 0xff;
          len = 5;
        } else {
          ch = c - 48;
          while (len < 4 && isOctal(s.charCodeAt(at + len)) && ch * 8 + (s.charCodeAt(at + len) - 48) <= 0o377) {
            ch = ch * 8 + (s.charCodeAt(at + len) - 48);
            len++;
          }
        }
      }
    }
    if (ch < 0) {
      at = s.indexOf('\\', at + 1);
      continue;
    }
    out += s.slice(copied, at) + String.fromCharCode(ch);
    copied = at + len;
    at = s.indexOf('\\', copied);
  }
  return copied === 0 ? s : out + s.slice(copied);
}
