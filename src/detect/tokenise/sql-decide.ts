/**
 * Decides from a token sequence (sql-lexer) whether a value is SQL injected into a query. Each reason
 * is a piece of SQL syntax that ordinary text does not produce; the quoted contexts add the constraint
 * that makes libinjection precise: after the value closes the application's literal, what follows must
 * be an expression SQL accepts and must fit the hole (end in a literal the application's own quote
 * closes, or in a comment that swallows it). Pure; each check walks the tokens a bounded number of times.
 */
import type { QuoteContext, SqlToken, SqlTokens } from './sql-lexer.js';
import { IDENTITY_FUNCTIONS, PROBE_FUNCTIONS, SQL_FUNCTIONS, STATEMENT_STARTS, TYPE_NAMES, VALUE_KEYWORDS } from './sql-words.js';

export type SqlReason =
  | 'union-select'
  | 'stacked-query'
  | 'probe-function'
  | 'subquery'
  | 'tautology'
  | 'logic-function'
  | 'type-cast'
  | 'order-by-probe'
  | 'clause-after-quote'
  | 'comment-after-quote'
  | 'string-break'
  | 'version-comment';

/** How sure each reason is (Detection.confidence). */
export const REASON_CONFIDENCE: Record<SqlReason, number> = {
  'union-select': 0.95,
  'stacked-query': 0.9,
  'probe-function': 0.9,
  subquery: 0.9,
  tautology: 0.85,
  'logic-function': 0.85,
  'type-cast': 0.8,
  'order-by-probe': 0.85,
  'clause-after-quote': 0.85,
  'comment-after-quote': 0.75,
  'string-break': 0.8,
  'version-comment': 0.9,
};

export interface SqlDecision {
  reason: SqlReason;
  /** Token index where the evidence starts. */
  at: number;
}

const word = (t: SqlToken | undefined, ...words: string[]): boolean => t !== undefined && words.includes(t.text);

/** Last dotted part of a name: `master..xp_cmdshell` -> `xp_cmdshell`. */
function bareName(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot === -1 ? name : name.slice(dot + 1);
}

function isProbeCall(ts: readonly SqlToken[], i: number): boolean {
  const t = ts[i]!;
  if (t.type !== 'f') return false;
  const name = bareName(t.text);
  if (PROBE_FUNCTIONS.has(name) || PROBE_FUNCTIONS.has(t.text)) return ts[i + 1]?.type === '(' && ts[i + 2]?.type !== ')';
  // `version()`: an identity function called with nothing inside.
  return IDENTITY_FUNCTIONS.has(name) && ts[i + 1]?.type === '(' && ts[i + 2]?.type === ')';
}

function isSqlCall(t: SqlToken | undefined): boolean {
  return t !== undefined && t.type === 'f' && (SQL_FUNCTIONS.has(bareName(t.text)) || PROBE_FUNCTIONS.has(bareName(t.text)) || IDENTITY_FUNCTIONS.has(bareName(t.text)));
}

/** An operand of an expression: literal, name, variable, value keyword. */
function isOperand(t: SqlToken | undefined): boolean {
  if (t === undefined) return false;
  return t.type === '1' || t.type === 's' || t.type === 'v' || t.type === 'n' || (t.type === 'k' && VALUE_KEYWORDS.has(t.text));
}

/** What `select` starts when it is really a query: a select list, not `select a size`. */
function selectListAt(ts: readonly SqlToken[], i: number): boolean {
  const t = ts[i];
  if (t === undefined) return false;
  if (t.type === '1' || t.type === 'v' || t.type === 's' || t.type === 'f' || t.type === '(') return true;
  if (t.type === 'o' && t.text === '*') return true;
  if (t.type === 'k' && (VALUE_KEYWORDS.has(t.text) || word(t, 'distinct', 'all', 'case', 'top'))) return true;
  if (t.type === 'n') {
    const next = ts[i + 1];
    return next === undefined || next.type === ',' || word(next, 'from') || next.type === 'c';
  }
  return false;
}

/** Index after a call or parenthesised group starting at `i` (a name or `(`), or -1 when it does not close. */
function groupEnd(ts: readonly SqlToken[], i: number): number {
  let j = ts[i]!.type === 'f' ? i + 1 : i;
  if (ts[j]?.type !== '(') return -1;
  let depth = 0;
  for (; j < ts.length; j++) {
    const ty = ts[j]!.type;
    if (ty === '(') depth++;
    else if (ty === ')' && --depth === 0) return j + 1;
  }
  return -1;
}

