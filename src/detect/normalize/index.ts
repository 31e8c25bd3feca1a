/**
 * Normalisation: named, pure, bounded transforms and `normalizeField`, which applies a list of them and
 * records which ones changed the value (the explanation a user sees next to a detection).
 */
import { htmlEntity, iisDecode, overlongUtf8, unicodeEscape, urlDecode } from './decode.js';
import { normalizePath } from './path.js';
import { compressWhitespace, literalEscapes, lowercase, nullByte, nullSpace, plusSpace, quoteFold, shellNormalize, sqlComments } from './text.js';

export { parseQuery, forEachArg, MAX_ARGS, MAX_ARG_VALUE, MAX_ARG_NAME } from './query.js';
export type { QueryArg, ParsedQuery } from './query.js';
export { normalizePath } from './path.js';
export { percentDecodeOnce } from './decode.js';
export { triggerMask, transformBits, pairTriggers, leadingTriggers, CHAR_TRIGGERS, TRANSFORM_BIT, NON_ASCII, ALL_TRIGGERS } from './triggers.js';

/** Hard cap on any normalised value; longer input is cut before the first transform. */
export const MAX_NORMALIZED = 16 * 1024;

export const TRANSFORMS = {
  plusSpace,
  urlDecode,
  unicodeEscape,
  htmlEntity,
  overlongUtf8,
  nullByte,
  lowercase,
  sqlComments,
  compressWhitespace,
  shellNormalize,
  pathNormalize: (s: string) => normalizePath(s).value,
  iisDecode,
  nullSpace,
  quoteFold,
  literalEscapes,
} as const satisfies Record<string, (s: string) => string>;

export type TransformName = keyof typeof TRANSFORMS;
export const TRANSFORM_NAMES = Object.keys(TRANSFORMS) as TransformName[];

export function isTransformName(s: string): s is TransformName {
  return Object.hasOwn(TRANSFORMS, s);
}

export interface Normalized {
  value: string;
  /** Transforms that changed the value, in order. */
  applied: TransformName[];
  /** pathNormalize resolved a `..` segment. */
  traversal: boolean;
}

/**
 * One transform step after `prev` (the engine's transform trie calls this per step). Returns `prev`
 * itself when nothing changed, so clean values cost no allocation. `limit` bounds the output.
 */
export function stepTransform(prev: Normalized, name: TransformName, fn: (s: string) => string, limit: number): Normalized {
  if (name === 'pathNormalize') {
    const r = normalizePath(prev.value);
    const value = r.value.length > limit ? r.value.slice(0, limit) : r.value;
    if (value === prev.value && r.traversal === prev.traversal) return prev;
    return { value, applied: value === prev.value ? prev.applied : [...prev.applied, name], traversal: prev.traversal || r.traversal };
  }
  let next = fn(prev.value);
  if (next.length > limit) next = next.slice(0, limit);
  return next === prev.value ? prev : { value: next, applied: [...prev.applied, name], traversal: prev.traversal };
}

/** The output bound for a raw value: ≤ 2x its (capped) length and ≤ MAX_NORMALIZED. */
export function outputLimit(raw: string): number {
  return Math.min(MAX_NORMALIZED, Math.max(16, Math.min(raw.length, MAX_NORMALIZED) * 2));
}

/**
 * Apply `transforms` in order. Output is at most MAX_NORMALIZED characters and never longer than twice
 * the input (every transform shrinks or keeps length; lower-casing a few Unicode letters can grow them,
 * hence the cap after each step). `from` continues an earlier result for `value` (a shared prefix of
 * transforms, computed once for several pipelines).
 */
export function normalizeField(value: string, transforms: readonly TransformName[], from?: Normalized): Normalized {
  const input = value.length > MAX_NORMALIZED ? value.slice(0, MAX_NORMALIZED) : value;
  const limit = Math.min(MAX_NORMALIZED, Math.max(16, input.length * 2));
  let cur = from?.value ?? input;
  let applied: TransformName[] | null = null;
  let traversal = from?.traversal ?? false;
  for (const name of transforms) {
    let next: string;
    if (name === 'pathNormalize') {
      const r = normalizePath(cur);
      traversal ||= r.traversal;
      next = r.value;
    } else {
      next = TRANSFORMS[name](cur);
    }
    if (next.length > limit) next = next.slice(0, limit);
    if (next !== cur) (applied ??= from ? [...from.applied] : []).push(name);
    cur = next;
  }
  // Nothing changed: hand back the earlier result itself (no allocation on the clean-request path).
  if (applied === null && from !== undefined && traversal === from.traversal) return from;
  return { value: cur, applied: applied ?? (from ? [...from.applied] : []), traversal };
}
