import { describe, expect, it } from 'vitest';
import { isPlain, tokenisedValue, TokeniserDetector, VERDICT_CACHE_SIZE, type TokenisedEvent } from './detector.js';
import type { TokenisedField, Tokeniser } from './types.js';

/** Fires on values containing `needle`; records what it was shown. */
function fake(ruleId: string, needle: string): Tokeniser & { seen: [string, TokenisedField][] } {
  const seen: [string, TokenisedField][] = [];
  return {
    ruleId, category: 'xss', severity: 'high', seen,
    inspect(value, field) {
      seen.push([value, field]);
      return value.includes(needle) ? { fragment: value, confidence: 0.8, detail: `saw ${needle}` } : null;
    },
  };
}

const ev = (over: Partial<TokenisedEvent>): TokenisedEvent => ({ path: '/', query: '', userAgent: null, referer: null, ...over });

describe('isPlain', () => {
  it.each([
    ['/static/app.min.js', true],
    ['hello world, 2-3 items', true],
    ['a%20b', false],
    ['x<y', false],
    ['café', false],
    ['a;b', false],
  ])('%j -> %s', (s, plain) => expect(isPlain(s)).toBe(plain));
});

describe('tokenisedValue', () => {
  it.each([
    ['a+b', true, 'a b'],
    ['a+b', false, 'a+b'],
    ['%253Cx%253E', true, '<x>'],
    ['%3C', false, '<'],
  ])('%j (plus as space %s) -> %j', (raw, plus, out) => expect(tokenisedValue(raw, plus)).toBe(out));

  it('caps the decoded value', () => {
    expect(tokenisedValue('%41'.repeat(10_000), false).length).toBe(4096);
  });
});

describe('TokeniserDetector', () => {
  it('shows each tokeniser the decoded path, argument values, user agent and referer, skipping plain values', () => {
    const t = fake('tokens/a', '<');
    const d = new TokeniserDetector([t]);
    d.inspectEvent(ev({ path: '/a%3Bb', query: 'q=plain&x=a%27b&y=', userAgent: 'curl (x)', referer: 'http://h/p?a=1&b=x+%3Cy' }), d.createState());
    expect(t.seen).toEqual([
      ['/a;b', 'path'],
      ["a'b", 'arg'],
      ['curl (x)', 'user_agent'],
      // Whole: each tokeniser reads a referer its own way (referer.ts for markup and shell).
      ['http://h/p?a=1&b=x+<y', 'referer'],
    ]);
  });

  it('reports one detection per tokeniser and event, from the first field that fires, named after it', () => {
    const a = fake('tokens/a', '<');
    const b = fake('tokens/b', ';');
    const d = new TokeniserDetector([a, b]);
    const out = d.inspectEvent(ev({ query: 'p=%3Cx&q=%3Cy%3B', userAgent: 'x;y' }), d.createState());
    expect(out.map((x) => [x.ruleId, x.field, x.fragment])).toEqual([
      ['tokens/a', 'arg:p', '<x'],
      ['tokens/b', 'arg:q', '<y;'],
    ]);
    expect(out[0]).toMatchObject({ category: 'xss', severity: 'high', confidence: 0.8, detail: 'saw <' });
  });

  it('remembers user-agent verdicts in its state, bounded', () => {
    const t = fake('tokens/a', '<');
    const d = new TokeniserDetector([t]);
    const state = d.createState();
    const ua = ev({ userAgent: 'Mozilla/5.0 (<x>)' });
    expect(d.detect([ua as never, ua as never], state).map((r) => r.length)).toEqual([1, 1]);
    expect(t.seen.length).toBe(1);
    for (let i = 0; i < VERDICT_CACHE_SIZE + 10; i++) d.inspectEvent(ev({ userAgent: `agent (${i})` }), state);
    expect(state.verdicts.user_agent.size).toBeLessThanOrEqual(VERDICT_CACHE_SIZE);
  });

  it('keeps the verdict of a user agent apart from the same text seen as a referer', () => {
    // A tokeniser that fires on referers only: the user agent's "nothing" must not answer for the referer.
    const seen: TokenisedField[] = [];
    const refererOnly: Tokeniser = {
      ruleId: 'tokens/r', category: 'xss', severity: 'high',
      inspect: (value, field) => (seen.push(field), field === 'referer' && value.includes('<') ? { fragment: value, confidence: 0.8, detail: 'r' } : null),
    };
    const d = new TokeniserDetector([refererOnly]);
    const state = d.createState();
    const text = 'https://h/s?q=%3Cx%3E';
    expect(d.inspectEvent(ev({ userAgent: text }), state)).toEqual([]);
    expect(d.inspectEvent(ev({ referer: text }), state).map((x) => [x.ruleId, x.field])).toEqual([['tokens/r', 'referer']]);
    expect(seen).toEqual(['user_agent', 'referer']);
  });

  it('fires on a referer argument, named referer', () => {
    const d = new TokeniserDetector([fake('tokens/a', '<')]);
    const out = d.inspectEvent(ev({ referer: 'https://h/s?q=%3Cscript%3E' }), d.createState());
    expect(out.map((x) => [x.ruleId, x.field, x.fragment])).toEqual([['tokens/a', 'referer', 'https://h/s?q=<script>']]);
  });

  it('lists its rule ids, and costs nothing without tokenisers', () => {
    expect(new TokeniserDetector([fake('tokens/a', 'x'), fake('tokens/b', 'y')]).ruleIds()).toEqual(['tokens/a', 'tokens/b']);
    expect(new TokeniserDetector([]).inspectEvent(ev({ query: 'a=%3C' }))).toEqual([]);
  });
});
