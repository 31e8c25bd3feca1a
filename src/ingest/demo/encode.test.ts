import { describe, expect, it } from 'vitest';
import { buildQuery, encodeQueryValue, escapeLogValue, hasPercentEscape } from './encode.js';

describe('encodeQueryValue', () => {
  it.each([
    ['form', "1' OR '1'='1", '1%27+OR+%271%27%3D%271'],
    ['tool', "1' OR '1'='1", '1%27%20OR%20%271%27=%271'],
    ['form', '<script>alert(1)</script>', '%3Cscript%3Ealert%281%29%3C%2Fscript%3E'],
    ['tool', '<script>alert(1)</script>', '%3Cscript%3Ealert(1)%3C/script%3E'],
    ['tool', '${jndi:ldap://x/a}', '${jndi:ldap://x/a}'],
    ['tool', 'a&b=c#d+e', 'a%26b=c%23d%2Be'],
    ['tool', '..%252f..%2fetc', '..%252f..%2fetc'],
    ['tool', '100% sure', '100%25%20sure'],
    ['form', 'kopfhörer', 'kopfh%C3%B6rer'],
    ['tool', '充電器', '%E5%85%85%E9%9B%BB%E5%99%A8'],
    ['tool', 'a\u0000b', 'a%00b'],
  ] as const)('%s encodes %j', (style, raw, encoded) => {
    expect(encodeQueryValue(raw, style)).toBe(encoded);
  });

  it('decodes back to the original value', () => {
    for (const raw of ["1' UNION SELECT 1,2-- -", 'écouteurs sans fil', '<img src=x onerror=alert(1)>']) {
      for (const style of ['form', 'tool'] as const) {
        expect(decodeURIComponent(encodeQueryValue(raw, style).replace(/\+/g, ' '))).toBe(raw);
      }
    }
  });

  it('builds query strings and spots deliberate escapes', () => {
    expect(
      buildQuery(
        [
          ['q', 'usb c'],
          ['page', '2'],
        ],
        'form',
      ),
    ).toBe('q=usb+c&page=2');
    expect(hasPercentEscape('%2e%2e/')).toBe(true);
    expect(hasPercentEscape('100% sure')).toBe(false);
  });
});

describe('escapeLogValue', () => {
  it('escapes like nginx escape=default', () => {
    expect(escapeLogValue('plain/text?a=1')).toBe('plain/text?a=1');
    expect(escapeLogValue('/index.php?s=/Index/\\think\\app')).toBe('/index.php?s=/Index/\\x5Cthink\\x5Capp');
    expect(escapeLogValue('say "hi"')).toBe('say \\x22hi\\x22');
    expect(escapeLogValue('é\u0001')).toBe('\\xC3\\xA9\\x01');
  });
});
