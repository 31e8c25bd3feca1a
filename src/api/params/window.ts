/**
 * The time window of an analytics endpoint: `since`/`until` (ISO, epoch ms or a span before now, see time.ts)
 * or `range` (a span ending now: 1h, 24h, 7d, 30d…), never both. Resolved against one reading of the clock per
 * request inside the route's query schema, so a bad value is a 400 naming the parameter.
 */
import * as z from 'zod';
import { documentAs } from '../request-schema.js';
import { resolveRange } from './range.js';
import { readTime, timeParam, type TimeSpec } from './time.js';

/** The longest window an aggregate covers (rollups make it cheap; the bound keeps a typo from meaning years). */
export const MAX_WINDOW_MS = 400 * 86_400_000;
const RANGE = /^(\d{1,4})([mhdw])$/;

export interface TimeWindow {
  since: number;
  until: number;
}

/** since, until and range fields; `defaultSpan` is the window when none is given (e.g. '24h'). */
export function windowFields(defaultSpan: string) {
  return {
    since: timeParam(`Oldest time, inclusive (default: ${defaultSpan} before until); exclusive with range.`),
    until: timeParam('Newest time, exclusive (default: now); exclusive with range.'),
    range: documentAs(
      z
        .string()
        .max(8)
        .transform((raw, ctx): TimeSpec => {
          const spec = RANGE.test(raw.trim()) ? readTime(raw) : 'is not a span';
          if (typeof spec === 'string' || !('ago' in spec) || spec.ago <= 0) {
            ctx.addIssue({ code: 'custom', message: 'must be a span before now: <n>m|h|d|w, e.g. 1h, 24h, 7d, 30d' });
            return z.NEVER;
          }
          return spec;
        })
        .optional(),
      {
        type: 'string',
        maxLength: 8,
        description: `A window ending now: <n>m|h|d|w (1h, 24h, 7d, 30d); default ${defaultSpan}; exclusive with since/until.`,
      },
    ),
  };
}

interface WindowInput {
  since?: TimeSpec | undefined;
  until?: TimeSpec | undefined;
  range?: TimeSpec | undefined;
}

/** One window: range, or since/until with defaults; at most MAX_WINDOW_MS long. */
export function resolveWindow(q: WindowInput, now: number, defaultSpanMs: number, ctx: z.RefinementCtx): TimeWindow {
  if (q.range !== undefined && (q.since !== undefined || q.until !== undefined)) {
    ctx.addIssue({ code: 'custom', message: 'and since/until are exclusive; give one', path: ['range'] });
    return { since: now - defaultSpanMs, until: now };
  }
  const span = q.range !== undefined && 'ago' in q.range ? q.range.ago : defaultSpanMs;
  const w = resolveRange(q, now, span, ctx);
  if (w.until - w.since > MAX_WINDOW_MS) {
    ctx.addIssue({ code: 'custom', message: `makes a window longer than ${MAX_WINDOW_MS / 86_400_000} days; narrow it`, path: [q.range !== undefined ? 'range' : 'since'] });
  }
  return w;
}
