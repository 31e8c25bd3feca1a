/** A since/until pair with defaults: until defaults to now, since to `defaultSpanMs` before until. */
import { BadRequestError } from '../../core/errors.js';
import { parseTimeParam, TIME_PARAM_DESCRIPTION } from './time.js';

export function parseRangeParams(
  q: { since?: string; until?: string },
  now: number,
  defaultSpanMs: number,
): { since: number; until: number } {
  const until = q.until !== undefined ? parseTimeParam('until', q.until, now) : now;
  const since = q.since !== undefined ? parseTimeParam('since', q.since, now) : until - defaultSpanMs;
  if (since > until) throw new BadRequestError('query parameter "since" is after "until"', 'since');
  return { since, until };
}

/** JSON-schema properties for since/until, bounded like every other parameter. */
export function rangeParamSchemas(defaultSpan: string) {
  return {
    since: {
      type: 'string',
      maxLength: 40,
      description: `Oldest time, inclusive (default: ${defaultSpan} before until). ${TIME_PARAM_DESCRIPTION}`,
    },
    until: { type: 'string', maxLength: 40, description: `Newest time, exclusive (default: now). ${TIME_PARAM_DESCRIPTION}` },
  } as const;
}