/** A comparison operator at `i` with what it needs on its right: `is` needs null/true/false, `in` a list. */
function comparisonAt(ts: readonly SqlToken[], i: number): boolean {
  const t = ts[i];
  if (t === undefined || t.type !== '=') return false;
  if (t.text === 'is') {
    const k = word(ts[i + 1], 'not') ? i + 2 : i + 1;
    return word(ts[k], 'null', 'true', 'false', 'unknown');
  }
  if (t.text === 'in') return ts[i + 1]?.type === '(';
  if (t.text === 'like' || t.text === 'glob' || t.text === 'similar' || t.text === 'sounds') return ts[i + 1]?.type === 's' || ts[i + 1]?.type === '1';
  return true;
}

/** An operand at `i` for a comparison, returning the index after it (a call or group counts), or -1. */
function operandEnd(ts: readonly SqlToken[], i: number): number {
  const t = ts[i];
  if (t === undefined) return -1;
  if (t.type === 'f' || t.type === '(') return groupEnd(ts, i);
  if (t.type === 'o' && (t.text === '-' || t.text === '+' || t.text === '~')) return operandEnd(ts, i + 1);
  return isOperand(t) ? i + 1 : -1;
}

/**
 * `and|or <operand> <comparison> <operand>` (`or 1=1`, `' or 'a'='a`, `and ascii(x)>100`), or a logic
 * operator straight before a SQL function call (`and sleep(5)`, `or ord(mid(…))`). Bare words on both
 * sides only count inside a quoted context: "tea and milk = love" is prose.
 */
function logicAt(ts: readonly SqlToken[], i: number, quoted: boolean): SqlReason | null {
  const op = ts[i]!.text;
  // `not` and `!` are unary; a bare `||` is also a URL's and a search box's separator.
  if (op === 'not' || op === '!' || (!quoted && op === '||')) return null;
  let j = i + 1;
  while (ts[j] !== undefined && ((ts[j]!.type === '&' && (ts[j]!.text === 'not' || ts[j]!.text === '!')) || ts[j]!.type === '(')) j++;
  const first = ts[j];
  if (first === undefined) return null;
  if (isProbeCall(ts, j)) return 'probe-function';
  if (isSqlCall(first) && ts[j + 1]?.type === '(') return 'logic-function';
  const end = operandEnd(ts, j);
  if (end === -1 || !comparisonAt(ts, end)) return null;
  let k = end + 1;
  if (word(ts[end], 'is')) k = word(ts[k], 'not') ? k + 2 : k + 1;
  else if (word(ts[end], 'sounds') && word(ts[k], 'like')) k++;
  const right = ts[k];
  if (right === undefined) return null;
  const rightEnd = word(ts[end], 'is') ? k : operandEnd(ts, k);
  if (rightEnd === -1) return null;
  if (!quoted && first.type === 'n' && right.type === 'n') return null;
  return 'tautology';
}

function statementAt(ts: readonly SqlToken[], i: number): boolean {
  const t = ts[i];
  if (t === undefined) return false;
  const follow = STATEMENT_STARTS.get(t.text);
  if (follow === undefined) return false;
  const next = ts[i + 1];
  if (next === undefined || next.type === 'c') return false;
  if (t.text === 'select') return selectListAt(ts, i + 1);
  if (t.text === 'declare') return next.type === 'v';
  if (t.text === 'update') return (next.type === 'n' || next.type === 'v') && word(ts[i + 2], 'set');
  if (t.text === 'exec' || t.text === 'execute') {
    // A stored procedure (`xp_cmdshell`, `master..sp_…`), a variable or a string: not "exec will create".
    return next.type === 'v' || next.type === 's' || next.type === '(' || /^(?:master\.|xp_|sp_)/.test(next.text);
  }
  if (t.text === 'waitfor') return follow.includes(next.text) && ts[i + 2]?.type === 's';
  return follow === 'any' || follow.includes(next.text);
}

/** `order by 3`, `group by 2`: the column-count probe (the number ends the value or a clause). */
function orderByAt(ts: readonly SqlToken[], i: number): boolean {
  if (!word(ts[i], 'order', 'group') || !word(ts[i + 1], 'by') || ts[i + 2]?.type !== '1') return false;
  const after = ts[i + 3];
  return after === undefined || after.type === 'c' || after.type === ',' || after.type === ';' || after.type === ')' || word(after, 'asc', 'desc', 'limit');
}

