/**
 * Time parameters (`since`, `until`): ISO 8601, epoch milliseconds, or a span before now (`15m`, `24h`,
 * `7d`). Date-times without an offset are read as UTC, never as the server's local time, so the same URL
 * means the same window on every node. Every time is bounded to TIME_MIN..TIME_MAX before it reaches a
 * query: PostgreSQL refuses timestamps past its range, which must read as the client's mistake, not as
 * an outage.
 */
import * as z from 'zod';
import { parseIso8601, resolveTimeZone } from '../../time/index.js';

export const TIME_PARAM_DESCRIPTION =
  'ISO 8601 (2024-05-01 or 2024-05-01T12:00:00Z; no offset means UTC), epoch milliseconds, ' +
  'or a span before now: <n>s|m|h|d|w (e.g. 15m, 24h, 7d), or "now".';

/** No access log predates the epoch; four-digit years end in 9999 (and PostgreSQL's range is wider). */
export const TIME_MIN = 0;
export const TIME_MAX = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
export const TIME_BOUNDS = `from ${new Date(TIME_MIN).toISOString()} to ${new Date(TIME_MAX).toISOString()}`;

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const RELATIVE = /^(\d{1,6})([smhdw])$/;
const EPOCH_MS = /^\d{1,15}$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const UTC = resolveTimeZone('UTC');
/** Below this an "epoch ms" value is almost surely epoch seconds (it would fall in early 1973). */
const SMALLEST_PLAUSIBLE_MS = 100_000_000_000;
export const MAX_TIME_LENGTH = 40;

/** A time as given: absolute (epoch ms) or a span before the request's "now". */
export type TimeSpec = { at: number } | { ago: number };

/** Reads one time parameter; a string is the problem (for "query parameter X <problem>"). */
export function readTime(raw: string): TimeSpec | string {
  const value = raw.trim();
  if (value === 'now') return { ago: 0 };
  const rel = RELATIVE.exec(value);
  if (rel) return { ago: Number(rel[1]) * (UNIT_MS[rel[2] as string] as number) };
  if (EPOCH_MS.test(value)) {
    const ms = Number(value);
    if (ms < SMALLEST_PLAUSIBLE_MS) return `(${value}) looks like epoch seconds; give epoch milliseconds`;
    return ms > TIME_MAX ? outOfRange : { at: ms };
  }
  // The log parsers' ISO reader: strict about calendar dates (no 30 February rolling into March).
  const ms = parseIso8601(DATE_ONLY.test(value) ? `${value}T00:00` : value, UTC);
  if (ms === null) return `is not a time: expected ${TIME_PARAM_DESCRIPTION}`;
  return ms < TIME_MIN || ms > TIME_MAX ? outOfRange : { at: ms };
}

const outOfRange = `is out of range: times are ${TIME_BOUNDS}`;

/** Epoch ms of a time against `now`; a string is the problem when it falls outside TIME_MIN..TIME_MAX. */
export function resolveTime(spec: TimeSpec, now: number): number | string {
  const ms = 'at' in spec ? spec.at : now - spec.ago;
  return ms < TIME_MIN || ms > TIME_MAX ? outOfRange : ms;
}

/** The zod schema of one time parameter: text in, TimeSpec out (resolved against one "now" per request). */
export function timeParam(description: string) {
  return z
    .string()
    .max(MAX_TIME_LENGTH)
    .transform((raw, ctx) => {
      const spec = readTime(raw);
      if (typeof spec === 'string') {
        ctx.addIssue({ code: 'custom', message: spec });
        return z.NEVER;
      }
      return spec;
    })
    .optional()
    .describe(`${description} ${TIME_PARAM_DESCRIPTION}`);
}
