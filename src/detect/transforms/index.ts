/**
 * Anti-evasion transforms: named, pure, bounded decodings and `applyTransforms`, which applies a list of
 * them and records which ones changed the value (the explanation a user sees next to a detection).
 * Not to be confused with src/ingest/normalise.ts (log record -> HttpEvent). The transform names are
 * the rule-pack vocabulary (`transforms:` in rules/*.yaml), so `pathNormalize` and `shellNormalize`
 * keep their spelling: renaming them would break every user rule pack.
 */
import { htmlEntity, iisDecode, overlongUtf8, unicodeEscape, urlDecode } from './decode.js';
import { collapsePath } from './path.js';
import { compressWhitespace, literalEscapes, lowercase, nullByte, nullSpace, plusSpace, quoteFold, shellNormalize, sqlComments } from './text.js';

export { parseQuery, forEachArg, MAX_ARGS, MAX_ARG_VALUE, MAX_ARG_NAME } from './query.js';
export type { QueryArg, ParsedQuery } from './query.js';
export { collapsePath } from './path.js';
export { percentDecodeOnce } from './decode.js';
export { triggerMask, transformBits, pairTriggers, leadingTriggers, CHAR_TRIGGERS, TRANSFORM_BIT, NON_ASCII, ALL_TRIGGERS } from './triggers.js';

/** Hard cap on any transformed value; longer input is cut before the first transform. */
export const MAX_TRANSFORMED = 16 * 1024;

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
  pathNormalize: (s: string) => collapsePath(s).value,
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

export interface Transformed {
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
export function stepTransform(prev: Transformed, name: TransformName, fn: (s: string) => string, limit: number): Transformed {
  if (name === 'pathNormalize') {
    const r = collapsePath(prev.value);
    const value = r.value.length > limit ? r.value.slice(0, limit) : r.value;
    if (value === prev.value && r.traversal === prev.traversal) return prev;
    return { value, applied: value === prev.value ? prev.applied : [...prev.applied, name], traversal: prev.traversal || r.traversal };
  }
  let next = fn(prev.value);
  if (next.length > limit) next = next.slice(0, limit);
  return next === prev.value ? prev : { value: next, applied: [...prev.applied, name], traversal: prev.traversal };
}

/** The output bound for a raw value: ≤ 2x its (capped) length and ≤ MAX_TRANSFORMED. */
export function outputLimit(raw: string): number {
  return Math.min(MAX_TRANSFORMED, Math.max(16, Math.min(raw.length, MAX_TRANSFORMED) * 2));
}

/**
 * Apply `transforms` in order. Output is at most MAX_TRANSFORMED characters and never longer than twice
 * the input (every transform shrinks or keeps length; lower-casing a few Unicode letters can grow them,
 * hence the cap after each step). `from` continues an earlier result for `value` (a shared prefix of
 * transforms, computed once for several pipelines).
 */
export function applyTransforms(value: string, transforms: readonly TransformName[], from?: Transformed): Transformed {
  const input = value.length > MAX_TRANSFORMED ? value.slice(0, MAX_TRANSFORMED) : value;
  const limit = Math.min(MAX_TRANSFORMED, Math.max(16, input.length * 2));
  let cur = from?.value ?? input;
  let applied: TransformName[] | null = null;
  let traversal = from?.traversal ?? false;
  for (const name of transforms) {
    let next: string;
    if (name === 'pathNormalize') {
      const r = collapsePath(cur);
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
