import { describe, expect, it } from 'vitest';
import { MAX_NORMALIZED, normalizeField, parseQuery, TRANSFORMS, type TransformName } from './index.js';

describe('transforms', () => {
  const cases: [TransformName, string, string][] = [
    ['urlDecode', '%3Cscript%3E', '<script>'],
    ['urlDecode', '%252e%252e%252f', '../'],
    ['urlDecode', '%25252e', '.'],
    ['urlDecode', '%2525252e', '%2e'], // at most 3 rounds
    ['urlDecode', '100%', '100%'],
    ['urlDecode', '%zz%4', '%zz%4'],
    ['urlDecode', '%c0%ae%c0%ae/', '../'], // overlong UTF-8 inside percent-decoding
    ['urlDecode', '%D9%85%DA%AF', 'مگ'],
    ['urlDecode', '%ff', '\ufffd'],
    ['unicodeEscape', '%u002e%u002e%u2215', '../'],
    ['unicodeEscape', '\\u006a\\u006e\\u0064\\u0069', 'jndi'],
    ['unicodeEscape', '%uff0e%uff0e／', '../'],
    ['unicodeEscape', '..%u2215..%u2216..%uEFC8', '../..\\../'],
    ['htmlEntity', '&lt;script&gt;', '<script>'],
    ['htmlEntity', '&#x6A;avascript&colon;', 'javascript:'],
    ['htmlEntity', '&#0000106&#97;', 'ja'],
    ['htmlEntity', '&unknown; &amp', '&unknown; &'],
    ['htmlEntity', '&#99999999;', '&#99999999;'],
    ['overlongUtf8', '%c0%ae%c0%af', './'],
    ['overlongUtf8', '%e0%80%ae', '.'],
    ['overlongUtf8', '%c1%9c', '\\'],
    ['nullByte', 'a\0b', 'ab'],
    ['lowercase', 'SeLeCt', 'select'],
    ['sqlComments', 'union/**/select', 'union select'],
    ['sqlComments', '/*!50000union*/ /*!select*/', ' union   select '],
    ['sqlComments', "admin'-- x", "admin' "],
    ['sqlComments', "1 #comment\nunion", '1  \nunion'],
    ['sqlComments', 'a/* never closed', 'a '],
    ['compressWhitespace', 'a \t\u000b b', 'a b'],
    ['compressWhitespace', 'a \n b', 'a\nb'],
    ['plusSpace', 'a+b', 'a b'],
    ['shellNormalize', "c'a't${IFS}/etc/pa\\sswd", 'cat /etc/passwd'],
    ['shellNormalize', 'wh``oami', 'whoami'],
    ['shellNormalize', 'who^ami', 'whoami'],
    ['pathNormalize', '/a/./b//c/../d', '/a/b/d'],
    ['pathNormalize', '\\..\\..\\boot.ini', '/boot.ini'],
    ['pathNormalize', '/x/..;/manager/html', '/manager/html'],
    ['pathNormalize', '../../etc/passwd', 'etc/passwd'],
  ];
  it.each(cases)('%s(%j) = %j', (name, input, want) => {
    expect(TRANSFORMS[name](input)).toBe(want);
  });
});

describe('normalizeField', () => {
  it('records which transforms changed the value, and traversal', () => {
    const r = normalizeField('%2E%2E%2fETC/passwd', ['urlDecode', 'nullByte', 'pathNormalize', 'lowercase']);
    expect(r.value).toBe('etc/passwd');
    expect(r.applied).toEqual(['urlDecode', 'pathNormalize', 'lowercase']);
    expect(r.traversal).toBe(true);
  });

  it('leaves clean values alone with nothing applied', () => {
    const r = normalizeField('/products/4711', ['urlDecode', 'htmlEntity', 'pathNormalize', 'lowercase']);
    expect(r).toEqual({ value: '/products/4711', applied: [], traversal: false });
  });

  it('bounds output: at most 2x input and at most 16 KiB', () => {
    const all = Object.keys(TRANSFORMS) as TransformName[];
    for (const input of ['İ'.repeat(5000), 'A'.repeat(100_000), '%41'.repeat(30_000), '&#x41;'.repeat(10_000)]) {
      const r = normalizeField(input, all);
      expect(r.value.length).toBeLessThanOrEqual(MAX_NORMALIZED);
      expect(r.value.length).toBeLessThanOrEqual(Math.max(16, input.length * 2));
    }
  });

  it('stops after 3 decoding rounds on 20 levels of nested encoding', () => {
    let s = '<script>';
    for (let i = 0; i < 20; i++) s = encodeURIComponent(s);
    const r = normalizeField(s, ['urlDecode']);
    expect(r.value.length).toBeLessThanOrEqual(s.length);
    expect(r.value).not.toContain('<script>');
  });
});

describe('parseQuery', () => {
  it('splits pairs, keeps them encoded', () => {
    expect(parseQuery('a=1&b=%27x&&c&d=').args).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: '%27x' },
      { name: 'c', value: '' },
      { name: 'd', value: '' },
    ]);
  });
  it('caps the number of args and their sizes', () => {
    const q = Array.from({ length: 5000 }, (_, i) => `a${i}=${'x'.repeat(i === 0 ? 10_000 : 1)}`).join('&');
    const r = parseQuery(q);
    expect(r.args.length).toBe(256);
    expect(r.truncated).toBe(true);
    expect(r.args[0]?.value.length).toBe(4096);
  });
});
