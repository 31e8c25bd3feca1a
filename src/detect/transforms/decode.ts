/**
 * Decoding transforms: percent-encoding, %uXXXX escapes, HTML entities, overlong UTF-8.
 * Every function only ever shrinks its input (an escape is always longer than what it decodes to),
 * which is what keeps normalisation bounded on hostile input.
 */

/** The value of a hex digit's char code, or -1. */
export function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Turn bytes[0..n) into text. Overlong UTF-8 forms of ASCII (`c0 ae`, `e0 80 ae`) decode to the
 * ASCII character they smuggle, as IIS and old decoders did; invalid bytes become U+FFFD.
 */
export function bytesToText(bytes: number[], n: number): string {
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
      const used = utf8Sequence(bytes, i, n);
      out += used > 0 ? String.fromCodePoint(decodedPoint) : '\ufffd';
      i += used > 0 ? used : -used;
    }
  }
  return out;
}

/** The code point of the last sequence utf8Sequence accepted. */
let decodedPoint = 0;

/**
 * One UTF-8 sequence starting at bytes[i] (a byte from 0x80 up), decoded as the WHATWG decoder (and
 * Buffer) does: a valid sequence of n bytes returns n and sets decodedPoint; otherwise returns minus
 * the length of its maximal valid prefix (at least 1), which stands for one U+FFFD. In place, without a
 * Buffer per sequence: a field of broken sequences (`%e5%98%8…`) is thousands of them.
 */
function utf8Sequence(bytes: number[], i: number, n: number): number {
  const b = bytes[i] as number;
  let need: number;
  let cp: number;
  let lower = 0x80;
  let upper = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) {
    need = 1;
    cp = b & 0x1f;
  } else if (b >= 0xe0 && b <= 0xef) {
    need = 2;
    cp = b & 0x0f;
    if (b === 0xe0) lower = 0xa0;
    if (b === 0xed) upper = 0x9f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    need = 3;
    cp = b & 0x07;
    if (b === 0xf0) lower = 0x90;
    if (b === 0xf4) upper = 0x8f;
  } else {
    return -1;
  }
  for (let k = 1; k <= need; k++) {
    const c = i + k < n ? (bytes[i + k] as number) : -1;
    if (c < lower || c > upper) return -k;
    cp = (cp << 6) | (c & 0x3f);
    lower = 0x80;
    upper = 0xbf;
  }
  decodedPoint = cp;
  return need + 1;
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

/** Exported for the tests' reference decoder. */
export const NAMED: Readonly<Record<string, string>> = {
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

/**
 * HTML entities: common named ones, decimal and hex (browsers accept a missing `;`, so do we). What
 * `&(?:#[xX]0*([0-9a-fA-F]{1,6})|#0*([0-9]{1,7})|([a-zA-Z]{2,8}));?` replaced, by hand: a field of
 * entities (`&amp;#&amp;#…`) is thousands of matches, and a replace callback per match cost 3x this.
 */
export function htmlEntity(s: string): string {
  if (!hasEntity(s)) return s;
  let out = '';
  let copied = 0; // s[copied..at) is text not yet in `out`
  for (let at = s.indexOf('&'); at !== -1; at = s.indexOf('&', at + 1)) {
    const end = entityEnd(s, at);
    if (end < 0) continue;
    // An unknown name or an out-of-range number stays as it is (and its text holds no `&`).
    if (decodedEntity !== null) {
      out += s.slice(copied, at) + decodedEntity;
      copied = end;
    }
    at = end - 1;
  }
  return copied === 0 ? s : out + s.slice(copied);
}

/** What the entity entityEnd last read stands for; null when it is left as it is. */
let decodedEntity: string | null = null;

/** The end of the entity at `at` (after an optional `;`), setting decodedEntity; -1 if none starts there. */
function entityEnd(s: string, at: number): number {
  const n = s.length;
  let i = at + 1;
  let code = -1;
  if (s.charCodeAt(i) === 35) {
    i++;
    const hex = (s.charCodeAt(i) | 32) === 120;
    if (hex) i++;
    const base = hex ? 16 : 10;
    const max = hex ? 6 : 7;
    let zeros = 0;
    while (i < n && s.charCodeAt(i) === 48) {
      i++;
      zeros++;
    }
    let digits = 0;
    let v = 0;
    for (; i < n && digits < max; i++, digits++) {
      const d = hexVal(s.charCodeAt(i));
      if (d < 0 || d >= base) break;
      v = v * base + d;
    }
    if (digits === 0) {
      // `&#x` then no digit: the decimal alternative cannot match either (`x` is not a digit).
      if (zeros === 0) return -1;
      v = 0; // `&#000`: the zeros give back their last one as the number
    }
    code = v;
  } else {
    let end = i;
    while (end < n && end - i < 8 && isAsciiLetter(s.charCodeAt(end))) end++;
    if (end - i < 2) return -1;
    decodedEntity = NAMED[s.slice(i, end).toLowerCase()] ?? null;
    return s.charCodeAt(end) === 59 ? end + 1 : end;
  }
  decodedEntity = code <= 0x10ffff ? String.fromCodePoint(code) : null;
  return s.charCodeAt(i) === 59 ? i + 1 : i;
}

/**
 * IIS-era lenient hex digit: 0-9, then a-z counted on past f (`g` = 16 ... `z` = 35), as the decoder of
 * the IIS "Unicode" traversal (MS00-078) read them: `%c0%qf` is c0 af, `%c1%pc` is c1 9c. -1 otherwise.
 */
function lenientHex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  return l >= 97 && l <= 122 ? l - 87 : -1;
}

