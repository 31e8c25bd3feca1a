/**
 * The compiled rule engine. Per field: one charCode pass learns which transforms could change the value
 * (transforms/triggers). A clean value (no `%`, `+`, `&`, `\\`, quotes, non-ASCII... for this field's
 * transforms) is, in every view, the raw text up to ASCII case, so ONE Aho-Corasick pass over the raw
 * text (the automaton folds A-Z) finds the candidate rules and nothing is decoded or copied. Otherwise
 * the rules' transform pipelines run as a trie (shared prefixes once, transforms whose trigger
 * characters are absent skipped), and the distinct views are scanned. Only candidate rules' matchers run.
 * What a field value matched is remembered per field key (result-cache.ts): logs repeat user agents,
 * paths and probes, and a repeated value then costs one lookup.
 */
import { truncateFragment, type Detection } from '../../core/index.js';
import {
  MAX_TRANSFORMED,
  NON_ASCII,
  TRANSFORMS,
  outputLimit,
  stepTransform,
  triggerMask,
  type Transformed,
  type TransformName,
} from '../transforms/index.js';
import { cachedAutomaton, type AhoCorasick, type AutomatonCache } from './aho.js';
import { fieldLabel, visitEventFields, type EventLike, type FieldInstance } from './fields.js';
import { IntList } from '../../core/index.js';
import { lengthCanMatch, matchRule } from './match.js';
import { buildPlan, type FieldPlan } from './plan.js';
import { CACHE_MAX_VALUE, NO_MATCHES, type FieldMatch } from './result-cache.js';
import type { Rule, RuleSet } from './types.js';

/** Work counters, so tests can assert that cost stays bounded without timing anything. */
export interface ScanStats {
  fields: number;
  /** Characters fed to the automaton. */
  bytesScanned: number;
  /** Characters produced by normalisation. */
  bytesTransformed: number;
  candidates: number;
  regexRuns: number;
  /** Characters regexes ran over (every rule regex is linear: the loader refuses the rest). */
  regexChars: number;
  /** Lines whose remaining fields were not scanned because the line used up LINE_WORK_BUDGET. */
  overBudget: number;
}

export function newStats(): ScanStats {
  return { fields: 0, bytesScanned: 0, bytesTransformed: 0, candidates: 0, regexRuns: 0, regexChars: 0, overBudget: 0 };
}

/** The work a line has cost so far, in characters: scanned, produced by transforms, matched by regexes. */
function workOf(s: ScanStats): number {
  return s.bytesScanned + s.bytesTransformed + s.regexChars;
}

/**
 * Per-line work budget, in characters of work (workOf). Every step is linear (the loader refuses
 * quadratic regexes, worst-case.test.ts measures rules and transforms at the field caps), so work in
 * characters is time: the worst generated 8 KB hostile line costs about 123,000, the largest benign
 * line of the development logs about 4,000. A line past this budget has its remaining fields left
 * unscanned and is flagged (LINE_WORK_BUDGET_RULE): an oversized hostile line is itself suspicious,
 * and a user pack heavy enough to cost this much cannot stall ingest. Counted, not timed, so serve,
 * analyze and tests give the same answer for the same line.
 */
export const LINE_WORK_BUDGET = 512 * 1024;
export const LINE_WORK_BUDGET_RULE = 'line-work-budget';

export interface FieldTrace {
  field: string;
  raw: string;
  views: { transforms: readonly TransformName[]; value: string; applied: readonly TransformName[]; traversal: boolean }[];
  candidates: string[];
  fired: { ruleId: string; fragment: string }[];
}

export interface EngineOptions {
  /**
   * Off only in tests: every applicable rule is tried, to prove the prefilter never hides a match. It
   * also turns off the fast paths (every transform runs on every value), so that engine is the
   * plain reference the optimised one is compared with.
   */
  prefilter?: boolean;
  /**
   * Off only in tests: no trigger-mask shortcuts (every transform runs on every value, every field
   * takes the decoding path), the reference the fast paths are checked against. Implied by
   * `prefilter: false`.
   */
  fastPaths?: boolean;
  /** Remember what recent field values matched (default on; off in benchmarks of the scan itself). */
  resultCache?: boolean;
  /** Keeps the literal automaton between runs (the CLI's cache directory); none: build it every time. */
  automatonCache?: AutomatonCache;
}

