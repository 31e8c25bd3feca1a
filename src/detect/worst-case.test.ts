/**
 * Every rule and every transform against generated worst-case input at the field caps:
 * long runs of each character class a pattern distinguishes, alternations of two of them, and each
 * rule's literals repeated (nested openers: `${${${`, `{{{{`, `../../`). A backtracking regex that is
 * quadratic on some shape costs tens to hundreds of milliseconds there; a linear one well under the
 * budget. The loader's check (rules/quadratic.ts) is what protects user packs loaded later; this test
 * is the measured evidence that the check and the bundled rules agree.
 *
 * Timing on a shared machine: CPU time, and a shape over budget is measured again and its fastest run
 * counts, so a pause (GC, another process) cannot fail the test but a quadratic pattern (100x over) does.
 * The budgets (2 ms per run, 2 ms per line) are for a quiet machine; they scale with a calibration run of a fixed
 * linear workload measured beside it (machineFactor), so a loaded machine (everything 2-3x slower:
 * shared caches, context switches) widens it in proportion, while a quadratic line (10-100x) still fails.
 * A run still over its scaled budget fails only if it grows quadratically (testing/cost.ts growth: 4x the
 * input costing 8x or more) or is ten times over, since a budget alone fails linear code on a busy machine.
 * Work is also counted (characters scanned, decoded and matched), which no load can change.
 */
import { fastestMs, quadraticOrFar, repeatTo, type OverBudget } from './testing/cost.js';
import { calibrate, CALIBRATION_QUIET_MS, overLoadScaledBudget } from './testing/calibration.js';
import { describe, expect, it } from 'vitest';
import { TRANSFORM_NAMES, TRANSFORMS, applyTransforms } from './transforms/index.js';
import { bundledRulePaths, loadRulePacks, MAX_FIELD_BYTES, newStats, RuleEngine, type EventLike, type Rule } from './rules/index.js';
import { distinguishedCharacters, whitespaceCompressed } from './rules/quadratic.js';

/** Per single regex or transform run, CPU milliseconds. */
const BUDGET_MS = 2;
/**
 * Per whole line (every field, view and rule of one event), on a quiet machine (scaled by
 * machineFactor). 8 KB lines of escapes (`%%32…`, `%252f…`) cost 0.6-0.9 ms of linear decoding across
 * the packs' pipelines; quadratic ones cost 20-200 ms.
 */
const LINE_BUDGET_MS = 2;
/**
 * Per whole line, in characters of work (ScanStats: scanned + transformed + matched by regexes). The
 * worst generated line costs about 125,000 (every view of an 8 KB path decoded and scanned); the
 * engine's own cut-off (LINE_WORK_BUDGET) is far above, for user packs.
 */
const LINE_WORK_CHARS = 160_000;

const fastest = (run: () => void, budget = BUDGET_MS): number => fastestMs(run, budget);

const isSpace = (ch: string): boolean => /\s/.test(ch);

/** Worst-case texts of `length` for one regex rule: what its sets tell apart, its literals, pairs of both. */
function ruleShapes(rule: Rule, length: number): [string, (size: number) => string][] {
  if (rule.match.kind !== 'regex') return [];
  const re = rule.match.re;
  // Whitespace runs cannot reach a rule whose view ends with compressWhitespace.
  const compressed = whitespaceCompressed(rule.transforms);
  const chars = distinguishedCharacters(re.source, re.flags).filter((c) => !(compressed && isSpace(c)));
  const lits = rule.literals.length > 0 ? rule.literals.slice(0, 8) : [''];
  const units = new Set<string>(chars);
  for (const lit of lits) if (lit !== '') units.add(lit);
  const specials = chars.filter((c) => !/[a-z0-9]/.test(c));
  for (const a of specials) for (const b of chars) if (a !== b) units.add(a + b);
  const out: [string, (size: number) => string][] = [];
  for (const unit of units) {
    // The literal first, so the prefilter would let the rule run; then the run that hurts.
    for (const lit of lits) out.push([lit + repeatTo(unit, length - lit.length), (size) => lit + repeatTo(unit, size - lit.length)]);
  }
  return out;
}

const set = loadRulePacks(bundledRulePaths());