/** The byte of a (possibly lenient) escape `%XY` at `at`, modulo 256; -1 if there is none. */
function lenientEscape(s: string, at: number): number {
  if (s.charCodeAt(at) !== 37) return -1;
  const h = lenientHex(s.charCodeAt(at + 1));
  const l = lenientHex(s.charCodeAt(at + 2));
  return h < 0 || l < 0 ? -1 : (h * 16 + l) & 0xff;
}

/** A strict escape `%XY` at `at`, or -1. */
function strictEscape(s: string, at: number): number {
  if (s.charCodeAt(at) !== 37) return -1;
  const h = hexVal(s.charCodeAt(at + 1));
  const l = hexVal(s.charCodeAt(at + 2));
  return h < 0 || l < 0 ? -1 : h * 16 + l;
}

/**
 * What a two-byte form with lead c0/c1 and second byte `b` smuggles, or -1. A plain `.`, `/` or `\`
 * after the lead is itself (the stray lead byte is dropped); a second byte whose low six bits are a dot
 * or slash (`%c0%af`, `%c1%af`, `%c0%6e`, `%c0%2f`) or a backslash's (`%c1%9c`, `%c1%1c`) is that
 * character, because IIS ignored the top bits; any other continuation byte is the overlong ASCII form.
 */
function iisPair(lead: number, b: number, literal: boolean): number {
  if (b === 0x2e || b === 0x2f || b === 0x5c) return b;
  if (literal) return -1;
  const c = b & 0x3f;
  if (c === 0x2e || c === 0x2f) return c;
  if (c === 0x1c) return 0x5c;
  return b >= 0x80 && b <= 0xbf ? ((lead & 1) << 6) | c : -1;
}

/** Longer overlong forms: `%f0%80%80%af` (4 bytes), `%f8...` (5), `%fc...` (6) and `%e0%80%ae` (3). */
function overlongLong(s: string, at: number, lead: number): { ch: number; len: number } | null {
  const conts = lead === 0xe0 ? 2 : lead === 0xf0 ? 3 : lead === 0xf8 ? 4 : lead === 0xfc ? 5 : 0;
  if (conts === 0) return null;
  let v = 0;
  for (let k = 1; k <= conts; k++) {
    const b = strictEscape(s, at + 3 * k);
    if (b < 0x80 || b > 0xbf) return null;
    v = (v << 6) | (b & 0x3f);
  }
  return v < 0x80 ? { ch: v, len: 3 * (conts + 1) } : null;
}

/**
 * Is there a `%` followed (through at most three `25`s) by a lead byte that the IIS forms start with, or
 * by another `%` (a split escape: `%%32%%66`, `%2%f`)?
 */
