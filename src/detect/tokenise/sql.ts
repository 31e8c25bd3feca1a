/**
 * SQL injection by syntax: a decoded request value is tokenised as SQL in each quoting context it
 * could have been pasted into (bare, '…', "…", `…`) and judged from the tokens (sql-decide). A cheap
 * character pre-filter runs first: a value with no quote, bracket, operator or comment mark and no
 * `union`/`by` word cannot fire any reason, and most values are like that.
 */
import { fingerprint, tokeniseSql, type QuoteContext } from './sql-lexer.js';
import { decideSql, REASON_CONFIDENCE, type SqlReason } from './sql-decide.js';

/** Characters of a value the tokeniser reads; the rest is not looked at (the attack is in the head). */
export const MAX_SQL_VALUE = 2048;
const MAX_FRAGMENT = 200;

export interface SqlFinding {
  context: QuoteContext;
  reason: SqlReason;
  confidence: number;
  /** Token classes of the value in that context, libinjection-style (`s&1=1c`). */
  fingerprint: string;
  /** The value from a little before the evidence, at most 200 characters. */
  fragment: string;
}

const QUOTE_S = 1;
const QUOTE_D = 2;
const QUOTE_B = 4;
const SYNTAX = 8;

/** Which quotes occur, and whether any SQL punctuation does. */
function scan(value: string): number {
  let mask = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    switch (c) {
      case 39:
        mask |= QUOTE_S;
        break;
      case 34:
        mask |= QUOTE_D;
        break;
      case 96:
        mask |= QUOTE_B;
        break;
      case 40: // (
      case 59: // ;
      case 61: // =
      case 35: // #
      case 64: // @
      case 60: // <
      case 62: // >
      case 124: // |
        mask |= SYNTAX;
        break;
      case 45: // --
        if (value.charCodeAt(i + 1) === 45) mask |= SYNTAX;
        break;
      case 47: // /*
        if (value.charCodeAt(i + 1) === 42) mask |= SYNTAX;
        break;
      case 58: // ::
        if (value.charCodeAt(i + 1) === 58) mask |= SYNTAX;
        break;
      default:
        break;
    }
  }
  return mask;
}

/** Words that fire with no punctuation at all: `1 union select 1,2`, `1 order by 3`. */
function keywordOnly(value: string): boolean {
  if (value.length < 8) return false;
  const lower = value.toLowerCase();
  return lower.includes('union') || lower.includes('by');
}

/** The first context in which `value` reads as injected SQL, or null. `value` is already decoded. */
export function sqlInjection(value: string): SqlFinding | null {
  const v = value.length > MAX_SQL_VALUE ? value.slice(0, MAX_SQL_VALUE) : value;
  const mask = scan(v);
  if (mask === 0 && !keywordOnly(v)) return null;
  const contexts: QuoteContext[] = [];
  if (mask & QUOTE_S) contexts.push("'");
  if (mask & QUOTE_D) contexts.push('"');
  contexts.push('none');
  if (mask & QUOTE_B) contexts.push('`');
  for (const ctx of contexts) {
    const lexed = tokeniseSql(v, ctx);
    const d = decideSql(lexed, ctx);
    if (d === null) continue;
    const at = lexed.tokens[d.at]?.start ?? 0;
    const from = v.length <= MAX_FRAGMENT ? 0 : Math.max(0, at - 20);
    return {
      context: ctx,
      reason: d.reason,
      confidence: REASON_CONFIDENCE[d.reason],
      fingerprint: fingerprint(lexed.tokens),
      fragment: v.slice(from, from + MAX_FRAGMENT),
    };
  }
  return null;
}