describe('worst-case input: every rule regex', () => {
  const regexRules = set.rules.filter((r) => r.match.kind === 'regex');
  it.each(regexRules.map((r) => [r.id, r] as const))('%s stays under budget at the field cap', (_id, rule) => {
    const re = (rule.match as { re: RegExp }).re;
    const over: OverBudget[] = [];
    for (const [text, sized] of ruleShapes(rule, MAX_FIELD_BYTES)) {
      const ms = fastest(() => re.exec(text));
      if (ms > BUDGET_MS) over.push({ ms, what: `${JSON.stringify(text.slice(0, 24))}…`, at: (n) => { const t = sized(n); return () => void re.exec(t); }, size: MAX_FIELD_BYTES });
    }
    expect(overLoadScaledBudget(over, BUDGET_MS)).toEqual([]);
  }, 60_000);
});

describe('worst-case input: every transform', () => {
  // Trigger characters and escape prefixes of every transform, and their pairs.
  const units = ['%', '%2', '%25', '%u', '%c0', '&', '&#', '&#x', '&amp;', '\\', '\\x', '\\u', '\\0', '/*', '/*!', '*/', '--', '#', '$', '${', '${ifs}', "'", '"', '^', '`', '+', '/.', './', '../', '//', '/', '.', ' ', '\t', '\n', '\0', 'é', '\u2019', 'A', 'a'];
  const shapeUnits = [...units, ...units.flatMap((a) => ['%', '&', '\\', '/', '.', ' '].map((b) => a + b))];
  it.each(TRANSFORM_NAMES.map((n) => [n] as const))('%s stays under budget at the field cap', (name) => {
    const over: OverBudget[] = [];
    for (const u of shapeUnits) {
      const at = (n: number) => { const t = repeatTo(u, n); return () => void applyTransforms(t, [name]); };
      const ms = fastest(at(MAX_FIELD_BYTES));
      if (ms > BUDGET_MS) over.push({ ms, what: `${JSON.stringify(repeatTo(u, 12))}…`, at, size: MAX_FIELD_BYTES });
    }
    expect(overLoadScaledBudget(over, BUDGET_MS)).toEqual([]);
  }, 60_000);

  it('covers every transform there is', () => {
    expect(TRANSFORM_NAMES).toEqual(Object.keys(TRANSFORMS));
  });
});

describe('worst-case input: whole lines through the engine', () => {
  const engine = new RuleEngine(set, { resultCache: false });
  // Every character any rule distinguishes, and every literal, as a run filling the request line.
  const units = new Set<string>();
  for (const r of set.rules) {
    if (r.match.kind === 'regex') for (const c of distinguishedCharacters(r.match.re.source, r.match.re.flags)) units.add(c);
    for (const l of r.literals) units.add(l);
  }
  // Each line at `size` (the field cap, or a quarter of it for the growth check).
  const lineMakers: ((size: number) => EventLike)[] = [...units].flatMap((u) => [
    (size: number) => ({ method: 'GET', path: `/${repeatTo(u, size - 1)}`, query: '', status: 404 }),
    (size: number) => {
      const run = repeatTo(u, size / 2);
      return { method: 'GET', path: '/', query: `q=${run}`, status: 200, userAgent: run, referer: run };
    },
  ]);
  const lines = lineMakers.map((make) => make(MAX_FIELD_BYTES));

  it(`${lines.length} hostile lines each cost under ${LINE_BUDGET_MS} ms (scaled by the machine's load) and ${LINE_WORK_CHARS} characters of work`, () => {
    // Calibrate before and after, and take the lower: a burst of load during one of them cannot widen the budget.
    const before = calibrate();
    const slow: OverBudget[] = [];
    const costly: string[] = [];
    const times: number[] = [];
    for (const e of lines) {
      const stats = newStats();
      engine.evaluate(e, stats);
      const work = stats.bytesScanned + stats.bytesTransformed + stats.regexChars;
      if (work > LINE_WORK_CHARS) costly.push(`${work} characters on path ${JSON.stringify(e.path.slice(0, 16))} query ${JSON.stringify(e.query.slice(0, 16))}`);
      times.push(fastest(() => engine.evaluate(e), LINE_BUDGET_MS));
    }
    const factor = Math.max(1, Math.min(before, calibrate()) / CALIBRATION_QUIET_MS);
    const budget = LINE_BUDGET_MS * factor;
    lines.forEach((e, i) => {
      const ms = times[i] as number;
      if (ms <= budget) return;
      const at = (n: number) => { const line = (lineMakers[i] as (size: number) => EventLike)(n); return () => void engine.evaluate(line); };
      slow.push({ ms, what: `path ${JSON.stringify(e.path.slice(0, 16))} query ${JSON.stringify(e.query.slice(0, 16))}`, at, size: MAX_FIELD_BYTES });
    });
    expect(costly).toEqual([]);
    expect(quadraticOrFar(slow, budget)).toEqual([]);
  }, 300_000);
});
