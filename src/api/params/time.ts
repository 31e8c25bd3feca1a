/**
 * Time parameters (`since`, `until`): ISO 8601, epoch milliseconds, or a span before now (`15m`, `24h`,
 * `7d`). Date-times without an offset are read as UTC, never as the server's local time, so the same URL
 * means the same window on every node.
 */
import { BadRequestError } from '../../core/errors.js';
import { parseIso8601, resolveTimeZone } from '../../time/index.js';

export const TIME_PARAM_DESCRIPTION =
  'ISO 8601 (2024-05-01 or 2024-05-01T12:00:00Z; no offset means UTC), epoch milliseconds, ' +
  'or a span before now: <n>s|m|h|d|w (e.g. 15m, 24h, 7d), or "now".';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const RELATIVE = /^(\d{1,6})([smhdw])$/;
const EPOCH_MS = /^\d{1,15}$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const UTC = resolveTimeZone('UTC');
/** Below this an "epoch ms" value is almost surely epoch seconds (it would fall in early 1973). */
const SMALLEST_PLAUSIBLE_MS = 100_000_000_000;

/** Parses one time parameter to epoch ms; throws a 400 naming `name` when it is none of the forms. */
export function parseTimeParam(name: string, raw: string, now: number): number {
  const value = raw.trim();
  if (value === 'now') return now;
  const rel = RELATIVE.exec(value);
  if (rel) return now - Number(rel[1]) * (UNIT_MS[rel[2] as string] as number);
  if (EPOCH_MS.test(value)) {
    const ms = Number(value);
    if (ms < SMALLEST_PLAUSIBLE_MS) {
      throw bad(name, `(${value}) looks like epoch seconds; give epoch milliseconds`);
    }
    return ms;
  }
  // The log parsers' ISO reader: strict about calendar dates (no 30 February rolling into March).
  const ms = parseIso8601(DATE_ONLY.test(value) ? `${value}T00:00` : value, UTC);
  if (ms !== null) return ms;
  throw bad(name, `is not a time: expected ${TIME_PARAM_DESCRIPTION}`);
}

function bad(name: string, problem: string): BadRequestError {
  return new BadRequestError(`query parameter "${name}" ${problem}`, name);
}
