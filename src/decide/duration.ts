/**
 * Durations as people write them in config and on the command line (`90s`, `30m`, `4h`, `7d`, `2w`, or a
 * sum such as `1h30m`), and as CrowdSec's bouncers read them: Go's time.Duration text (`3h59m59.285s`,
 * negative once a decision has expired).
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const PART = /(\d{1,9})(ms|s|m|h|d|w)/y;
/** Longest decision: ten years (anything longer is a typo, and keeps timestamps far from overflow). */
export const MAX_DURATION_MS = 3650 * 86_400_000;

/** `4h` → 14,400,000. Throws an error naming the text when it is not a positive duration of at most 10 years. */
export function parseDuration(text: string): number {
  const s = text.trim();
  const shown = JSON.stringify(s.slice(0, 40));
  if (s.length === 0 || s.length > 40) throw new Error(`duration ${shown} is not valid: expected e.g. 30m, 4h, 7d or 1h30m`);
  let ms = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const at = PART.lastIndex;
    const m = PART.exec(s);
    if (!m || m.index !== at) throw new Error(`duration ${shown} is not valid: expected e.g. 30m, 4h, 7d or 1h30m`);
    ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  if (ms <= 0) throw new Error(`duration ${shown} must be longer than zero`);
  if (ms > MAX_DURATION_MS) throw new Error(`duration ${shown} is longer than 10 years`);
  return ms;
}

/**
 * Go's Duration.String() for a span in milliseconds: `3h59m59.285s`, `59m0s`, `-11ms`, `0s`. Bouncers parse it
 * with time.ParseDuration; the form follows Go's, units up to hours, so `168h0m0s` for a week.
 */
export function goDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms));
  if (rest === 0) return '0s';
  if (rest < 1000) return `${sign}${rest}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  const frac = rest - s * 1000;
  const secs = frac === 0 ? `${s}` : `${s}.${String(frac).padStart(3, '0').replace(/0+$/, '')}`;
  if (h > 0) return `${sign}${h}h${m}m${secs}s`;
  if (m > 0) return `${sign}${m}m${secs}s`;
  return `${sign}${secs}s`;
}
