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

/** Split on `&` (and `;`, which some servers accept), first MAX_ARGS pairs, each part capped. */
export function parseQuery(query: string, maxArgs = MAX_ARGS): ParsedQuery {
  const args: QueryArg[] = [];
  let truncated = false;
  if (query === '') return { args, truncated };
  let start = 0;
  while (start <= query.length) {
    if (args.length >= maxArgs) {
      truncated = true;
      break;
    }
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    const part = query.slice(start, end);
    start = end + 1;
    if (part === '') continue;
    const eq = part.indexOf('=');
    let name = eq === -1 ? part : part.slice(0, eq);
    let value = eq === -1 ? '' : part.slice(eq + 1);
    if (name.length > MAX_ARG_NAME) {
      name = name.slice(0, MAX_ARG_NAME);
      truncated = true;
    }
    if (value.length > MAX_ARG_VALUE) {
      value = value.slice(0, MAX_ARG_VALUE);
      truncated = true;
    }
    args.push({ name, value });
  }
  return { args, truncated };
}
