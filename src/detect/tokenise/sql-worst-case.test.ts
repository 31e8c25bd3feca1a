/**
 * The SQL tokeniser against worst-case input at the caps: long runs of every character class the lexer
 * distinguishes, and pairs of them (unclosed comments after each word, quotes that never close, nested
 * parentheses, version comments). Linear code stays far under budget; a quadratic step (a rescan per
 * token) costs 10-100x more at these sizes. CPU time, fastest of five: a pause elsewhere on a shared
 * machine cannot fail it, a quadratic step does.
 *
 * The budget is 2 ms of CPU on a quiet machine. Under load a CPU millisecond buys less work, so a run
 * over it fails only if it also grows quadratically (testing/cost.ts growth: 4x the input costing 8x or
 * more) or is ten times over: linear shapes on a busy machine pass, a quadratic one fails on any machine.
 */
import { fastestMs, quadraticOrFar, repeatTo } from '../testing/cost.js';
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
    const at = (size: number) => {
      const value = repeatTo(unit, size);
      return () => {
        sqlInjection(value);
        for (const ctx of ['none', "'", '"', '`'] as const) tokeniseSql(value, ctx, Number.MAX_SAFE_INTEGER);
      };
    };
    const ms = fastest(at(MAX_SQL_VALUE));
    expect(quadraticOrFar([{ ms, what: JSON.stringify(unit), at, size: MAX_SQL_VALUE }], LINE_BUDGET_MS)).toEqual([]);
  });

  const d = tokeniserDetector();
  // Every value of the line at `size` characters; a fresh state per run, or the user agent and referer
  // verdict cache would answer.
  const lineAt = (unit: string) => (size: number) => {
    const query = repeatTo(`v=${repeatTo(encodeURIComponent(unit), 240)}&`, size);
    const path = `/${repeatTo(encodeURIComponent(unit), size - 1)}`;
    const e = { path, query, userAgent: repeatTo(unit, size), referer: `http://x/?${query}` };
    return () => void d.inspectEvent(e, d.createState());
  };

  it.each(UNITS)('a whole request line of %j (path, arguments, user agent, referer at the field cap) stays under budget', (unit) => {
    const at = lineAt(unit);
    const ms = fastest(at(MAX_FIELD));
    expect(quadraticOrFar([{ ms, what: JSON.stringify(unit), at, size: MAX_FIELD }], LINE_BUDGET_MS)).toEqual([]);
  });
});
