/**
 * JavaScript token check for payloads without tags: the value is split into identifiers, numbers and
 * punctuation (quotes are punctuation too, so a string's content reads as tokens: the same decision holds
 * whether the value lands in code or inside a string it breaks out of), and decided from the sequence.
 *
 * Decisions (each a way script runs without `<script>`):
 * - a sink called: `alert(1)`, `prompt`1``, `eval(atob(...))`, `Function('...')()`, `document.write(`;
 * - a sink passed as a value where it will be called: `onerror=alert;throw 1`, `[1].find(alert)`;
 * - constructor chains: `[].constructor.constructor('...')()`, `''['constructor']['constructor']`;
 * - computed calls on a global: `top['al'+'ert'](1)`, `self[atob('...')]()`;
 * - script built without letters: runs of `[]()!+` (`[][(![]+[])[+[]]...`);
 * - reads of the page's secrets: `document.cookie`, `document.domain`.
 * Linear in the value: one lexing pass (at most MAX_JS_TOKENS tokens), then scans over the tokens.
 */
import type { TokenFinding } from './types.js';

/** Tokens lexed per value; the rest of a longer value is not read. */
export const MAX_JS_TOKENS = 1024;
/** A letter-free run of `[]()!+` at least this long (with `[]`, `!` and `+` in it) is script. */
export const MIN_JSFUCK_RUN = 12;

/** Functions that run or show script when called. Case-sensitive, as JavaScript is. */
const SINKS = new Set(['alert', 'prompt', 'confirm', 'eval', 'Function', 'setTimeout', 'setInterval', 'execScript', 'msgbox', 'fromCharCode', 'atob', 'importScripts']);
/** Methods that call the function passed to them (`[1].find(alert)`). */
const CALLERS = new Set(['find', 'map', 'filter', 'some', 'every', 'forEach', 'call', 'apply', 'bind', 'then', 'replace', 'sort', 'reduce', 'findIndex', 'flatMap', 'setTimeout', 'setInterval']);
/** Names of the global object and its aliases. */
const GLOBALS = new Set(['window', 'top', 'self', 'parent', 'frames', 'globalThis', 'this', 'opener', 'content']);
const DOCUMENT_SECRETS = new Set(['cookie', 'domain']);
const DOCUMENT_WRITERS = new Set(['write', 'writeln']);

const IDENT = 1;
const NUMBER = 2;
const PUNCT = 3;

interface Tokens {
  kind: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  count: number;
}

function isIdentStart(c: number): boolean {
  const l = c | 32;
  return (l >= 97 && l <= 122) || c === 95 || c === 36;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0;
}

// One set of token arrays reused by every call instead of three new typed arrays per value lexed: inspectJs
// never runs inside itself, and every read of them is guarded by `count`, so what an earlier value left
// beyond it is never seen.
const SCRATCH: Tokens = { kind: new Uint8Array(MAX_JS_TOKENS), start: new Int32Array(MAX_JS_TOKENS), end: new Int32Array(MAX_JS_TOKENS), count: 0 };

/** Lexes `s` into SCRATCH (valid until the next call). */
function lex(s: string): Tokens {
  const max = Math.min(MAX_JS_TOKENS, s.length);
  const t = SCRATCH;
  t.count = 0;
  const n = s.length;
  let i = 0;
  while (i < n && t.count < max) {
    const c = s.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    // Block comments separate tokens like whitespace (`alert/**/(1)`).
    if (c === 47 && s.charCodeAt(i + 1) === 42) {
      const close = s.indexOf('*/', i + 2);
      i = close === -1 ? n : close + 2;
      continue;
    }
    const k = t.count++;
    t.start[k] = i;
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(s.charCodeAt(i))) i++;
      t.kind[k] = IDENT;
    } else if (c >= 48 && c <= 57) {
      i++;
      while (i < n && (isIdentPart(s.charCodeAt(i)) || s.charCodeAt(i) === 46)) i++;
      t.kind[k] = NUMBER;
    } else {
      i++;
      t.kind[k] = PUNCT;
    }
    t.end[k] = i;
  }
  return t;
}

function text(s: string, t: Tokens, k: number): string {
  return s.slice(t.start[k], t.end[k]);
}

function punct(s: string, t: Tokens, k: number): number {
  return k < t.count && t.kind[k] === PUNCT ? s.charCodeAt(t.start[k]!) : -1;
}

/** Index of the next token after k that is not a quote or `)` (`'constructor'](`, `(alert)(1)`). */
function skipQuotes(s: string, t: Tokens, k: number): number {
  let j = k + 1;
  while (j < t.count) {
    const p = punct(s, t, j);
    if (p !== 39 && p !== 34 && p !== 96 && p !== 41 && p !== 93) break;
    // A backtick right after a name is a template call, not a quote to skip.
    if (p === 96 && j === k + 1) break;
    j++;
  }
  return j;
}

const OPEN_PAREN = 40;
const BACKTICK = 96;

function finding(s: string, t: Tokens, from: number, to: number, detail: string, confidence = 0.85): TokenFinding {
  const a = t.start[from]!;
  const b = t.end[Math.min(to, t.count - 1)]!;
  return { fragment: s.slice(Math.max(0, a - 16), Math.min(s.length, b + 24)), confidence, detail };
}

