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
 * Turn bytes[0..n) into text. Overlong UTF-8 forms of ASCII (`c0 ae`, `e0 80 ae`) decode to the
 * ASCII character they smuggle, as IIS and old decoders did; invalid bytes become U+FFFD.
 */
function bytesToText(bytes: number[], n: number): string {
  let out = '';
  let i = 0;
  while (i < n) {
    const b = bytes[i] as number;
    const b1 = i + 1 < n ? (bytes[i + 1] as number) : -1;
    const b2 = i + 2 < n ? (bytes[i + 2] as number) : -1;
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
      while (j < n && (bytes[j] as number) >= 0x80 && (bytes[j] as number) < 0xc0 && j - i < 4) j++;
      out += Buffer.from(bytes.slice(i, j)).toString('utf8');
      i = j;
    }
  }
  return out;
}

/** Scratch for one run of escapes (decoding is synchronous, so one buffer serves every call). */
const runBytes: number[] = [];

/**
 * One round of lenient percent-decoding: invalid escapes stay as they are, never throws. Text between
 * escapes is copied in slices, and each run of consecutive escapes is decoded as one byte sequence
 * (so multi-byte UTF-8 and overlong forms spanning several escapes decode together).
 */
export function percentDecodeOnce(s: string): string {
  let i = s.indexOf('%');
  if (i === -1) return s;
  const n = s.length;
  let out = '';
  let copied = 0; // s[copied..i) is literal text not yet in `out`
  while (i !== -1 && i + 2 < n) {
    let j = i;
    let count = 0;
    while (j + 2 < n && s.charCodeAt(j) === 37) {
      const h = hexVal(s.charCodeAt(j + 1));
      const l = hexVal(s.charCodeAt(j + 2));
      if (h < 0 || l < 0) break;
      runBytes[count++] = h * 16 + l;
      j += 3;
    }
    if (count === 0) {
      i = s.indexOf('%', i + 1); // a lone `%`: literal
      continue;
    }
    out += s.slice(copied, i) + bytesToText(runBytes, count);
    copied = j;
    i = s.indexOf('%', j);
  }
  return copied === 0 ? s : out + s.slice(copied);
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

/** Is there a `%c0`, `%c1` or `%e0` (any case)? Only those can start an overlong form. */
function hasOverlongLead(s: string): boolean {
  for (let at = s.indexOf('%'); at !== -1; at = s.indexOf('%', at + 1)) {
    const a = s.charCodeAt(at + 1) | 32;
    const b = s.charCodeAt(at + 2);
    if ((a === 99 && (b === 48 || b === 49)) || (a === 101 && b === 48)) return true;
  }
  return false;
}

/** Overlong UTF-8 in percent form (`%c0%ae`, `%e0%80%ae`) → the ASCII character it smuggles. */
export function overlongUtf8(s: string): string {
  if (!hasOverlongLead(s)) return s;
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

/** NAMED's keys packed into numbers (5 bits a letter), so a lookahead can test a name without a substring. */
const NAMED_CODES = new Set(Object.keys(NAMED).map((k) => nameCode(k, 0, k.length)));

function nameCode(s: string, from: number, to: number): number {
  let h = 0;
  for (let i = from; i < to; i++) h = h * 32 + ((s.charCodeAt(i) | 32) - 96);
  return h;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/**
 * Could htmlEntity change the `&` at `at`? True for `&#...` (numeric; left to the regex) and for a
 * known name. The regex takes the longest run of 2 to 8 letters (`;` is optional, so it never
 * backtracks to a shorter name): `&utm_source` → `utm`, unknown, unchanged. So in a query string the
 * `&` between arguments is not a trigger, and such values skip decoding entirely.
 */
export function entityAt(s: string, at: number): boolean {
  const next = s.charCodeAt(at + 1);
  if (next === 35) return true; // &#
  let end = at + 1;
  while (end < s.length && end - at - 1 < 8 && isAsciiLetter(s.charCodeAt(end))) end++;
  return end - at - 1 >= 2 && NAMED_CODES.has(nameCode(s, at + 1, end));
}

function hasEntity(s: string): boolean {
  for (let at = s.indexOf('&'); at !== -1; at = s.indexOf('&', at + 1)) if (entityAt(s, at)) return true;
  return false;
}

/** HTML entities: common named ones, decimal and hex (browsers accept a missing `;`, so do we). */
export function htmlEntity(s: string): string {
  if (!hasEntity(s)) return s;
  return s.replace(/&(?:#[xX]0*([0-9a-fA-F]{1,6})|#0*([0-9]{1,7})|([a-zA-Z]{2,8}));?/g, (m, hex?: string, dec?: string, name?: string) => {
    const code = hex !== undefined ? parseInt(hex, 16) : dec !== undefined ? parseInt(dec, 10) : -1;
    if (code >= 0) return code <= 0x10ffff ? String.fromCodePoint(code) : m;
    const v = name !== undefined ? NAMED[name.toLowerCase()] : undefined;
    return v ?? m;
  });
}
