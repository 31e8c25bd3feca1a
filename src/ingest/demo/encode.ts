/**
 * How the simulator spells requests: query values encoded the way a browser or an attack tool sends
 * them, and log fields escaped the way nginx writes them.
 */

/**
 * - `form`: an HTML form (application/x-www-form-urlencoded): everything but `A-Za-z0-9*-._` is
 *   percent-encoded and a space becomes `+`.
 * - `tool`: curl, sqlmap, nuclei: only what cannot stand in a request target is encoded (space as
 *   `%20`, quotes, `#`, `<`, `>`, `&`, `+`, controls, non-ASCII); `( ) ; $ { } | \` stay raw.
 * In both, a `%` that already starts an escape is kept: a payload's own encoding (`%2e%2e%2f`,
 * `..%252f`) is its evasion, and encoding it again would make a different attack.
 */
export type QueryStyle = 'form' | 'tool';

const HEX = '0123456789ABCDEF';
const utf8 = new TextEncoder();

function isHexDigit(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}

function isFormSafe(code: number): boolean {
  return (
    (code >= 48 && code <= 57) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code === 42 || // *
    code === 45 || // -
    code === 46 || // .
    code === 95 // _
  );
}

/** Characters a tool must encode in a query value even though it sends everything else raw. */
const TOOL_ENCODED = new Set([...' "\'#<>&+`'].map((c) => c.charCodeAt(0)));

function percent(byte: number): string {
  return '%' + HEX[byte >> 4] + HEX[byte & 15];
}

/** True when `value` contains a percent-escape of its own (then only `tool` style keeps it intact). */
export function hasPercentEscape(value: string): boolean {
  return /%[0-9A-Fa-f]{2}/.test(value);
}

export function encodeQueryValue(value: string, style: QueryStyle): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 37 /* % */) {
      const keep = isHexDigit(value.charCodeAt(i + 1)) && isHexDigit(value.charCodeAt(i + 2));
      out += keep ? '%' : '%25';
    } else if (code === 32) {
      out += style === 'form' ? '+' : '%20';
    } else if (code >= 0x80) {
      // Whole code point, surrogate pairs included, as UTF-8 bytes.
      const cp = value.codePointAt(i) as number;
      if (cp > 0xffff) i++;
      for (const byte of utf8.encode(String.fromCodePoint(cp))) out += percent(byte);
    } else if (code < 0x20 || code === 0x7f) {
      out += percent(code);
    } else if (style === 'form' ? isFormSafe(code) : !TOOL_ENCODED.has(code)) {
      out += value[i];
    } else {
      out += percent(code);
    }
  }
  return out;
}

/** Query string from [name, value] pairs, each value encoded in the given style. */
export function buildQuery(params: readonly (readonly [string, string])[], style: QueryStyle): string {
  return params.map(([name, value]) => `${name}=${encodeQueryValue(value, style)}`).join('&');
}

/** Quick test for anything nginx would escape in a log field. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/;

/**
 * nginx's default `escape=default` for log variables: `"`, `\`, controls and bytes >= 0x7f become
 * `\xHH` (upper-case hex, non-ASCII as its UTF-8 bytes). Requests are escaped this way in real logs,
 * e.g. ThinkPHP probes appear as `/index.php?s=/Index/\x5Cthink\x5Capp/...`.
 */
export function escapeLogValue(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0) as number;
    if (code === 34 || code === 92 || code < 0x20 || code === 0x7f) {
      out += '\\x' + HEX[code >> 4] + HEX[code & 15];
    } else if (code > 0x7f) {
      for (const byte of utf8.encode(char)) out += '\\x' + HEX[byte >> 4] + HEX[byte & 15];
    } else {
      out += char;
    }
  }
  return out;
}
