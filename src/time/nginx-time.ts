/**
 * nginx $time_local and Apache %t: `10/Oct/2000:13:55:36 -0700`. Parsed by character arithmetic at
 * fixed positions; the day part is cached because consecutive lines almost always share it.
 */
import { civilToMs, daysInMonth } from './civil.js';

/** Length of `dd/Mon/yyyy:HH:MM:SS +hhmm`. */
export const TIME_LOCAL_LENGTH = 26;

/** Month from its three-letter English abbreviation (either case), 0 when not a month. */
function monthAt(s: string, i: number): number {
  const a = s.charCodeAt(i) | 32;
  const b = s.charCodeAt(i + 1) | 32;
  const c = s.charCodeAt(i + 2) | 32;
  switch (a) {
    case 106: // j
      if (b === 97 && c === 110) return 1;
      if (b === 117 && c === 110) return 6;
      if (b === 117 && c === 108) return 7;
      return 0;
    case 102: // f
      return b === 101 && c === 98 ? 2 : 0;
    case 109: // m
      if (b === 97 && c === 114) return 3;
      if (b === 97 && c === 121) return 5;
      return 0;
    case 97: // a
      if (b === 112 && c === 114) return 4;
      if (b === 117 && c === 103) return 8;
      return 0;
    case 115: // s
      return b === 101 && c === 112 ? 9 : 0;
    case 111: // o
      return b === 99 && c === 116 ? 10 : 0;
    case 110: // n
      return b === 111 && c === 118 ? 11 : 0;
    case 100: // d
      return b === 101 && c === 99 ? 12 : 0;
    default:
      return 0;
  }
}

/** Two decimal digits at i, or -1. */
export function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

let cachedDayKey = -1;
let cachedDayMs = 0;

/**
 * Epoch ms (UTC) of `dd/Mon/yyyy:HH:MM:SS ±hhmm` found at s[start..end); null when it is anything else.
 * Works on the line in place so the caller need not cut the field out.
 */
export function parseTimeLocal(s: string, start = 0, end = s.length): number | null {
  if (end - start !== TIME_LOCAL_LENGTH) return null;
  const i = start;
  const day = twoDigits(s, i);
  const month = monthAt(s, i + 3);
  const century = twoDigits(s, i + 7);
  const yy = twoDigits(s, i + 9);
  const hour = twoDigits(s, i + 12);
  const minute = twoDigits(s, i + 15);
  const second = twoDigits(s, i + 18);
  const offH = twoDigits(s, i + 22);
  const offM = twoDigits(s, i + 24);
  const sign = s.charCodeAt(i + 21);
  if (
    (day | century | yy | hour | minute | second | offH | offM) < 0 ||
    month === 0 ||
    s.charCodeAt(i + 2) !== 47 || // '/'
    s.charCodeAt(i + 6) !== 47 ||
    s.charCodeAt(i + 11) !== 58 || // ':'
    s.charCodeAt(i + 14) !== 58 ||
    s.charCodeAt(i + 17) !== 58 ||
    s.charCodeAt(i + 20) !== 32 ||
    (sign !== 43 && sign !== 45) ||
    hour > 23 ||
    minute > 59 ||
    second > 60 ||
    offM > 59
  ) {
    return null;
  }
  const year = century * 100 + yy;
  const key = (year * 16 + month) * 32 + day;
  let dayMs: number;
  if (key === cachedDayKey) {
    dayMs = cachedDayMs;
  } else {
    if (day === 0 || day > daysInMonth(year, month)) return null;
    dayMs = civilToMs(year, month, day, 0, 0, 0)!;
    cachedDayKey = key;
    cachedDayMs = dayMs;
  }
  const offsetMs = (offH * 60 + offM) * 60_000;
  const wall = dayMs + ((hour * 60 + minute) * 60 + second) * 1000;
  return sign === 43 ? wall - offsetMs : wall + offsetMs;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Formats epoch ms as `dd/Mon/yyyy:HH:MM:SS +0000` (UTC), for fixtures and benches. */
export function formatTimeLocalUtc(ms: number): string {
  const d = new Date(ms);
  return (
    `${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`
  );
}
