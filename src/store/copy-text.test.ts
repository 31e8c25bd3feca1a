import { describe, expect, it } from 'vitest';
import { copyRow, copyValue, pgTextArray } from './copy-text.js';

describe('COPY text format', () => {
  it.each([
    ['plain', 'plain'],
    ['tab\there', 'tab\\there'],
    ['new\nline\r', 'new\\nline\\r'],
    ['back\\slash', 'back\\\\slash'],
    ['\\N', '\\\\N'],
    [null, '\\N'],
    [42, '42'],
    [true, 'true'],
  ] as const)('%j → %j', (input, expected) => {
    expect(copyValue(input)).toBe(expected);
  });

  it('joins a row with tabs and ends it with a newline', () => {
    expect(copyRow(['a', null, 1.5])).toBe('a\t\\N\t1.5\n');
  });
});

describe('pgTextArray', () => {
  it('quotes every element and escapes quotes and backslashes', () => {
    expect(pgTextArray([])).toBe('{}');
    expect(pgTextArray(['a', 'b c'])).toBe('{"a","b c"}');
    expect(pgTextArray(['say "hi"', 'a\\b', '{x,y}', 'NULL'])).toBe('{"say \\"hi\\"","a\\\\b","{x,y}","NULL"}');
  });
});
