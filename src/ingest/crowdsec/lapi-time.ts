/**
 * The two time notations the CrowdSec LAPI speaks: Go durations (`3h59m59.2851564s`, `-11.091292ms`, `0`), which
 * decisions carry as time left, and Go's `time.String()` form (`2015-06-03 11:06:48 +0000 UTC`) that alerts use for
 * `start_at`, `stop_at` and event timestamps beside RFC 3339 (`created_at`). Hand-written because no npm package
 * parses Go's notations; both parsers are linear (one anchored regex, no nested quantifiers) and bounded.
 */

const MAX_DURATION_TEXT = 64;
const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** A Go duration in milliseconds (may be negative), or null when the text is not one. */
export function parseGoDuration(text: string): number | null {
  if (text.length === 0 || text.length > MAX_DURATION_TEXT) return null;
  let i = 0;
  let sign = 1;
  if (text[0] === '-' || text[0] === '+') {
    sign = text[0] === '-' ? -1 : 1;
    i = 1;
  }
  if (text.slice(i) === '0') return 0;
  let total = 0;
  let parts = 0;
  while (i < text.length) {
    PART.lastIndex = i;
    const m = PART.exec(text);
    if (m === null) return null;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    i = PART.lastIndex;
    parts++;
  }
  return parts === 0 ? null : sign * total;
}

/** Milliseconds as a Go duration the LAPI accepts (`4h`, `90s`, `1h30m`): whole seconds, at least 1 s. */
export function formatGoDuration(ms: number): string {
  let s = Math.max(1, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${s > 0 || (h === 0 && m === 0) ? `${s}s` : ''}`;
}

// `2015-06-03 11:06:48 +0000 UTC`, with optional fraction and an optional zone abbreviation (or `m=+…` monotonic part).
const GO_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d{1,9})? ([+-])(\d{2})(\d{2})(?: [A-Za-z0-9+-]{1,8})?(?: m=[+-][0-9.]{1,30})?$/;

/** Epoch ms of a time in Go's `time.String()` form or in RFC 3339; null when it is neither (or out of range). */
export function parseLapiTime(text: string): number | null {
  if (text.length === 0 || text.length > 80) return null;
  const g = GO_TIME.exec(text);
  const iso = g ? `${g[1]}T${g[2]}${g[3] ? g[3].slice(0, 4) : ''}${g[4]}${g[5]}:${g[6]}` : text;
  if (!g && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}
