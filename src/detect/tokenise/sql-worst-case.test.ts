/**
 * The SQL tokeniser against worst-case input at the caps: long runs of every character class the lexer
 * distinguishes, and pairs of them (unclosed comments after each word, quotes that never close, nested
 * parentheses, version comments). Linear code stays far under budget; a quadratic step (a rescan per
 * token) costs 10-100x more at these sizes. CPU time, fastest of five: a pause elsewhere on a shared
 * machine cannot fail it, a quadratic step does.
 *
 * The whole-line budget is 2 ms of CPU on a quiet machine. Under heavy load a CPU millisecond buys less
 * work, so a line may also pass at up to 4x a reference line of the same size measured beside it (plain
 * words and all three quotes in each value, so it is tokenised linearly in all four contexts): linear
 * shapes cost about the same as the reference, a quadratic one 10x and more.
 */
import { fastestMs, repeatTo } from '../testing/cost.js';
import { describe, expect, it } from 'vitest';
import { MAX_FIELD } from '../../core/index.js';
import { tokeniserDetector } from './index.js';
import { sqlInjection, MAX_SQL_VALUE } from './sql.js';
import { tokeniseSql } from './sql-lexer.js';

/** Per line, CPU milliseconds (every value of a request at the field cap). */
const LINE_BUDGET_MS = 2;

const fastest = (run: () => void): number => fastestMs(run, LINE_BUDGET_MS);

const UNITS = [
  "'", '"', '`', '(', ')', '/*', '/*!', '*/', '--', '#', '\\', "''", '@@', '::', 'a(', 'a ', 'a/*', 'a /**/ ',
  "' or '", "'||'", '1,', '1=', 'or 1=1 ', 'union ', 'select ', 'sleep(', '((select ', ';select ', ' ', '0x',
  '1e', '.5', '%27', '%2527', '+', 'é', "a'b\"c`",
];


describe('SQL tokeniser: worst-case input', () => {
  it.each(UNITS)('a value of %j repeated to the cap stays under budget in every context', (unit) => {
    const value = repeatTo(unit, MAX_SQL_VALUE);
    const ms = fastest(() => {
      sqlInjection(value);
      for (const ctx of ['none', "'", '"', '`'] as const) tokeniseSql(value, ctx, Number.MAX_SAFE_INTEGER);
    });
    expect(ms).toBeLessThan(LINE_BUDGET_MS);
  });

  const d = tokeniserDetector();
  const lineOf = (unit: string) => {
    const query = repeatTo(`v=${repeatTo(encodeURIComponent(unit), 240)}&`, MAX_FIELD);
    const path = `/${repeatTo(encodeURIComponent(unit), MAX_FIELD - 1)}`;
    const text = repeatTo(unit, MAX_FIELD);
    return { path, query, userAgent: text, referer: `http://x/?${query}` };
  };
  // A fresh state per run: the user agent and referer verdict cache would otherwise answer.
  const cost = (unit: string) => {
    const e = lineOf(unit);
    return fastest(() => d.inspectEvent(e, d.createState()));
  };

  it.each(UNITS)('a whole request line of %j (path, arguments, user agent, referer at the field cap) stays under budget', (unit) => {
    const ms = cost(unit);
    const budget = ms < LINE_BUDGET_MS ? LINE_BUDGET_MS : Math.max(LINE_BUDGET_MS, 4 * cost('ab\' cd" ef` '));
    expect(ms).toBeLessThan(budget);
  });
});
