/**
 * How much slower this machine runs now than the quiet machine the worst-case budgets were set on, for the
 * worst-case tests (src/detect/worst-case.test.ts, src/detect/tokenise/worst-case.test.ts).
 *
 * The calibration workload: the rule engine on two linear 8 KB lines (plain letters, and escapes that every
 * decoding pipeline works through). CALIBRATION_QUIET_MS is what it costs on a quiet machine (under vitest;
 * its fastest of 60 runs was 2.0 ms at load average 30 on 2 cores, and the worst hostile lines cost 0.8-1.5x
 * the calibration at every load measured). A linear scan slows with the machine, so a budget multiplied by
 * this factor still holds for it; a quadratic one costs 10-100 times more and still fails.
 */
import { bundledRulePaths, loadRulePacks, MAX_FIELD_BYTES, RuleEngine, type EventLike } from '../rules/index.js';
import { fastestMs, quadraticOrFar, repeatTo, type OverBudget } from './cost.js';

export const CALIBRATION_QUIET_MS = 1;

let engine: RuleEngine | undefined;
const workload: EventLike[] = ['a', '%41'].map((u) => ({ method: 'GET', path: `/${repeatTo(u, MAX_FIELD_BYTES - 1)}`, query: `q=${repeatTo(u, MAX_FIELD_BYTES / 2)}`, status: 200 }));

/** Milliseconds of the calibration workload now (fastest of a few runs). */
export function calibrate(): number {
  engine ??= new RuleEngine(loadRulePacks(bundledRulePaths()), { resultCache: false });
  const e = engine;
  return fastestMs(() => workload.forEach((w) => e.evaluate(w)), 0);
}

/** How many times slower than quiet the calibration runs now, never less than 1. */
export function loadFactor(): number {
  return Math.max(1, calibrate() / CALIBRATION_QUIET_MS);
}

/**
 * The runs over `budgetMs` that stay over it once it is scaled by the machine's load (calibrated only when
 * one was over) and grow quadratically or are far over it (cost.ts quadraticOrFar).
 */
export function overLoadScaledBudget(over: readonly OverBudget[], budgetMs: number): string[] {
  if (over.length === 0) return [];
  return quadraticOrFar(over, budgetMs * loadFactor());
}
