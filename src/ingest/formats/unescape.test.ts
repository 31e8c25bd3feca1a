import { describe, expect, it } from 'vitest';
import { unescapeLogField } from './unescape.js';

describe('unescapeLogField', () => {
  it.each([
    ['plain', 'plain'],
    ['a\\"b', 'a"b'],
    ['a\\\\b', 'a\\b'],
    ['\\x22><script>', '"><script>'],
    ['\\xC3\\xA9t\\xC3\\xA9', 'été'],
    ['\\xFF\\x41', '\uFFFDA'],
    ['line\\nnext\\ttab', 'line\nnext\ttab'],
    ['\\u0041\\u00e9', 'Aé'],
    ['\\q stays', '\\q stays'],
    ['\\x4', '\\x4'],
    ['\\xZZ', '\\xZZ'],
    ['end\\', 'end\\'],
    ['\\x41\\q\\x42', 'A\\qB'],
  ])('%s → %j', (input, expected) => {
    expect(unescapeLogField(input, 0, input.length)).toBe(expected);
  });

  it('stays inside the given range', () => {
    const s = 'xx\\x41yy\\x42';
    expect(unescapeLogField(s, 2, 8)).toBe('Ayy');
  });
});
