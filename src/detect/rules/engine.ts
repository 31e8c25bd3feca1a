/**
 * The compiled rule engine. Per field: normalise once per distinct transform pipeline (shared prefixes
 * computed once), run ONE Aho-Corasick pass over the distinct normalised texts to learn which rules'
 * required literals occur, and only then run those rules' matchers. A clean request costs a few
 * no-op transforms and one automaton pass per field.
 */
import { truncateFragment, type Detection } from '../../core/detection.js';
import { MAX_NORMALIZED, outputLimit, stepTransform, type Normalized, type TransformName } from '../normalize/index.js';
import { AhoCorasick } from './aho.js';
import { eventFields, type EventLike, type FieldInstance } from './fields.js';
import { matchRule } from './match.js';
import { buildPlan, ARG_KEYS, type FieldPlan } from './plan.js';
import type { Rule, RuleSet } from './types.js';

/** Work counters, so tests can assert that cost stays bounded without timing anything. */
export interface ScanStats {
  fields: number;
  /** Characters fed to the automaton. */
  bytesScanned: number;
  /** Characters produced by normalisation. */
  bytesNormalized: number;
  candidates: number;
  regexRuns: number;
}

export function newStats(): ScanStats {
  return { fields: 0, bytesScanned: 0, bytesNormalized: 0, candidates: 0, regexRuns: 0 };
}

export interface FieldTrace {
  field: string;
  raw: string;
  views: { transforms: readonly TransformName[]; value: string; applied: readonly TransformName[]; traversal: boolean }[];
  candidates: string[];
  fired: { ruleId: string; fragment: string }[];
}

export interface EngineOptions {
  /** Off only in tests: every applicable rule is tried, to prove the prefilter never hides a match. */
  prefilter?: boolean;
}

export class RuleEngine {
  readonly rules: readonly Rule[];
  private readonly aho: AhoCorasick;
  /** literal id → rule indices */
  private readonly literalRules: number[][];
  private readonly plans = new Map<string, FieldPlan>();
  private readonly prefilter: boolean;
  // Scratch space reused across fields (the engine is synchronous, so never shared concurrently).
  private readonly litSeen: Uint8Array;
  private readonly ruleSeen: Uint8Array;
  private readonly hits: number[] = [];

  constructor(set: RuleSet, opts: EngineOptions = {}) {
    this.rules = set.rules;
    this.prefilter = opts.prefilter ?? true;
    const litIndex = new Map<string, number>();
    const literalText: string[] = [];
    this.literalRules = [];
    set.rules.forEach((rule, ri) => {
      for (const lit of rule.literals) {
        let id = litIndex.get(lit);
        if (id === undefined) {
          id = literalText.length;
          litIndex.set(lit, id);
          literalText.push(lit);
          this.literalRules.push([]);
        }
        (this.literalRules[id] as number[]).push(ri);
      }
    });
    this.aho = new AhoCorasick(literalText);
    this.litSeen = new Uint8Array(literalText.length);
    this.ruleSeen = new Uint8Array(set.rules.length);
  }

  private fieldPlan(key: string): FieldPlan {
    let plan = this.plans.get(key);
    if (plan !== undefined) return plan;
    plan = buildPlan(this.rules, key, !this.prefilter);
    // Header names come from the log; bound the plan cache so odd names cannot grow it forever.
    if (this.plans.size < 256) this.plans.set(key, plan);
    return plan;
  }

  /** Scan one field; pushes detections for rules not yet in `fired`. */
  scanField(f: FieldInstance, fired: Set<string>, out: Detection[], stats: ScanStats, trace?: FieldTrace[]): void {
    const plan = this.fieldPlan(f.key);
    if (plan.rules.length === 0) return;
    stats.fields++;
    const results = computeSteps(f.raw, plan, stats);
    const candidates: number[] = plan.always.length === 0 ? [] : [...plan.always];
    if (this.prefilter) {
      const hits = this.hits;
      hits.length = 0;
      for (const vi of plan.distinctViews(results)) stats.bytesScanned += this.aho.scanInto((results[vi] as Normalized).value, hits);
      const litSeen = this.litSeen;
      const ruleSeen = this.ruleSeen;
      for (const lit of hits) {
        if (litSeen[lit] === 1) continue;
        litSeen[lit] = 1;
        for (const ri of this.literalRules[lit] as number[]) {
          if (plan.mask[ri] === 1 && ruleSeen[ri] === 0) {
            ruleSeen[ri] = 1;
            candidates.push(ri);
          }
        }
      }
      for (const lit of hits) litSeen[lit] = 0;
      for (const ri of candidates) ruleSeen[ri] = 0;
    }
    stats.candidates += candidates.length;
    if (candidates.length === 0 && trace === undefined) return;
    candidates.sort((a, b) => a - b);
    const argLike = ARG_KEYS.has(f.key);
    const t: FieldTrace | undefined = trace && {
      field: f.label,
      raw: f.raw,
      views: plan.pipelines.map((p) => {
        const n = results[p.step] as Normalized;
        return { transforms: p.transforms, value: n.value, applied: n.applied, traversal: n.traversal };
      }),
      candidates: candidates.map((ri) => (this.rules[ri] as Rule).id),
      fired: [],
    };
    for (const ri of candidates) {
      const rule = this.rules[ri] as Rule;
      if (fired.has(rule.id)) continue;
      const view = results[plan.viewOf(ri, argLike)] as Normalized;
      const fragment = matchRule(rule, view.value, stats);
      if (fragment === null) continue;
      fired.add(rule.id);
      t?.fired.push({ ruleId: rule.id, fragment });
      const d: Detection = {
        ruleId: rule.id,
        category: rule.category,
        severity: rule.severity,
        confidence: rule.confidence,
        field: f.label,
        fragment: truncateFragment(fragment),
        transforms: view.applied.filter((x) => x !== 'lowercase'),
      };
      if (rule.simulated) d.simulated = true;
      out.push(d);
    }
    if (t && trace) trace.push(t);
  }

  evaluate(e: EventLike, stats: ScanStats = newStats(), trace?: FieldTrace[]): Detection[] {
    const out: Detection[] = [];
    const fired = new Set<string>();
    for (const f of eventFields(e)) this.scanField(f, fired, out, stats, trace);
    return out;
  }

  /** Per field: normalisation steps, prefilter candidates, and which rules fired on which fragment. */
  explain(e: EventLike): { detections: Detection[]; steps: FieldTrace[]; stats: ScanStats } {
    const steps: FieldTrace[] = [];
    const stats = newStats();
    const detections = this.evaluate(e, stats, steps);
    return { detections, steps, stats };
  }
}

/** Run the plan's transform trie over one raw value: results[i] is the output of step i. */
function computeSteps(raw: string, plan: FieldPlan, stats: ScanStats): Normalized[] {
  const steps = plan.steps;
  const results: Normalized[] = new Array<Normalized>(steps.length);
  const limit = outputLimit(raw);
  results[0] = { value: raw.length > MAX_NORMALIZED ? raw.slice(0, MAX_NORMALIZED) : raw, applied: [], traversal: false };
  for (let i = 1; i < steps.length; i++) {
    const s = steps[i] as FieldPlan['steps'][number];
    const prev = results[s.parent] as Normalized;
    const r = stepTransform(prev, s.transform as TransformName, s.fn, limit);
    if (r !== prev) stats.bytesNormalized += r.value.length;
    results[i] = r;
  }
  return results;
}
