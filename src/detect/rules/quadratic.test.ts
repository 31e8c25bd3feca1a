import { describe, expect, it } from 'vitest';
import { loadRulePackText } from './loader.js';
import { describeShape, quadraticShape, whitespaceCompressed } from './quadratic.js';

describe('quadraticShape', () => {
  // [pattern, flags, whitespace compressed, the quantifier blamed (null: safe), the character of the run]
  const cases: [string, string, boolean, string | null, string?][] = [
    // Unanchored unbounded quantifier: every start position in a run rescans it.
    ['\\.{2,}[/\\\\;]', '', false, '\\.{2,}', '.'],
    ['(?<!\\.)\\.{2,}[/\\\\;]', '', false, null],
    ['=[^&]*x', '', false, '[^&]*', '='],
    ['&[^&]*x', '', false, null],
    ['a[^&]*x', '', false, '[^&]*', 'a'], // `a` is in [^&]: every a of `aaaa…` starts a rescan
    ['[(=]\\s*\\(*\\s*select', '', true, '\\(*', '('],
    ['[(=]\\s*\\({0,32}\\s*select', '', true, null],
    ['^\\s*x', '', false, null],
    ['\\bfoo\\w+bar', '', false, null],
    ['(?:\\{\\{|#\\{)[^}]{0,300}?getruntime', '', false, '[^}]{0,300}?', '{'],
    ['(?:\\{\\{|#\\{)[^{}]{0,300}?getruntime', '', false, null],
    // Two loops that can share a run.
    ['<\\s*/?\\s*script', '', false, '\\s*', '\t'],
    ['<\\s*/?\\s*script', '', true, null],
    ['&[^&]*b[^&]*c', '', false, '[^&]*', 'b'],
    ['a.*b.*c', '', false, '.*', 'a'],
    ['\\.+\\.+/', '', false, '\\.+', '.'],
    ['x\\.+/\\.+y', '', false, null],
    // A loop with nothing mandatory after it never gives characters back to a failing rest.
    ['\\.+', '', false, null],
    ['x\\s*', '', false, null],
    ['\\s+$', '', false, '\\s+', '\t'],
    // Bounded repeats are bounded work.
    ['=[^&]{0,64}x', '', false, null],
    ['=[^&]{0,65}x', '', false, '[^&]{0,65}', '='],
    // Upper case never reaches a rule (rules see lower-cased text) unless the flag folds it.
    ['[A-Z]+x', '', false, null],
    ['[A-Z]+x', 'i', false, '[A-Z]+', 'a'],
    // Assertions that a run cannot cross.
    ['\\b\\w+\\b\\w+z', '', false, null],
    ['^\\w+z', 'm', false, null],
  ];
  it.each(cases)('%s /%s compressed=%s → %s', (pattern, flags, compressed, blamed, char) => {
    const shape = quadraticShape(pattern, flags, compressed);
    expect(shape?.quantifier ?? null).toBe(blamed);
    if (char !== undefined) expect(shape?.char).toBe(char);
  });

  it('names the earlier quantifier when two loops split a run', () => {
    const shape = quadraticShape('&[^&]*b[^&]*c');
    expect(shape?.previous).toEqual({ quantifier: '[^&]*', offset: 1 });
    expect(describeShape(shape!)).toMatch(/`\[\^&\]\*` \(offset 1\) and `\[\^&\]\*` \(offset 7\) can split a long run of "b"/);
  });

  it('whitespaceCompressed: only transforms that cannot make or join whitespace may follow', () => {
    expect(whitespaceCompressed(['urlDecode', 'compressWhitespace', 'lowercase'])).toBe(true);
    expect(whitespaceCompressed(['compressWhitespace', 'quoteFold'])).toBe(true);
    expect(whitespaceCompressed(['compressWhitespace', 'sqlComments'])).toBe(false);
    expect(whitespaceCompressed(['compressWhitespace', 'nullByte'])).toBe(false);
    expect(whitespaceCompressed(['urlDecode'])).toBe(false);
  });
});

describe('loader refuses quadratic rules', () => {
  const pack = (regex: string, transforms = '') => `pack: t
category: path_traversal
defaults: { fields: [path]${transforms} }
rules:
  - id: dots-rule
    name: Dots
    severity: high
    confidence: 0.9
    match: { regex: '${regex}' }
    requires: ['..']
    examples: { match: ['../../x'] }
`;
  it('names the file, the rule, the pattern and the input that hurts', () => {
    expect(() => loadRulePackText(pack('\\.{2,}[/\\\\]'), 'user/t.yaml')).toThrow(
      /user\/t\.yaml: rule dots-rule: field match\.regex: quadratic backtracking: the unbounded `\\\.\{2,\}` .*run of "\.".*\(pattern /,
    );
  });
  it('accepts the anchored form', () => {
    expect(loadRulePackText(pack('(?<!\\.)\\.{2,}[/\\\\]'), 'user/t.yaml')).toHaveLength(1);
  });
  it('judges whitespace loops on the text after the rule transforms', () => {
    const twoLoops = '\\.\\.\\s*/?\\s*x';
    expect(() => loadRulePackText(pack(twoLoops, ', transforms: [urlDecode]'), 'user/t.yaml')).toThrow(/split a long run of "\\t"/);
    expect(loadRulePackText(pack(twoLoops, ', transforms: [urlDecode, compressWhitespace]'), 'user/t.yaml')).toHaveLength(1);
  });
});
