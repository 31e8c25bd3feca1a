/**
 * The SQL tokeniser behind the Tokeniser contract (rule id `tokens/sqli`). What it reads of each field:
 * a query argument whole; of a path, the tail from the segment holding its first quote, bracket, space or
 * operator (`/item/1' or '1'='1` -> `1' or '1'='1`), since the application pastes a segment, not the
 * path; of a referer, its query arguments' values (a referer is another page's URL, whose text around
 * the query is not anyone's SQL); the user agent whole when it holds a quote or a SQL probe word
 * (browsers' user agents are full of brackets and semicolons, and each would be tokenised).
 */
import { forEachArg } from '../transforms/index.js';
import { sqlInjection, type SqlFinding } from './sql.js';
import type { Tokeniser, TokenisedField } from './types.js';

const CONTEXT_NAME = { none: 'bare', "'": 'single-quoted', '"': 'double-quoted', '`': 'backtick' } as const;
/** Referer query arguments read. */
const MAX_REFERER_ARGS = 8;

const PATH_SYNTAX = new Uint8Array(128);
for (const ch of '\'"`(; *=#@') PATH_SYNTAX[ch.charCodeAt(0)] = 1;

/** The part of a decoded path worth reading as SQL, or null for an ordinary path. */
export function pathTail(path: string): string | null {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c < 128 && PATH_SYNTAX[c] === 1) return path.slice(path.lastIndexOf('/', i) + 1);
  }
  return null;
}

/** Words without which a user agent with no quote cannot carry SQL (UAs are full of `(` and `;`). */
const UA_SQL_WORDS = ['select', 'union', 'sleep', 'benchmark', 'waitfor', 'extractvalue', 'updatexml', '@@', 'version()', 'load_file', 'xp_cmdshell'];

function uaMayCarrySql(ua: string): boolean {
  for (let i = 0; i < ua.length; i++) {
    const c = ua.charCodeAt(i);
    if (c === 39 || c === 34 || c === 96) return true;
  }
  const lower = ua.toLowerCase();
  return UA_SQL_WORDS.some((w) => lower.includes(w));
}

/** The first finding among a referer's query argument values (`+` as space, already percent-decoded). */
function refererFinding(referer: string): SqlFinding | null {
  const q = referer.indexOf('?');
  if (q === -1) return null;
  let found: SqlFinding | null = null;
  forEachArg(referer.slice(q + 1), MAX_REFERER_ARGS, (_name, value) => {
    if (found === null && value !== '') found = sqlInjection(value.includes('+') ? value.replaceAll('+', ' ') : value);
  });
  return found;
}

function finding(value: string, field: TokenisedField): SqlFinding | null {
  if (field === 'path') {
    const tail = pathTail(value);
    return tail === null ? null : sqlInjection(tail);
  }
  if (field === 'referer') return refererFinding(value);
  if (field === 'user_agent' && !uaMayCarrySql(value)) return null;
  return sqlInjection(value);
}

export const sqlTokeniser: Tokeniser = {
  ruleId: 'tokens/sqli',
  category: 'sqli',
  severity: 'high',
  inspect(value, field) {
    const f = finding(value, field);
    if (f === null) return null;
    return {
      confidence: f.confidence,
      fragment: f.fragment,
      detail: `SQL ${f.reason} in a ${CONTEXT_NAME[f.context]} context (tokens ${f.fingerprint})`,
    };
  },
};
