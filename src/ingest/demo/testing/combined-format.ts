/** Test helpers: a strict nginx `combined` matcher and decoders for what the simulator writes. */
import { isIP } from 'node:net';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * remote_addr, `- -`, [time_local], "request" (METHOD target HTTP/x.y, or escaped bytes only), status,
 * bytes, "referer", "user agent". Fields hold printable ASCII only; `"` and `\` appear solely as `\xHH`.
 */
export const COMBINED =
  /^([0-9a-f.:]+) - - \[(\d{2})\/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\] "(?:(GET|POST|HEAD) ((?:[!#-[\]-~]|\\x[0-9A-F]{2})+) (HTTP\/1\.0|HTTP\/1\.1|HTTP\/2\.0)|((?:\\x[0-9A-F]{2})+))" ([1-5]\d\d) (\d+) "((?:[ !#-[\]-~]|\\x[0-9A-F]{2})*)" "((?:[ !#-[\]-~]|\\x[0-9A-F]{2})*)"$/;

export interface ParsedLine {
  ip: string;
  /** Epoch ms (UTC) of the second shown. */
  time: number;
  method: string | null;
  target: string | null;
  status: number;
  bytes: number;
  referer: string;
  userAgent: string;
}

export function parseCombined(line: string): ParsedLine | null {
  const m = COMBINED.exec(line);
  if (!m || isIP(m[1] as string) === 0) return null;
  const [, ip, day, mon, year, hh, mm, ss, sign, oh, om, method, target, , , status, bytes, referer, ua] = m;
  const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const local = Date.UTC(
    Number(year),
    MONTHS.indexOf(mon as string),
    Number(day),
    Number(hh),
    Number(mm),
    Number(ss),
  );
  return {
    ip: ip as string,
    time: local - offset * 60_000,
    method: method ?? null,
    target: target ?? null,
    status: Number(status),
    bytes: Number(bytes),
    referer: referer as string,
    userAgent: ua as string,
  };
}

/** Undoes nginx log escaping, then one round of form decoding, tolerating invalid UTF-8 and bad escapes. */
export function decodeOnce(text: string): string {
  const unlogged = text.replace(/\\x([0-9A-F]{2})/g, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
  const bytes = unlogged
    .replace(/\+/g, ' ')
    .replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** The decoded query string of a request target ('' without one). */
export function decodedQuery(target: string): string {
  const q = target.indexOf('?');
  return q < 0 ? '' : decodeOnce(target.slice(q + 1));
}
