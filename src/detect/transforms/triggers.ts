/**
 * Which transforms could change a text, learnt in one charCode pass. Each transform only acts on a few
 * "trigger" characters (urlDecode needs `%`, htmlEntity needs `&`, ...), so a value without them is
 * passed through unchanged without calling the transform at all: clean traffic then costs one scan.
 *
 * The mask is deliberately conservative (a set bit means "might change", never "will change"):
 * - any non-ASCII character sets every bit (fullwidth forms, Unicode whitespace, lower-casing of `İ`
 *   or the Kelvin sign into ASCII letters... are not worth modelling);
 * - pairs are approximated by their two characters (`/.` and `//` for pathNormalize, `/*` and `--` for
 *   sqlComments, two spaces for compressWhitespace); an `&` counts only if an entity could start there.
 * transforms.test.ts checks on fuzzed input that a transform whose bit is clear leaves the text alone.
 */
import { entityAt } from './decode.js';
import type { TransformName } from './index.js';

export const TRANSFORM_BIT = {
  plusSpace: 1 << 0,
  urlDecode: 1 << 1,
  unicodeEscape: 1 << 2,
  htmlEntity: 1 << 3,
  overlongUtf8: 1 << 4,
  nullByte: 1 << 5,
  lowercase: 1 << 6,
  sqlComments: 1 << 7,
  compressWhitespace: 1 << 8,
  shellNormalize: 1 << 9,
  pathNormalize: 1 << 10,
  iisDecode: 1 << 11,
  nullSpace: 1 << 12,
  // Acts on non-ASCII characters only: NON_ASCII sets its bit, no ASCII character does.
  quoteFold: 1 << 13,
  literalEscapes: 1 << 14,
} as const satisfies Record<TransformName, number>;

/**
 * Set when the text has a non-ASCII character (then every transform bit is set too). Transform bits stay
 * below it, and below 1 << 16: CHAR_TRIGGERS is a Uint16Array.
 */
export const NON_ASCII = 1 << 15;
/** Every bit: what a non-ASCII text gets. */
export const ALL_TRIGGERS = (1 << 16) - 1;

const B = TRANSFORM_BIT;

/**
 * Per ASCII character, the transforms it can set off on its own. Characters that matter only with a
 * neighbour (`&` of an entity, `/.`, `//`, `/*`, `--`, two spaces) are handled by pairTriggers.
 */
export const CHAR_TRIGGERS = (() => {
  const t = new Uint16Array(128);
  // Control characters: tab, newlines, vertical tab, form feed are whitespace; NUL is also removed or a space.
  for (let c = 0; c < 32; c++) t[c] = B.compressWhitespace;
  t[0] = B.nullByte | B.nullSpace | B.compressWhitespace;
  for (let c = 65; c <= 90; c++) t[c] = B.lowercase;
  t[37] = B.overlongUtf8 | B.urlDecode | B.unicodeEscape | B.iisDecode; // %  (%41, %c0%ae, %u002e, %c1%pc)
  t[43] = B.plusSpace; // +
  t[92] = B.unicodeEscape | B.shellNormalize | B.pathNormalize | B.literalEscapes; // \  (\u006a, w\ho, ..\, \n)
  t[35] = B.sqlComments; // #
  for (const c of '$`\'"^') t[c.charCodeAt(0)] = B.shellNormalize;
  return t;
})();

/**
 * Triggers that depend on context, for a character c ≤ 47 at index i (every such character is ≤ 47:
 * space & * - . /). Small enough to be inlined into the scanning loops.
 */
export function pairTriggers(s: string, i: number, prev: number, c: number): number {
  if (c === 38) return entityAt(s, i) ? B.htmlEntity : 0;
  if (prev === 47) return c === 46 || c === 47 ? B.pathNormalize : c === 42 ? B.sqlComments : 0;
  if (prev === 45 && c === 45) return B.sqlComments;
  if (prev === 32 && c === 32) return B.compressWhitespace;
  return 0;
}

/** collapsePath treats a leading `.` as a possible relative segment. */
export function leadingTriggers(s: string): number {
  return s.charCodeAt(0) === 46 ? B.pathNormalize : 0;
}

/** The transforms that might change `s` (a TRANSFORM_BIT set, plus NON_ASCII). */
export function triggerMask(s: string): number {
  let m = leadingTriggers(s);
  let prev = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128) return ALL_TRIGGERS;
    m |= CHAR_TRIGGERS[c] as number;
    if (c <= 47) m |= pairTriggers(s, i, prev, c);
    prev = c;
  }
  return m;
}

/** The bits of a list of transforms. */
export function transformBits(names: Iterable<TransformName>): number {
  let m = 0;
  for (const n of names) m |= TRANSFORM_BIT[n];
  return m;
}
