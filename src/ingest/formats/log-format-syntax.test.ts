import { describe, expect, it } from 'vitest';
import { extractFormatString, tokenizeLogFormat } from './log-format-syntax.js';

describe('tokenizeLogFormat', () => {
  it.each([
    [
      '$a - $b',
      [
        { kind: 'variable', name: 'a' },
        { kind: 'literal', text: ' - ' },
        { kind: 'variable', name: 'b' },
      ],
    ],
    [
      '[${time_local}]',
      [
        { kind: 'literal', text: '[' },
        { kind: 'variable', name: 'time_local' },
        { kind: 'literal', text: ']' },
      ],
    ],
    [
      'cost $ $x',
      [
        { kind: 'literal', text: 'cost $ ' },
        { kind: 'variable', name: 'x' },
      ],
    ],
    [
      '$x$',
      [
        { kind: 'variable', name: 'x' },
        { kind: 'literal', text: '$' },
      ],
    ],
  ])('%s', (format, tokens) => {
    expect(tokenizeLogFormat(format)).toEqual(tokens);
  });

  it.each([
    ['${a-b}', /invalid variable name/],
    ['x'.repeat(5000), /at most 4096/],
  ])('rejects %s', (format, message) => {
    expect(() => tokenizeLogFormat(format)).toThrow(message);
  });
});

describe('extractFormatString', () => {
  it.each([
    ['$remote_addr $status', '$remote_addr $status'],
    ["log_format x '$remote_addr '\n   '$status';", '$remote_addr $status'],
    ['log_format json escape=json \'{"a":"$remote_addr"}\';', '{"a":"$remote_addr"}'],
    ["'$remote_addr' ' $status'", '$remote_addr $status'],
    ["log_format x 'it\\'s $remote_addr';", "it's $remote_addr"],
  ])('%j', (text, format) => {
    expect(extractFormatString(text)).toBe(format);
  });

  it.each([
    ["log_format x '$remote_addr", /unterminated/],
    ['log_format x;', /no quoted format string/],
    ["log_format x '$a' junk '$b'", /unexpected "junk/],
  ])('rejects %j', (text, message) => {
    expect(() => extractFormatString(text)).toThrow(message);
  });
});
