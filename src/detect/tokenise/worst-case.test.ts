/**
 * The tokenisers against generated worst-case input at the caps: each value at MAX_TOKENISED characters,
 * made of repeats of the units their lexers and decisions branch on (tag openers, quotes, separators,
 * globs, escapes, `$IFS`, comment openers without their closers), and whole lines at the line cap through
 * the detector. A scan that restarts at every opener is quadratic there (hundreds of milliseconds); the
 * linear ones stay far under the budget.
 *
 * Timing as in src/detect/worst-case.test.ts: the fastest of up to ten runs, CPU or wall time, whichever
 * is smaller, after a warm-up on short inputs, so a pause on a shared machine cannot fail the test but a
 * quadratic scan does. Values over a budget are kept only if still over it once the budget is scaled by how
 * much slower the machine runs now (testing/calibration.ts), as the rules' worst-case test does, and
 * only if they also grow quadratically (testing/cost.ts growth: 4x the input costing 8x or more) or are
 * ten times over: a budget alone fails linear code whenever the shared machine is busy.
 */
import { fastestMs, repeatTo, type OverBudget } from '../testing/cost.js';
import { overLoadScaledBudget } from '../testing/calibration.js';
import { describe, expect, it } from 'vitest';
import { MAX_LINE, type HttpEvent } from '../../core/index.js';
import { MAX_TOKENISED, TOKENISERS, tokeniserDetector } from './index.js';

/** Per value at MAX_TOKENISED characters, per tokeniser. */
const BUDGET_MS = 2;
/** Per whole line at the line cap (MAX_TOKENISED_PER_EVENT characters tokenised), as rules' LINE_BUDGET_MS. */
const LINE_BUDGET_MS = 4;

const fastest = (run: () => void, budget = BUDGET_MS): number => fastestMs(run, budget, 10);

const UNITS = [
  '<', '<a', '<a ', '<a b', '<a b=', '<a b="', "<a b='", '<!', '<!--', '<?', '</a', '"', "'", '`', '=', ' on=', ' onx="',
  'javascript:', '&#', '&lt;', '(', '[', '[]', '![]+', 'alert', 'alert(', 'top[', 'top[[', 'constructor.', '/*', '*/',
  'document.', 'onerror=', 'throw ', ';', '|', '&', '&&', '\n', '$(', '${', '${IFS', '$IFS', '$', '^', '\\', '\\n', 'a\\',
  "a'", 'a"b', '/?', '/*', '/???', '/[', '/[a-', '{', '{,', ',', '${${', 'system(', 'system(system(', 'id ', ';id ', 'cat ', 'system(', '() {', '<!--#exec ',
  'style=', 'a style="exp/*', ' srcdoc="&lt;', 'w\'h', '?', '*', ' ', '\t', 'a', '1',
];

/** The units whose runs make the worst-case values: each unit, and pairs of them. */
const shapeUnits = (): string[] => {
  const out = new Set<string>(UNITS);
  for (let i = 0; i < UNITS.length; i += 3) for (let j = 1; j < UNITS.length; j += 7) out.add(UNITS[i]! + UNITS[j]!);
  return [...out];
};

function ev(over: Partial<HttpEvent>): HttpEvent {
  return {
    id: 'w', time: 0, ip: '198.51.100.7', peerIp: null, method: 'GET', host: null, path: '/', query: '', protocol: 'HTTP/1.1',
    status: 200, bytes: 0, referer: null, userAgent: null, requestTime: null, ja4: null, ja4h: null, headers: null,
    origin: { kind: 'api', source: 't', receivedAt: 0 }, ...over,
  };
}

describe('tokenisers stay linear at the caps', () => {
  for (const t of TOKENISERS) {
    it(`${t.ruleId}: every shape at ${MAX_TOKENISED} characters within ${BUDGET_MS} ms`, () => {
      // Warm up first (a long-running process runs optimised code): the first calls are interpreted.
      for (const u of shapeUnits()) for (let i = 0; i < 5; i++) t.inspect(repeatTo(u, 512), 'arg');
      const slow: OverBudget[] = [];
      for (const u of shapeUnits()) {
        for (const field of ['arg', 'user_agent'] as const) {
          const at = (size: number) => {
            const s = repeatTo(u, size);
            return () => void t.inspect(s, field);
          };
          const ms = fastest(at(MAX_TOKENISED));
          if (ms > BUDGET_MS) slow.push({ ms, what: `${JSON.stringify(repeatTo(u, 24))}… as ${field}`, at, size: MAX_TOKENISED });
        }
      }
      expect(overLoadScaledBudget(slow, BUDGET_MS)).toEqual([]);
    });
  }

  it(`a whole line at the ${MAX_LINE}-byte cap through the detector within ${LINE_BUDGET_MS} ms per shape`, () => {
    const d = tokeniserDetector();
    for (const unit of UNITS) for (let i = 0; i < 5; i++) d.inspectEvent(ev({ path: `/${repeatTo(unit, 512)}`, query: `a=${encodeURIComponent(repeatTo(unit, 512))}` }));
    const slow: OverBudget[] = [];
    for (const unit of UNITS) {
      const encoded = encodeURIComponent(repeatTo(unit, 1000));
      // The query split into many arguments, one long path, and a long user agent (not cached between runs).
      const at = (size: number) => {
        const query = repeatTo(`a=${encoded}&`, size / 2);
        const path = `/${repeatTo(unit, size / 4)}`;
        const agent = repeatTo(unit, size / 4);
        let n = 0;
        return () => void d.inspectEvent(ev({ path, query, userAgent: `${n++}${agent}` }), d.createState());
      };
      const ms = fastest(at(MAX_LINE), LINE_BUDGET_MS);
      if (ms > LINE_BUDGET_MS) slow.push({ ms, what: JSON.stringify(unit), at, size: MAX_LINE });
    }
    expect(overLoadScaledBudget(slow, LINE_BUDGET_MS)).toEqual([]);
  });
});