function hasIisLead(s: string): boolean {
  for (let at = s.indexOf('%'); at !== -1; at = s.indexOf('%', at + 1)) {
    let j = at + 1;
    for (let k = 0; k < 3 && s.charCodeAt(j) === 50 && s.charCodeAt(j + 1) === 53; k++) j += 2;
    const a = s.charCodeAt(j) | 32;
    const b = s.charCodeAt(j + 1) | 32;
    if (a === 37 || (s.charCodeAt(j + 1) === 37 && hexVal(s.charCodeAt(j)) >= 0) || ((a === 99 && (b === 48 || b === 49)) || (a === 98 && (b === 103 || b === 104)) || (a === 101 && b === 48) || (a === 102 && (b === 48 || b === 56 || b === 99)))) return true;
  }
  return false;
}

/** One round of folding the IIS forms to the character they smuggle (output never longer). */
function foldIis(s: string): string {
  let out = '';
  let copied = 0;
  for (let at = s.indexOf('%'); at !== -1 && at + 2 < s.length; ) {
    const lead = lenientEscape(s, at);
    let ch = -1;
    let len = 0;
    if (lead === 0xc0 || lead === 0xc1) {
      const esc = lenientEscape(s, at + 3);
      if (esc >= 0) {
        ch = iisPair(lead, esc, false);
        len = 6;
      } else if (at + 3 < s.length) {
        ch = iisPair(lead, s.charCodeAt(at + 3), true);
        len = 4;
      }
    } else if (lead >= 0xe0 && strictEscape(s, at) === lead) {
      const r = overlongLong(s, at, lead);
      if (r !== null) ({ ch, len } = r);
    } else if (s.charCodeAt(at + 2) === 37) {
      // `%2%f`: an escape split by a second `%` (what `%%32%%66` decodes to), for a dot or slash only.
      const h = hexVal(s.charCodeAt(at + 1));
      const l = hexVal(s.charCodeAt(at + 3));
      const b = h < 0 || l < 0 ? -1 : h * 16 + l;
      if (b === 0x2e || b === 0x2f || b === 0x5c) {
        ch = b;
        len = 4;
      }
    }
    if (ch < 0) {
      at = s.indexOf('%', at + 1);
      continue;
    }
    out += s.slice(copied, at) + String.fromCharCode(ch);
    copied = at + len;
    at = s.indexOf('%', copied);
  }
  return copied === 0 ? s : out + s.slice(copied);
}

/** Position of the next strict `%c0` / `%c1` escape at or after `from`, or -1. */
function nextLead(s: string, from: number): number {
  for (let at = s.indexOf('%', from); at !== -1; at = s.indexOf('%', at + 1)) {
    if ((s.charCodeAt(at + 1) | 32) === 99 && (s.charCodeAt(at + 2) === 48 || s.charCodeAt(at + 2) === 49)) return at;
  }
  return -1;
}

/** percentDecodeOnce, except that a `%c0` / `%c1` left over stays as it is (the next round may pair it). */
function decodeKeepingLeads(s: string): string {
  let at = nextLead(s, 0);
  if (at === -1) return percentDecodeOnce(s);
  let out = '';
  let from = 0;
  for (; at !== -1; at = nextLead(s, from)) {
    out += percentDecodeOnce(s.slice(from, at)) + s.slice(at, at + 3);
    from = at + 3;
  }
  return out + percentDecodeOnce(s.slice(from));
}

/**
 * IIS-style lenient decoding of the encodings traversal fuzzers (dotdotpwn) send: overlong UTF-8 of any
 * length (`%f0%80%80%af`, `%fc%80%80%80%80%ae`), c0/c1 pairs with ignored top bits or out-of-range hex
 * digits (`%c1%1c`, `%c0%qf`, `%c1%pc`, `%bg%qf`), a stray lead before a dot or slash (`%c0.`, `%c0%5c`),
 * split escapes of a dot or slash (`%%32%%65` → `%2%e` → `.`), also under up to three levels of `%25`. Up to 3 rounds of fold-then-decode; a value without such a
 * lead byte comes back as it is (then urlDecode does the ordinary decoding). Never grows the string.
 */
export function iisDecode(s: string): string {
  if (!hasIisLead(s)) return s;
  let cur = s;
  for (let round = 0; round < 3; round++) {
    const next = decodeKeepingLeads(foldIis(cur));
    if (next === cur) break;
    cur = next;
  }
  return foldIis(cur);
}