const NO_TRANSFORMS: readonly TransformName[] = [];

export class RuleEngine {
  readonly rules: readonly Rule[];
  private readonly aho: AhoCorasick;
  /** literal id → rule indices */
  private readonly literalRules: number[][];
  private readonly plans = new Map<string, FieldPlan>();
  private readonly prefilter: boolean;
  private readonly fastPaths: boolean;
  private readonly resultCache: boolean;
  // Scratch space reused across fields and events (the engine is synchronous, so never shared).
  private readonly litSeen: Uint8Array;
  private readonly ruleSeen: Uint8Array;
  private readonly hits = new IntList();
  private readonly cands = new IntList();
  /** The last raw text scanned by scanWithTriggers and its trigger mask; its hits are in `hits`. */
  private lastRaw: string | null = null;
  private lastMask = 0;
  // The event being evaluated (set by evaluate, read by the field visitor, which is bound once).
  private evFired: Set<string> = new Set();
  private evOut: Detection[] = [];
  private evStats: ScanStats = newStats();
  /** workOf(evStats) when the event began; -1 once the event ran out of budget. */
  private evWorkStart = 0;
  private evTrace: FieldTrace[] | undefined;
  private readonly visitor = (key: string, raw: string, argName: string | null): void => {
    if (this.evWorkStart < 0) return;
    this.scan(key, raw, null, argName, this.evFired, this.evOut, this.evStats, this.evTrace);
    if (workOf(this.evStats) - this.evWorkStart > LINE_WORK_BUDGET) {
      this.evWorkStart = -1;
      this.evStats.overBudget++;
      this.evOut.push({
        ruleId: LINE_WORK_BUDGET_RULE,
        category: 'anomaly',
        severity: 'low',
        confidence: 0.5,
        field: fieldLabel(key, argName),
        fragment: truncateFragment(raw),
        transforms: [],
      });
    }
  };

  constructor(set: RuleSet, opts: EngineOptions = {}) {
    this.rules = set.rules;
    this.prefilter = opts.prefilter ?? true;
    this.fastPaths = this.prefilter && (opts.fastPaths ?? true);
    this.resultCache = this.fastPaths && (opts.resultCache ?? true);
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
    this.aho = cachedAutomaton(literalText, opts.automatonCache);
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
    this.scan(f.key, f.raw, f.label, null, fired, out, stats, trace);
  }

  private scan(
    key: string,
    raw: string,
    label: string | null,
    argName: string | null,
    fired: Set<string>,
    out: Detection[],
    stats: ScanStats,
    trace: FieldTrace[] | undefined,
  ): void {
    const plan = this.fieldPlan(key);
    if (plan.rules.length === 0) return;
    stats.fields++;
    const value = raw.length > MAX_TRANSFORMED ? raw.slice(0, MAX_TRANSFORMED) : raw;
    let matches: readonly FieldMatch[];
    if (trace !== undefined) {
      // Explanations show the real work on every field: no cache, no fast path, fired rules skipped.
      const t = this.traceFor(key, raw, label, argName);
      matches = this.findMatches(plan, value, stats, fired, t);
      trace.push(t);
    } else if (this.resultCache && value.length <= CACHE_MAX_VALUE) {
      // A field's matches depend only on (key, value), so repeated values are looked up; they are
      // computed without regard to `fired` (rules fired in an earlier field are dropped below).
      const known = plan.cache.get(value);
      if (known === undefined) plan.cache.set(value, (matches = this.findMatches(plan, value, stats, null, null)));
      else matches = known;
    } else {
      matches = this.findMatches(plan, value, stats, fired, null);
    }
    for (let i = 0; i < matches.length; i++) {
      const m = matches[i] as FieldMatch;
      const rule = this.rules[m.rule] as Rule;
      if (fired.has(rule.id)) continue;
      fired.add(rule.id);
      const d: Detection = {
        ruleId: rule.id,
        category: rule.category,
        severity: rule.severity,
        confidence: rule.confidence,
        field: label ?? fieldLabel(key, argName),
        fragment: truncateFragment(m.fragment),
        transforms: [...m.transforms],
      };
      if (rule.simulated) d.simulated = true;
      out.push(d);
    }
  }