/** `::int`, `cast(… as int)`, `convert(… using latin1)`. */
function castAt(ts: readonly SqlToken[], i: number): boolean {
  const t = ts[i]!;
  if (t.type === 'o' && t.text === '::') return i > 0 && TYPE_NAMES.has(ts[i + 1]?.text ?? '');
  if (t.type === 'f' && (t.text === 'cast' || t.text === 'convert')) {
    const end = groupEnd(ts, i);
    if (end === -1) return false;
    // MSSQL's convert(int, x) names the type first.
    if (t.text === 'convert' && TYPE_NAMES.has(ts[i + 2]?.text ?? '') && ts[i + 3]?.type === ',') return true;
    for (let k = i + 2; k < end - 1; k++) if (word(ts[k], 'as', 'using')) return true;
  }
  return false;
}

/** Reasons that hold in any context, scanning from `from`. */
function anywhere(ts: readonly SqlToken[], from: number, quoted: boolean): SqlDecision | null {
  for (let i = from; i < ts.length; i++) {
    const t = ts[i]!;
    switch (t.type) {
      case 'U': {
        const k = word(ts[i + 1], 'all', 'distinct') ? i + 2 : i + 1;
        if (word(ts[k], 'select') || (ts[k]?.type === '(' && word(ts[k + 1], 'select'))) return { reason: 'union-select', at: i };
        break;
      }
      case ';':
        if (statementAt(ts, i + 1)) return { reason: 'stacked-query', at: i };
        break;
      case 'f':
        if (isProbeCall(ts, i)) return { reason: 'probe-function', at: i };
        if (castAt(ts, i)) return { reason: 'type-cast', at: i };
        break;
      case 'v': {
        // `@@version` as an operand of SQL (`1 and @@version>5`, `select @@datadir`); alone it is a placeholder.
        const prev = ts[i - 1];
        const operandOf = prev !== undefined && (prev.type === '&' || prev.type === '=' || prev.type === 'o' || prev.type === '(' || prev.type === ',' || word(prev, 'select'));
        if (t.text.startsWith('@@') && t.text.length > 2 && operandOf) return { reason: 'probe-function', at: i };
        break;
      }
      case '(':
        if (word(ts[i + 1], 'select') && selectListAt(ts, i + 2)) return { reason: 'subquery', at: i };
        break;
      case '&': {
        const r = logicAt(ts, i, quoted);
        if (r !== null) return { reason: r, at: i };
        break;
      }
      case 'k':
        if (t.text === 'waitfor' && word(ts[i + 1], 'delay', 'time') && ts[i + 2]?.type === 's') return { reason: 'probe-function', at: i };
        if (orderByAt(ts, i)) return { reason: 'order-by-probe', at: i };
        // `having 1=1`, `where 1=1`: a condition, like one after and/or.
        if ((t.text === 'having' || t.text === 'where') && logicAt(ts, i, quoted) === 'tautology') return { reason: 'tautology', at: i };
        break;
      case 'o':
        if (castAt(ts, i)) return { reason: 'type-cast', at: i };
        break;
      default:
        break;
    }
  }
  return null;
}

interface BreakShape {
  /** The tail is an expression that fits the hole. */
  fits: boolean;
  /** Binary operators in it, and whether one was a logic or comparison operator. */
  ops: number;
  logicOrCompare: boolean;
  /** An operator that ordinary text rarely puts between two quotes (`=`, `-`, `||`, `or`: not `*` or `/`). */
  probeOp: boolean;
  /** A bare word appeared as an operand (`36"+x+48+"`: prose arithmetic, not a probe). */
  bareOperand: boolean;
  /** The tail is a whole expression that ends with the value (`' or id is not 2`), fitting or not. */
  complete: boolean;
  /** It starts with a logic operator (`' or …`, `' and …`). */
  startsWithLogic: boolean;
}

const PROSE_OPS: ReadonlySet<string> = new Set(['*', '/', '%', '&', ':']);

/**
 * After the value closed the application's literal: is the rest an expression that fits? Operands and
 * binary operators alternate (parentheses and calls nest), and the end is a literal opened with the
 * context's quote (the application's closing quote ends it) or a comment.
 */
