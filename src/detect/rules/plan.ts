/**
 * Per field key (path, args, user_agent, header:x...), which rules apply and how to normalise once for
 * all of them: the rules' transform pipelines are merged into a trie of steps, so a prefix shared by
 * several pipelines (urlDecode → unicodeEscape → ...) is computed once per field value.
 */
import { TRANSFORMS, type Normalized, type TransformName } from '../normalize/index.js';
import type { Rule } from './types.js';

/** Fields with query-string semantics. */
export const ARG_KEYS: ReadonlySet<string> = new Set(['args', 'arg_names', 'query']);

export interface Step {
  parent: number;
  /** null only for the root step (the raw value, capped). */
  transform: TransformName | null;
  fn: (s: string) => string;
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
  viewOf(rule: number, argLike: boolean): number;
  /** Step indices of the distinct view texts (identical texts are scanned once). */
  distinctViews(results: readonly Normalized[]): number[];
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
  const steps: Step[] = [{ parent: -1, transform: null, fn: (s) => s }];
  const children = new Map<string, number>();
  const pipelines: PlanPipeline[] = [];
  const byKey = new Map<string, number>();
  const ruleView = new Map<number, number>();
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
          steps.push({ parent: step, transform: tr, fn: TRANSFORMS[tr] });
          children.set(ck, next);
        }
        step = next;
      }
      byKey.set(pk, step);
      pipelines.push({ transforms: t, step });
    }
    ruleView.set(ri, step);
  });
  const viewSteps = pipelines.map((p) => p.step);
  return {
    rules: applicable,
    mask,
    always,
    steps,
    pipelines,
    viewOf: (ri) => ruleView.get(ri) ?? 0,
    distinctViews(results) {
      if (viewSteps.length === 1) return viewSteps;
      // A transform that changed nothing returns the same result object, so on clean values the
      // identity check settles it; equal texts from different paths are compared only then.
      const kept: Normalized[] = [];
      const outSteps: number[] = [];
      for (const s of viewSteps) {
        const r = results[s] as Normalized;
        let dup = false;
        for (const k of kept) {
          if (k === r || k.value === r.value) {
            dup = true;
            break;
          }
        }
        if (dup) continue;
        kept.push(r);
        outSteps.push(s);
      }
      return outSteps;
    },
  };
}