  private traceFor(key: string, raw: string, label: string | null, argName: string | null): FieldTrace {
    return { field: label ?? fieldLabel(key, argName), raw, views: [], candidates: [], fired: [] };
  }

  /**
   * Candidate rules of one field value (prefilter), then their matchers. Rules in `fired` are skipped
   * (null: try them all, for the cache). With `t`, records views, candidates and what fired.
   */
  private findMatches(plan: FieldPlan, value: string, stats: ScanStats, fired: Set<string> | null, t: FieldTrace | null): readonly FieldMatch[] {
    const candidates = this.cands;
    candidates.n = 0;
    for (const ri of plan.always) candidates.push(ri);
    // One pass over the raw text: literal hits and which transforms could change it. The uri field
    // of a request without a query is the path again: same text, same result, so it is reused.
    let mask: number;
    if (value === this.lastRaw) {
      mask = this.lastMask; // `hits` still holds that text's hits (cleared only below)
    } else {
      this.hits.n = 0;
      mask = this.aho.scanWithTriggers(value, this.hits);
      stats.bytesScanned += value.length;
      this.lastRaw = value;
      this.lastMask = mask;
    }
    // Fast path: no transform of this plan can change the value (at most lower-casing ASCII, which the
    // automaton folds itself), so every view is `value` up to case and the raw hits are the hits of
    // every view: nothing is decoded or copied. Explanations take the full path (they show every
    // view), and so does the reference engine without fast paths.
    const fast = this.fastPaths && t === null && (mask & plan.decodeBits) === 0;
    if (fast) {
      this.collectCandidates(plan);
    } else {
      this.lastRaw = null;
      computeSteps(value, mask, plan, stats, this.fastPaths);
      if (this.prefilter) {
        const results = plan.results;
        // A view that only lower-cased an ASCII value has exactly the raw text's hits, which are
        // already in `hits` (the raw scan stopped early only on non-ASCII). Keep them then, and scan
        // only the views that decoding changed.
        const rawHitsValid = this.fastPaths && (mask & NON_ASCII) === 0 && plan.viewSteps.some((st) => caseOnly(results[st] as Transformed));
        if (!rawHitsValid) this.hits.n = 0;
        for (let k = 0; k < plan.viewSteps.length; k++) {
          const view = results[plan.viewSteps[k] as number] as Transformed;
          if ((rawHitsValid && caseOnly(view)) || plan.isRepeatView(results, k)) continue;
          stats.bytesScanned += this.aho.scanInto(view.value, this.hits);
        }
        this.collectCandidates(plan);
      }
    }
    stats.candidates += candidates.n;
    if (t !== null) {
      t.views = plan.pipelines.map((p) => {
        const n = plan.results[p.step] as Transformed;
        return { transforms: p.transforms, value: n.value, applied: n.applied, traversal: n.traversal };
      });
    }
    if (candidates.n === 0) return NO_MATCHES;
    candidates.sort();
    if (t !== null) t.candidates = Array.from(candidates.items.subarray(0, candidates.n), (ri) => (this.rules[ri] as Rule).id);
    let found: FieldMatch[] | null = null;
    // On the fast path every view is the lower-cased value; computed once, on the first candidate.
    let lower: string | null = null;
    for (let i = 0; i < candidates.n; i++) {
      const ri = candidates.items[i] as number;
      const rule = this.rules[ri] as Rule;
      if (fired?.has(rule.id) === true) continue;
      let text: string;
      let applied: readonly TransformName[];
      if (fast) {
        // ASCII lower-casing keeps the length: an equality test that no length fits cannot match.
        if (!lengthCanMatch(rule, value.length)) continue;
        text = lower ??= TRANSFORMS.lowercase(value);
        applied = NO_TRANSFORMS;
      } else {
        const view = plan.results[plan.viewOf(ri, false)] as Transformed;
        text = view.value;
        applied = view.applied;
      }
      const fragment = matchRule(rule, text, stats);
      if (fragment === null) continue;
      t?.fired.push({ ruleId: rule.id, fragment });
      (found ??= []).push({ rule: ri, fragment, transforms: applied.filter((x) => x !== 'lowercase') });
    }
    return found ?? NO_MATCHES;
  }

