/** nginx `$time_local` (`10/Oct/2000:13:55:36 +0000`), memoised per second because logs repeat it. */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function two(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** `+0000`, `+0530`, `-0700` for an offset east of UTC in minutes. */
export function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return sign + two(Math.floor(abs / 60)) + two(abs % 60);
}

export function validateOffset(offsetMinutes: number): void {
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) > 14 * 60) {
    throw new RangeError(`utcOffsetMinutes must be an integer within ±840, got ${offsetMinutes}`);
  }
}

/** Returns a formatter for one offset; it caches the last second it formatted. */
export function timeLocalFormatter(offsetMinutes = 0): (epochMs: number) => string {
  validateOffset(offsetMinutes);
  const suffix = ' ' + formatOffset(offsetMinutes);
  const shift = offsetMinutes * 60_000;
  let lastSecond = Number.NaN;
  let last = '';
  return (epochMs) => {
    const second = Math.floor(epochMs / 1000);
    if (second === lastSecond) return last;
    const d = new Date(second * 1000 + shift);
    last =
      two(d.getUTCDate()) +
      '/' +
      MONTHS[d.getUTCMonth()] +
      '/' +
      d.getUTCFullYear() +
      ':' +
      two(d.getUTCHours()) +
      ':' +
      two(d.getUTCMinutes()) +
      ':' +
      two(d.getUTCSeconds()) +
      suffix;
    lastSecond = second;
    return last;
  };
}
