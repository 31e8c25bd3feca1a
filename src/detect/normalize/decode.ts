/**
 * Decoding transforms: percent-encoding, %uXXXX escapes, HTML entities, overlong UTF-8.
 * Every function only ever shrinks its input (an escape is always longer than what it decodes to),
 * which is what keeps normalisation bounded on hostile input.
 */

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Turn a byte sequence into text. Overlong UTF-8 forms of ASCII (`c0 ae`, `e0 80 ae`) decode to the
 * ASCII character they smuggle, as IIS and old decoders did; invalid bytes become U+FFFD.
 */
function bytesToText(bytes: number[]): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? -1;
    const b2 = bytes[i + 2] ?? -1;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i += 1;
    } else if ((b === 0xc0 || b === 0xc1) && (b1 & 0xc0) === 0x80) {
      out += String.fromCharCode(((b & 0x1f) << 6) | (b1 & 0x3f));
      i += 2;
    } else if (b === 0xe0 && b1 >= 0x80 && b1 <= 0x9f && (b2 & 0xc0) === 0x80) {
      out += String.fromCharCode(((b1 & 0x3f) << 6) | (b2 & 0x3f));
      i += 3;
    } else {
      // Find the end of this (possibly valid) multi-byte run and let Buffer decode it leniently.
      let j = i + 1;
      while (j < bytes.length && (bytes[j] ?? 0) >= 0x80 && (bytes[j] ?? 0) < 0xc0 && j - i < 4) j++;
      out += Buffer.from(bytes.slice(i, j)).toString('utf8');
      i = j;
    }
  }
  return out;
}

/** One round of lenient percent-decoding: invalid escapes stay as they are, never throws. */
export function percentDecodeOnce(s: string): string {
  if (s.indexOf('%') === -1) return s;
  let out = '';
  let bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 && i + 2 < s.length) {
      const h = hexVal(s.charCodeAt(i + 1));
      const l = hexVal(s.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) {
        bytes.push(h * 16 + l);
        i += 2;
        continue;
      }
    }
    if (bytes.length > 0) {
      out += bytesToText(bytes);
      bytes = [];
    }
    out += s[i];
  }
  if (bytes.length > 0) out += bytesToText(bytes);
  return out;
}

/** Repeated percent-decoding: at most 3 rounds, stops as soon as a round changes nothing. */
export function urlDecode(s: string): string {
  let cur = s;
  for (let round = 0; round < 3; round++) {
    const next = percentDecodeOnce(cur);
    if (next === cur) break;
    cur = next;
  }
  return cur;
}

/**
 * `%uXXXX` (IIS) and `\uXXXX` (JavaScript) escapes; then fullwidth forms (U+FF01-FF5E, e.g. `．．／`)
 * fold to ASCII, as IIS's best-fit mapping does; so do the slash look-alikes (∕ ∖ ⁄ ﹨ and the
 * private-use U+EFC8/U+F025 that best-fit maps to / and \\).
 */
export function unicodeEscape(s: string): string {
  let out = s;
  if (out.indexOf('%u') !== -1 || out.indexOf('%U') !== -1 || out.indexOf('\\u') !== -1) {
    out = out.replace(/(?:%|\\)[uU]([0-9a-fA-F]{4})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  if (/[\uff01-\uff5e]/.test(out)) {
    out = out.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  }
  if (/[\u2215\u2216\u2044\ufe68\uefc8\uf025]/.test(out)) {
    out = out.replace(/[\u2215\u2044\uefc8]/g, '/').replace(/[\u2216\ufe68\uf025]/g, '\\');
  }
  return out;
}

/** Overlong UTF-8 in percent form (`%c0%ae`, `%e0%80%ae`) → the ASCII character it smuggles. */
export function overlongUtf8(s: string): string {
  if (s.indexOf('%') === -1) return s;
  return s
    .replace(/%e0%[89][0-9a-f]%([89ab][0-9a-f])/gi, (m) => percentDecodeOnce(m))
    .replace(/%c[01]%([89ab][0-9a-f])/gi, (m) => percentDecodeOnce(m));
}

const NAMED: Record<string, string> = {
  lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: '\u00a0', colon: ':', tab: '\t',
  newline: '\n', sol: '/', bsol: '\\', lpar: '(', rpar: ')', semi: ';', comma: ',', period: '.',
  excl: '!', num: '#', dollar: '$', percnt: '%', lowbar: '_', equals: '=', grave: '`', plus: '+',
  lsqb: '[', rsqb: ']', lbrace: '{', rbrace: '}', vert: '|', quest: '?', ast: '*', hyphen: '-',
};

/** HTML entities: common named ones, decimal and hex (browsers accept a missing `;`, so do we). */
export function htmlEntity(s: string): string {
  if (s.indexOf('&') === -1) return s;
  return s.replace(/&(?:#[xX]0*([0-9a-fA-F]{1,6})|#0*([0-9]{1,7})|([a-zA-Z]{2,8}));?/g, (m, hex?: string, dec?: string, name?: string) => {
    const code = hex !== undefined ? parseInt(hex, 16) : dec !== undefined ? parseInt(dec, 10) : -1;
    if (code >= 0) return code <= 0x10ffff ? String.fromCodePoint(code) : m;
    const v = name !== undefined ? NAMED[name.toLowerCase()] : undefined;
    return v ?? m;
  });
}
