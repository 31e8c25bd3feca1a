/**
 * The tokenisers against generated worst-case input at the caps: each value at MAX_TOKENISED characters,
 * made of repeats of the units their lexers and decisions branch on (tag openers, quotes, separators,
 * globs, escapes, `$IFS`, comment openers without their closers), and whole lines at the line cap through
 * the detector. A scan that restarts at every opener is quadratic there (hundreds of milliseconds); the
 * linear ones stay far under the budget.
 *
 * Timing as in src/detect/worst-case.test.ts: the fastest of up to ten runs, CPU or wall time, whichever
 * is smaller, after a warm-up on short inputs, so a pause on a shared machine cannot fail the test but a
 * quadratic scan does.
 */
import { fastestMs, repeatTo } from '../testing/cost.js';
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

const shapes = (length: number): string[] => {
  const out = new Set<string>();
  for (const u of UNITS) out.add(repeatTo(u, length));
  for (let i = 0; i < UNITS.length; i += 3) for (let j = 1; j < UNITS.length; j += 7) out.add(repeatTo(UNITS[i]! + UNITS[j]!, length));
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
      for (const s of shapes(512)) for (let i = 0; i < 5; i++) t.inspect(s, 'arg');
      const slow: string[] = [];
      for (const s of shapes(MAX_TOKENISED)) {
        for (const field of ['arg', 'user_agent'] as const) {
          const ms = fastest(() => t.inspect(s, field));
          if (ms > BUDGET_MS) slow.push(`${JSON.stringify(s.slice(0, 24))}… ${ms.toFixed(2)} ms`);
        }
      }
      expect(slow).toEqual([]);
    });
  }

  it(`a whole line at the ${MAX_LINE}-byte cap through the detector within ${LINE_BUDGET_MS} ms per shape`, () => {
    const d = tokeniserDetector();
    for (const unit of UNITS) for (let i = 0; i < 5; i++) d.inspectEvent(ev({ path: `/${repeatTo(unit, 512)}`, query: `a=${encodeURIComponent(repeatTo(unit, 512))}` }));
    const slow: string[] = [];
    for (const unit of UNITS) {
      const encoded = encodeURIComponent(repeatTo(unit, 1000));
      // The query split into many arguments, one long path, and a long user agent (not cached between runs).
      const query = repeatTo(`a=${encoded}&`, MAX_LINE / 2);
      const path = `/${repeatTo(unit, MAX_LINE / 4)}`;
      let n = 0;
      const ms = fastest(() => d.inspectEvent(ev({ path, query, userAgent: `${n++}${repeatTo(unit, MAX_LINE / 4)}` }), d.createState()), LINE_BUDGET_MS);
      if (ms > LINE_BUDGET_MS) slow.push(`${JSON.stringify(unit)} ${ms.toFixed(2)} ms`);
    }
    expect(slow).toEqual([]);
  });
});