function breakShape(ts: readonly SqlToken[], from: number, quote: number): BreakShape {
  const shape: BreakShape = { fits: false, ops: 0, logicOrCompare: false, probeOp: false, bareOperand: false, complete: false, startsWithLogic: ts[from]?.type === '&' };
  let expectOperand = false;
  let depth = 0;
  for (let i = from; i < ts.length; i++) {
    const t = ts[i]!;
    if (t.type === 'c') {
      shape.fits = shape.ops > 0;
      return shape;
    }
    if (expectOperand) {
      if (t.type === '(') depth++;
      else if (t.type === 'f' && ts[i + 1]?.type === '(') {
        depth++;
        i++;
      } else if ((t.type === 'o' && (t.text === '-' || t.text === '+' || t.text === '~')) || (t.type === '&' && (t.text === 'not' || t.text === '!'))) {
        // unary: still expecting an operand
      } else if (isOperand(t)) {
        expectOperand = false;
        if (t.type === 'n') shape.bareOperand = true;
        if (t.open) {
          shape.fits = i === ts.length - 1 && t.mark === quote && shape.ops > 0;
          return shape;
        }
      } else return shape;
    } else if (t.type === ')') {
      depth--;
    } else if (t.type === ',' && depth > 0) {
      expectOperand = true;
    } else if (t.type === '=' || (t.type === '&' && t.text !== 'not' && t.text !== '!') || (t.type === 'o' && t.text !== '::')) {
      if (t.type !== 'o') shape.logicOrCompare = true;
      if (!PROSE_OPS.has(t.text)) shape.probeOp = true;
      shape.ops++;
      expectOperand = true;
      if (word(t, 'is') && word(ts[i + 1], 'not')) i++;
    } else if (t.type === '&' && t.text === 'not' && ts[i + 1]?.type === '=') {
      // `not like`, `not in`: the comparison follows
    } else if (t.type === 'o' && TYPE_NAMES.has(ts[i + 1]?.text ?? '')) {
      shape.ops++;
      i++;
    } else return shape;
  }
  shape.complete = !expectOperand && depth <= 0 && shape.ops > 0;
  return shape;
}

function blank(s: string): boolean {
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) > 32) return false;
  return true;
}

/** Text with no whitespace: a token-like literal (`admin`, ``), not a phrase ("soap 1 "). */
function compact(t: SqlToken): boolean {
  for (let k = 0; k < t.text.length; k++) {
    const c = t.text.charCodeAt(k);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0) return false;
  }
  return true;
}

export function decideSql(lexed: SqlTokens, ctx: QuoteContext): SqlDecision | null {
  const ts = lexed.tokens;
  if (ctx === 'none') {
    const hit = anywhere(ts, 0, false);
    if (hit !== null) return hit;
    if (lexed.versionComment && ts.some((t) => t.type === 'k' || t.type === 'U' || t.type === 'f')) return { reason: 'version-comment', at: 0 };
    return null;
  }
  const close = ts[0];
  // No closing quote: the whole value stays inside the application's literal.
  if (close === undefined || close.open || ts.length < 2) return null;
  let b = 1;
  while (ts[b]?.type === ')') b++;
  const first = ts[b];
  if (first === undefined) return null;
  const quote = ctx.charCodeAt(0);
  if (first.type === 'c') {
    // `admin'--`, `admin'#`, `'/*`; a `#` before more text ("7\" #2 needle") or after a phrase is not a comment.
    if (b === 1 && !(compact(close) && close.text.length <= 32)) return null;
    return first.mark !== 35 || blank(first.text.slice(1)) ? { reason: 'comment-after-quote', at: b } : null;
  }
  const hit = anywhere(ts, b, true);
  if (hit !== null) return hit;
  if (first.type === 'k' && (word(first, 'having', 'procedure', 'limit') || (word(first, 'into') && word(ts[b + 1], 'outfile', 'dumpfile')))) {
    if (isOperand(ts[b + 1]) || ts[b + 1]?.type === 'f' || word(ts[b + 1], 'outfile', 'dumpfile', 'analyse')) return { reason: 'clause-after-quote', at: b };
  }
  const shape = breakShape(ts, b, quote);
  if (shape.fits) {
    const last = ts[ts.length - 1]!;
    // Two operators with a logic or comparison among them (`' or ''='`), or a closing parenthesis first;
    // one probe operator between short literals (`'='`, `'-'`, `x'||'y`). Prose puts `*`, `/` or bare
    // words between quotes ("36\"+x+48+\"+frame", "small \"&\" sign").
    const short = compact(close) && close.text.length <= 16 && (last.type === 'c' || (compact(last) && last.text.length <= 16));
    if ((shape.ops >= 2 && shape.logicOrCompare) || b > 1 || (short && shape.probeOp && !shape.bareOperand)) return { reason: 'string-break', at: b };
  }
  // `x' or id is not 2`, `aa'or current_date*0`: a condition after the quote that the query's own quote
  // then breaks (the error is the probe). Two operators, the first a logic one, after a word-like literal.
  if (shape.complete && shape.startsWithLogic && shape.ops >= 2 && compact(close)) return { reason: 'string-break', at: b };
  if (lexed.versionComment && ts.some((t) => t.type === 'k' || t.type === 'U' || t.type === 'f')) return { reason: 'version-comment', at: b };
  return null;
}
