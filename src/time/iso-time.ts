/** ISO 8601 (nginx $time_iso8601, JSON @timestamp) and $msec (epoch seconds with milliseconds). */
import { civilToMs } from './civil.js';
import { twoDigits } from './nginx-time.js';
import type { TimeZone } from './zone.js';

/** Longest ISO text we read: date, time, nine fraction digits, offset. */
const MAX_ISO = 40;

function fourDigits(s: string, i: number): number {
  const a = twoDigits(s, i);
  const b = twoDigits(s, i + 2);
  return a < 0 || b < 0 ? -1 : a * 100 + b;
}

/**
 * Epoch ms of `YYYY-MM-DDTHH:MM[:SS[.fff]]` with `Z`, `±HH:MM`, `±HHMM` or `±HH`; a space may stand for
 * the `T`. Without an offset the wall time is read in `zone`. Null when the text is anything else.
 */
export function parseIso8601(s: string, zone: TimeZone, start = 0, end = s.length): number | null {
  if (end - start < 16 || end - start > MAX_ISO) return null;
  const i = start;
  const year = fourDigits(s, i);
  const month = twoDigits(s, i + 5);
  const day = twoDigits(s, i + 8);
  const hour = twoDigits(s, i + 11);
  const minute = twoDigits(s, i + 14);
  const t = s.charCodeAt(i + 10);
  if (
    (year | month | day | hour | minute) < 0 ||
    s.charCodeAt(i + 4) !== 45 ||
    s.charCodeAt(i + 7) !== 45 ||
    (t !== 84 && t !== 116 && t !== 32) ||
    s.charCodeAt(i + 13) !== 58
  ) {
    return null;
  }
  let p = i + 16;
  let second = 0;
  let fractionMs = 0;
  if (p < end && s.charCodeAt(p) === 58) {
    second = twoDigits(s, p + 1);
    if (second < 0) return null;
    p += 3;
    if (p < end && (s.charCodeAt(p) === 46 || s.charCodeAt(p) === 44)) {
      p++;
      let scale = 100;
      const digitsStart = p;
      while (p < end) {
        const d = s.charCodeAt(p) - 48;
        if (d < 0 || d > 9) break;
        fractionMs += d * scale;
        scale /= 10;
        p++;
      }
      if (p === digitsStart) return null;
      fractionMs = Math.floor(fractionMs);
    }
  }
  const wall = civilToMs(year, month, day, hour, minute, second);
  if (wall === null) return null;
  if (p === end) return zone.wallToUtc(wall) + fractionMs;
  const c = s.charCodeAt(p);
  if ((c === 90 || c === 122) && p + 1 === end) return wall + fractionMs;
  if (c !== 43 && c !== 45) return null;
  const offH = twoDigits(s, p + 1);
  let offM = 0;
  const rest = end - (p + 3);
  if (offH < 0 || offH > 23) return null;
  if (rest === 3 && s.charCodeAt(p + 3) === 58) offM = twoDigits(s, p + 4);
  else if (rest === 2) offM = twoDigits(s, p + 3);
  else if (rest !== 0) return null;
  if (offM < 0 || offM > 59) return null;
  const offset = (offH * 60 + offM) * 60_000;
  return (c === 43 ? wall - offset : wall + offset) + fractionMs;
}

/** Epoch ms of $msec (`1571234567.123`, seconds with an optional fraction); null otherwise. */
export function parseMsec(s: string, start = 0, end = s.length): number | null {
  if (end - start === 0 || end - start > 24) return null;
  let seconds = 0;
  let p = start;
  while (p < end) {
    const d = s.charCodeAt(p) - 48;
    if (d < 0 || d > 9) break;
    seconds = seconds * 10 + d;
    p++;
  }
  if (p === start || p - start > 12) return null;
  let ms = 0;
  if (p < end) {
    if (s.charCodeAt(p) !== 46) return null;
    p++;
    let scale = 100;
    const digitsStart = p;
    while (p < end) {
      const d = s.charCodeAt(p) - 48;
      if (d < 0 || d > 9) return null;
      ms += d * scale;
      scale /= 10;
      p++;
    }
    if (p === digitsStart) return null;
  }
  return seconds * 1000 + Math.floor(ms);
}
