/**
 * A since/until pair, resolved against one reading of the clock per request (so `since=1h&until=now` is
 * exactly an hour), bounded, and checked in order. Used inside a route's query schema (`.transform`), so
 * every failure is a 400 naming the parameter before any query runs.
 */
import * as z from 'zod';
import { resolveTime, timeParam, type TimeSpec } from './time.js';

/** The two schema fields; `defaultSpan` only documents the default (e.g. '24h'), or null when unbounded. */
export function timeRangeFields(defaultSpan: string | null) {
  return {
    since: timeParam(
      defaultSpan === null
        ? 'Oldest event time, inclusive.'
        : `Oldest time, inclusive (default: ${defaultSpan} before until).`,
    ),
    until: timeParam(defaultSpan === null ? 'Newest event time, exclusive.' : 'Newest time, exclusive (default: now).'),
  };
}

interface RangeInput {
  since?: TimeSpec | undefined;
  until?: TimeSpec | undefined;
}

/** Resolves both times; undefined ones stay undefined. Adds an issue (naming the parameter) on failure. */
export function resolveOptionalRange(
  q: RangeInput,
  now: number,
  ctx: z.RefinementCtx,
): { since?: number; until?: number } {
  const out: { since?: number; until?: number } = {};
  for (const name of ['since', 'until'] as const) {
    const spec = q[name];
    if (spec === undefined) continue;
    const ms = resolveTime(spec, now);
    if (typeof ms === 'string') {
      ctx.addIssue({ code: 'custom', message: ms, path: [name] });
      return out;
    }
    out[name] = ms;
  }
  if (out.since !== undefined && out.until !== undefined && out.since > out.until) {
    ctx.addIssue({ code: 'custom', message: 'is after "until"', path: ['since'] });
  }
  return out;
}

/** As resolveOptionalRange, with defaults: until is now, since is `defaultSpanMs` before until. */
export function resolveRange(
  q: RangeInput,
  now: number,
  defaultSpanMs: number,
  ctx: z.RefinementCtx,
): { since: number; until: number } {
  const r = resolveOptionalRange(q, now, ctx);
  const until = r.until ?? now;
  const since = r.since ?? Math.max(0, until - defaultSpanMs);
  if ((r.since === undefined || r.until === undefined) && since > until) ctx.addIssue({ code: 'custom', message: 'is after "until"', path: ['since'] });
  return { since, until };
}
