import { describe, expect, it } from 'vitest';
import { LINE_WORK_BUDGET, LINE_WORK_BUDGET_RULE, RuleEngine, bundledRulePaths, loadRulePackText, loadRulePacks, newStats } from './index.js';

/** `n` linear rules run on every path and uri (no literal gate): heavy but not quadratic; args come after. */
function heavyPack(n: number): string {
  const rules = Array.from(
    { length: n },
    (_, i) => `  - id: heavy-${i}
    name: Heavy ${i}
    severity: low
    confidence: 0.5
    fields: [path, uri]
    always: true
    match: { regex: 'zq${i}$' }
    examples: { match: ['/zq${i}'] }
`,
  ).join('');
  const ua = `  - id: arg-probe
    name: Arg probe
    severity: high
    confidence: 0.9
    fields: [args]
    match: { phrases: [sqlmap] }
    examples: { match: [sqlmap] }
`;
  return `pack: heavy\ncategory: anomaly\nrules:\n${rules}${ua}`;
}

describe('per-line work budget', () => {
  const engine = new RuleEngine({ rules: loadRulePackText(heavyPack(40), 'heavy.yaml'), files: [] }, { resultCache: false });

  it('flags a line that uses up the budget and leaves its remaining fields unscanned', () => {
    const stats = newStats();
    const out = engine.evaluate({ method: 'GET', path: `/${'a'.repeat(8000)}`, query: 'q=sqlmap', status: 200 }, stats);
    expect(out.map((d) => d.ruleId)).toEqual([LINE_WORK_BUDGET_RULE]);
    expect(out[0]).toMatchObject({ category: 'anomaly', severity: 'low' });
    expect(stats.overBudget).toBe(1);
    expect(stats.bytesScanned + stats.bytesTransformed + stats.regexChars).toBeGreaterThan(LINE_WORK_BUDGET);
  });

  it('scans every field of a short line', () => {
    const stats = newStats();
    const out = engine.evaluate({ method: 'GET', path: '/zq3', query: 'q=sqlmap', status: 200 }, stats);
    expect(out.map((d) => d.ruleId).sort()).toEqual(['arg-probe', 'heavy-3']);
    expect(stats.overBudget).toBe(0);
  });

  it('the bundled rules never reach it, even on 8 KB hostile lines', () => {
    const bundled = new RuleEngine(loadRulePacks(bundledRulePaths()), { resultCache: false });
    for (const unit of ['.', '${', '%e5%98%8', '/*!', '<a ', "'or 1=1--"]) {
      const run = unit.repeat(Math.ceil(8190 / unit.length)).slice(0, 8190);
      const stats = newStats();
      bundled.evaluate({ method: 'GET', path: `/${run}`, query: `q=${run.slice(0, 4000)}`, status: 404, userAgent: run, referer: run }, stats);
      expect(stats.overBudget).toBe(0);
    }
  });
});
