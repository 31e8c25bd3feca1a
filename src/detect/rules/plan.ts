/**
 * Per field key (path, args, user_agent, header:x...), which rules apply and how to normalise once for
 * all of them: the rules' transform pipelines are merged into a trie of steps, so a prefix shared by
 * several pipelines (urlDecode → unicodeEscape → ...) is computed once per field value.
 */
import { NON_ASCII, TRANSFORM_BIT, TRANSFORMS, type Transformed, type TransformName } from '../transforms/index.js';
import { ResultCache } from './result-cache.js';
import type { Rule } from './types.js';

/** Fields with query-string semantics. */
export const ARG_KEYS: ReadonlySet<string> = new Set(['args', 'arg_names', 'query']);

export interface Step {
  parent: number;
  /** null only for the root step (the raw value, capped). */
  transform: TransformName | null;
  fn: (s: string) => string;
  /** TRANSFORM_BIT of `transform` (0 for the root): skipped when the input's trigger mask lacks it. */
  bit: number;
  /** Earlier steps applying the same transform: if one had the same input, its output is reused. */
  sameBefore: number[];
}

export interface PlanPipeline {
  transforms: readonly TransformName[];
  /** Index of the step whose result is this pipeline's view. */
  step: number;
}

export interface FieldPlan {
  rules: number[];
  mask: Uint8Array;
  /** Rules tried without a literal hit (`always`, or all of them when the prefilter is off). */
  always: number[];
  steps: Step[];
  pipelines: PlanPipeline[];
  /** Step index of each pipeline's view, in pipeline order. */
  viewSteps: readonly number[];
  /**
   * Trigger bits of every transform in the plan except `lowercase`, plus NON_ASCII. A value whose
   * trigger mask misses all of them is, in every view, itself up to ASCII case (lower-casing ASCII
   * creates no trigger character, so no later transform wakes up): the engine then scans the raw
   * text once (the automaton folds A-Z) and decodes nothing.
   */
  decodeBits: number;
  viewOf(rule: number, argLike: boolean): number;
  /** Is view k (index into viewSteps) the same text as an earlier view? Identical texts are scanned once. */
  isRepeatView(results: readonly Transformed[], k: number): boolean;
  /** Scratch space for the engine (one field at a time): step results and their trigger masks. */
  results: Transformed[];
  masks: Int32Array;
  /** What the rules found in recent values of this field (see result-cache.ts). */
  cache: ResultCache;
}

/** Arg-like fields use query-string semantics: `+` is a space, decoded before percent-escapes. */
export function pipelineFor(transforms: readonly TransformName[], argLike: boolean): TransformName[] {
  const t = [...transforms];
  if (!argLike || t.includes('plusSpace')) return t;
  const at = t.indexOf('urlDecode');
  return at === -1 ? t : [...t.slice(0, at), 'plusSpace', ...t.slice(at)];
}

export function buildPlan(rules: readonly Rule[], key: string, tryAll: boolean): FieldPlan {
  const argLike = ARG_KEYS.has(key);
  const steps: Step[] = [{ parent: -1, transform: null, fn: (s) => s, bit: 0, sameBefore: [] }];
  const children = new Map<string, number>();
  const pipelines: PlanPipeline[] = [];
  const byKey = new Map<string, number>();
  const ruleView = new Int32Array(rules.length);
  const applicable: number[] = [];
  const always: number[] = [];
  const mask = new Uint8Array(rules.length);
  rules.forEach((rule, ri) => {
    if (!rule.fields.some((f) => f === key)) return;
    applicable.push(ri);
    mask[ri] = 1;
    if (rule.always || tryAll) always.push(ri);
    const t = pipelineFor(rule.transforms, argLike);
    const pk = t.join(',');
    let step = byKey.get(pk);
    if (step === undefined) {
      step = 0;
      for (const tr of t) {
        const ck = `${step}/${tr}`;
        let next = children.get(ck);
        if (next === undefined) {
          next = steps.length;
          const sameBefore = steps.flatMap((st, i) => (st.transform === tr ? [i] : []));
          steps.push({ parent: step, transform: tr, fn: TRANSFORMS[tr], bit: TRANSFORM_BIT[tr], sameBefore });
          children.set(ck, next);
        }
        step = next;
      }
      byKey.set(pk, step);
      pipelines.push({ transforms: t, step });
    }
    ruleView[ri] = step;
  });
  const viewSteps = pipelines.map((p) => p.step);
  let decodeBits = NON_ASCII;
  for (const st of steps) if (st.transform !== null && st.transform !== 'lowercase') decodeBits |= st.bit;
  return {
    rules: applicable,
    mask,
    always,
    steps,
    pipelines,
    viewSteps,
    decodeBits,
    results: new Array<Transformed>(steps.length),
    masks: new Int32Array(steps.length),
    cache: new ResultCache(),
    viewOf: (ri) => ruleView[ri] as number,
    isRepeatView(results, k) {
      // A transform that changed nothing hands back its input object, so on mostly clean values the
      // identity check settles it; equal texts reached along different paths are compared only then.
      const r = results[viewSteps[k] as number] as Transformed;
      for (let j = 0; j < k; j++) {
        const o = results[viewSteps[j] as number] as Transformed;
        if (o === r || o.value === r.value) return true;
      }
      return false;
    },
  };
}
