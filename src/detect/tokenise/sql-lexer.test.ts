import { describe, expect, it } from 'vitest';
import { fingerprint, tokeniseSql, type QuoteContext } from './sql-lexer.js';

/** [value, context, expected fingerprint (all tokens)] */
const CLASSES: [string, QuoteContext, string][] = [
  // strings: closed, open, doubled and backslash-escaped quotes stay inside
  ["'abc'", 'none', 's'],
  ["'it''s' x", 'none', 'sn'],
  ["'a\\'b' x", 'none', 'sn'],
  ['"abc', 'none', 's'],
  // numbers: decimal, fraction, exponent, hex, binary; a number then letters is two tokens (`1union`)
  ['1 2.5 .5 1e5 0x41 0b01', 'none', '111111'],
  ['1union', 'none', '1U'],
  // words: keywords, union, logic and comparison words, bare names, dotted names, backtick names
  ['select from where', 'none', 'kkk'],
  ['union intersect', 'none', 'UU'],
  ['and or xor not', 'none', '&&&&'],
  ['like rlike regexp between in is', 'none', '======'],
  ['div mod', 'none', 'oo'],
  ['information_schema.tables `odd name`', 'none', 'nn'],
  // a word before `(` is a call, also across blanks and comments; keywords stay keywords
  ['sleep(5)', 'none', 'f(1)'],
  ['sleep /**/ (5)', 'none', 'f(1)'],
  ['in(1)', 'none', '=(1)'],
  // variables
  ['@x @@version', 'none', 'vv'],
  ['@', 'none', '?'],
  // operators: comparison, logic symbols, the rest
  ['= <> != <=> >= <', 'none', '======'],
  ['&& || !', 'none', '&&&'],
  ['+ - * / % | & ^ ~ :: :=', 'none', 'ooooooooooo'],
  // punctuation
  ['( ) , ;', 'none', '(),;'],
  ['[x]', 'none', '?n?'],
  // comments: `--` before a non-word character, `#`, unclosed `/*`; closed `/*…*/` is whitespace
  ['1 -- x', 'none', '1c'],
  ['1--', 'none', '1c'],
  ['a --b', 'none', 'noon'],
  ['1 # x', 'none', '1c'],
  ['1 /* x', 'none', '1c'],
  ['1/**/union/**/select', 'none', '1Uk'],
  // MySQL version comments are unwrapped
  ['/*!50000union*/ /*!select*/ 1', 'none', 'Uk1'],
  // quoted contexts: the first matching quote closes the application's literal
  ["abc' or 1", "'", 's&1'],
  ['abc" or 1', '"', 's&1'],
  ["abc", "'", 's'],
  ['x` = 1', '`', 'n=1'],
];

describe('tokeniseSql: token classes', () => {
  it.each(CLASSES)('%j in context %s -> %s', (value, ctx, fp) => {
    expect(fingerprint(tokeniseSql(value, ctx).tokens, 100)).toBe(fp);
  });

  it('marks a literal without its closing quote as open, with its quote', () => {
    const [close, , str] = tokeniseSql("x' or '1", "'").tokens;
    expect(close).toMatchObject({ type: 's', text: 'x', open: false });
    expect(str).toMatchObject({ type: 's', text: '1', open: true, mark: 39 });
  });

  it('lower-cases words and keeps where each token starts', () => {
    const ts = tokeniseSql('1 UNION Select', 'none').tokens;
    expect(ts.map((t) => [t.text, t.start])).toEqual([['1', 0], ['union', 2], ['select', 8]]);
  });

  it('notes version comments and skipped inline comments', () => {
    expect(tokeniseSql('/*!union*/', 'none').versionComment).toBe(true);
    expect(tokeniseSql('1/**/or/**/1', 'none').inlineComments).toBe(2);
  });

  it('stops at the token cap', () => {
    expect(tokeniseSql('1,'.repeat(500), 'none').tokens).toHaveLength(40);
  });
});