  /** Literal hits (this.hits) → rules of this plan not yet candidates, appended to this.cands. */
  private collectCandidates(plan: FieldPlan): void {
    const hits = this.hits;
    if (hits.n === 0) return;
    const candidates = this.cands;
    const litSeen = this.litSeen;
    const ruleSeen = this.ruleSeen;
    for (let i = 0; i < candidates.n; i++) ruleSeen[candidates.items[i] as number] = 1;
    for (let h = 0; h < hits.n; h++) {
      const lit = hits.items[h] as number;
      if (litSeen[lit] === 1) continue;
      litSeen[lit] = 1;
      const rules = this.literalRules[lit] as number[];
      for (let k = 0; k < rules.length; k++) {
        const ri = rules[k] as number;
        if (plan.mask[ri] === 1 && ruleSeen[ri] === 0) {
          ruleSeen[ri] = 1;
          candidates.push(ri);
        }
      }
    }
    for (let h = 0; h < hits.n; h++) litSeen[hits.items[h] as number] = 0;
    for (let i = 0; i < candidates.n; i++) ruleSeen[candidates.items[i] as number] = 0;
  }

  evaluate(e: EventLike, stats: ScanStats = newStats(), trace?: FieldTrace[]): Detection[] {
    const out: Detection[] = [];
    // One Set per engine, emptied per event: most events fire nothing and never touch it.
    this.evFired.clear();
    this.evOut = out;
    this.evStats = stats;
    this.evWorkStart = workOf(stats);
    this.evTrace = trace;
    visitEventFields(e, this.visitor);
    this.evTrace = undefined;
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

/** Did normalisation leave this view as the raw value, except perhaps for lower-casing? */
function caseOnly(view: Transformed): boolean {
  const a = view.applied;
  return a.length === 0 || (a.length === 1 && a[0] === 'lowercase');
}

/**
 * Run the plan's transform trie over one value into plan.results (results[i] is the output of step i)
 * and plan.masks (its trigger mask). With `skip`, a step whose transform's trigger characters are
 * absent from its input is not run (its output is its input), and a step whose input equals that of
 * an earlier step with the same transform reuses that output (transforms are pure).
 */
function computeSteps(value: string, mask: number, plan: FieldPlan, stats: ScanStats, skip: boolean): void {
  const steps = plan.steps;
  const results = plan.results;
  const masks = plan.masks;
  const limit = outputLimit(value);
  results[0] = { value, applied: [], traversal: false };
  masks[0] = mask;
  next: for (let i = 1; i < steps.length; i++) {
    const s = steps[i] as FieldPlan['steps'][number];
    const prev = results[s.parent] as Transformed;
    const prevMask = masks[s.parent] as number;
    if (skip) {
      if ((prevMask & s.bit) === 0) {
        results[i] = prev;
        masks[i] = prevMask;
        continue;
      }
      for (const j of s.sameBefore) {
        if (results[(steps[j] as FieldPlan['steps'][number]).parent] === prev) {
          results[i] = results[j] as Transformed;
          masks[i] = masks[j] as number;
          continue next;
        }
      }
    }
    const r = stepTransform(prev, s.transform as TransformName, s.fn, limit);
    if (r !== prev) stats.bytesTransformed += r.value.length;
    results[i] = r;
    masks[i] = r.value === prev.value ? prevMask : triggerMask(r.value);
  }
}