/** Longest run of `[]()!+` (spaces allowed) that has `[`, `]`, `!` and `+` in it. */
function jsfuckRun(s: string): { at: number; length: number } | null {
  let best: { at: number; length: number } | null = null;
  let start = -1;
  let seen = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : -1;
    const bit = c === 91 ? 1 : c === 93 ? 2 : c === 33 ? 4 : c === 43 ? 8 : c === 40 || c === 41 || c === 32 ? 16 : 0;
    if (bit !== 0) {
      if (start < 0) {
        start = i;
        seen = 0;
      }
      seen |= bit;
    } else if (start >= 0) {
      const length = i - start;
      if ((seen & 15) === 15 && length >= MIN_JSFUCK_RUN && (best === null || length > best.length)) best = { at: start, length };
      start = -1;
    }
  }
  return best;
}

/** Cheap test: can `s` hold any of the decisions above? */
function mayBeScript(s: string): boolean {
  return s.indexOf('(') !== -1 || s.indexOf('`') !== -1 || s.indexOf('[') !== -1 || s.indexOf('=') !== -1 || s.indexOf('.') !== -1;
}

/** Text a page escaped for display (`&lt;script&gt;`, `&quot;`): shown as text, not run. */
export function htmlEscaped(s: string): boolean {
  return s.indexOf('&lt;') !== -1 || s.indexOf('&gt;') !== -1 || s.indexOf('&quot;') !== -1;
}

/** The JavaScript decision on one value; null when nothing in it would run. */
export function inspectJs(s: string): TokenFinding | null {
  if (!mayBeScript(s) || htmlEscaped(s)) return null;
  const run = jsfuckRun(s);
  if (run !== null) return { fragment: s.slice(run.at, run.at + 80), confidence: 0.9, detail: 'script built from []()!+ only' };
  const t = lex(s);
  let onerrorAssigned = -1;
  let throwAt = -1;
  let sinkValue = -1;
  for (let k = 0; k < t.count; k++) {
    if (t.kind[k] !== IDENT) continue;
    const word = text(s, t, k);
    const next = skipQuotes(s, t, k);
    const after = punct(s, t, next);
    if (SINKS.has(word)) {
      // After a word (`price alert(s)`) it is prose; script has punctuation or nothing before a call.
      const afterWord = k > 0 && t.kind[k - 1] !== PUNCT;
      if (!afterWord && (after === OPEN_PAREN || (after === BACKTICK && next === k + 1))) {
        // `fromCharCode` and `atob` only decode: a call of them is script when something runs the result.
        if (word !== 'fromCharCode' && word !== 'atob') return finding(s, t, k, next + 2, `call of ${word}`);
      }
      const before = punct(s, t, k - 1);
      if (before === 61 || before === 44 || before === 58) sinkValue = k;
      if (before === OPEN_PAREN && k >= 2 && t.kind[k - 2] === IDENT && CALLERS.has(text(s, t, k - 2))) {
        return finding(s, t, k - 2, k + 1, `${word} passed to ${text(s, t, k - 2)}`);
      }
    } else if (word === 'constructor') {
      if (after === OPEN_PAREN || after === BACKTICK) return finding(s, t, k, next + 2, 'constructor call');
      // `.constructor.constructor` / `['constructor']['constructor']`
      if (next + 2 < t.count && (punct(s, t, next) === 46 || punct(s, t, next) === 91)) {
        const j = punct(s, t, next + 1) === 39 || punct(s, t, next + 1) === 34 ? next + 2 : next + 1;
        if (t.kind[j] === IDENT && text(s, t, j) === 'constructor') return finding(s, t, k, j, 'constructor chain');
      }
    } else if (word === 'onerror' && punct(s, t, k + 1) === 61) {
      onerrorAssigned = k;
    } else if (word === 'throw') {
      throwAt = k;
    } else if (word === 'document' && punct(s, t, k + 1) === 46 && k + 2 < t.count && t.kind[k + 2] === IDENT) {
      const member = text(s, t, k + 2);
      if (DOCUMENT_SECRETS.has(member)) return finding(s, t, k, k + 2, `read of document.${member}`, 0.75);
      const call = punct(s, t, k + 3);
      if (DOCUMENT_WRITERS.has(member) && (call === OPEN_PAREN || call === BACKTICK)) return finding(s, t, k, k + 3, `call of document.${member}`);
    } else if (GLOBALS.has(word) && punct(s, t, k + 1) === 91 && t.start[k + 1] === t.end[k]) {
      // A computed member of the global called: `top['al'+'ert'](1)`, `self[atob('...')]()`.
      for (let j = k + 2, depth = 1; j < t.count && j < k + 64; j++) {
        const p = punct(s, t, j);
        if (p === 91) depth++;
        else if (p === 93 && --depth === 0) {
          const call = punct(s, t, j + 1);
          if ((call === OPEN_PAREN || call === BACKTICK) && t.start[j + 1] === t.end[j]) return finding(s, t, k, j + 1, `computed call on ${word}`);
          break;
        }
      }
    }
  }
  if (onerrorAssigned >= 0 && throwAt >= 0) return finding(s, t, Math.min(onerrorAssigned, throwAt), Math.max(onerrorAssigned, throwAt) + 1, 'onerror handler set and an exception thrown');
  if (sinkValue >= 0 && (throwAt >= 0 || onerrorAssigned >= 0)) return finding(s, t, sinkValue - 1, sinkValue + 1, `${text(s, t, sinkValue)} assigned where it will be called`);
  return null;
}
