/** Query-string splitting, capped: hostile requests can carry thousands of arguments. */

export const MAX_ARGS = 256;
export const MAX_ARG_NAME = 256;
export const MAX_ARG_VALUE = 4096;

export interface QueryArg {
  /** Still percent-encoded, as logged. */
  name: string;
  value: string;
}

export interface ParsedQuery {
  args: QueryArg[];
  /** True when args were dropped or cut to the caps. */
  truncated: boolean;
}

/**
 * Split on `&`, first `maxArgs` non-empty pairs, each part capped; calls `visit(name, value)` per pair
 * (no per-pair objects, for the detection hot path). Returns true when pairs were dropped or cut.
 */
export function forEachArg(query: string, maxArgs: number, visit: (name: string, value: string) => void): boolean {
  let truncated = false;
  let count = 0;
  let start = 0;
  const n = query.length;
  while (start <= n) {
    if (count >= maxArgs) {
      truncated = true;
      break;
    }
    let end = query.indexOf('&', start);
    if (end === -1) end = n;
    if (end === start) {
      start = end + 1;
      continue;
    }
    // Look for `=` inside this pair only: indexOf could run to the end of a long query for every pair.
    let eq = -1;
    for (let j = start; j < end; j++) {
      if (query.charCodeAt(j) === 61) {
        eq = j;
        break;
      }
    }
    let name = query.slice(start, eq === -1 ? end : eq);
    let value = eq === -1 ? '' : query.slice(eq + 1, end);
    start = end + 1;
    if (name.length > MAX_ARG_NAME) {
      name = name.slice(0, MAX_ARG_NAME);
      truncated = true;
    }
    if (value.length > MAX_ARG_VALUE) {
      value = value.slice(0, MAX_ARG_VALUE);
      truncated = true;
    }
    count++;
    visit(name, value);
  }
  return truncated;
}

/** Split on `&`, first `maxArgs` pairs, each part capped. */
export function parseQuery(query: string, maxArgs = MAX_ARGS): ParsedQuery {
  const args: QueryArg[] = [];
  const truncated = forEachArg(query, maxArgs, (name, value) => args.push({ name, value }));
  return { args, truncated };
}
