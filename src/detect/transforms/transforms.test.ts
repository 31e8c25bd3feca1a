import { describe, expect, it } from 'vitest';
import {
  ALL_TRIGGERS,
  forEachArg,
  MAX_TRANSFORMED,
  NON_ASCII,
  applyTransforms,
  collapsePath,
  parseQuery,
  percentDecodeOnce,
  TRANSFORM_BIT,
  TRANSFORM_NAMES,
  TRANSFORMS,
  triggerMask,
  type QueryArg,
  type TransformName,
} from './index.js';
import { bytesToText, hexVal, htmlEntity, NAMED } from './decode.js';

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
    ['iisDecode', '%c1%25pc%c0%9v%c0%qf%c1%8s', '\\//\\'], // out-of-range hex digits, also under %25
    ['iisDecode', '%25c1%25pc', '\\'],
    ['iisDecode', '%c1%1c%c0%2f%c0%5c%c1%af', '\\/\\/'], // top bits ignored, stray lead before / and \
    ['iisDecode', '%c0.%c0.%c0%6e%c0%ee', '....'],
    ['iisDecode', '%bg%qf', '/'],
    ['iisDecode', '%f0%80%80%af%f8%80%80%80%af%fc%80%80%80%80%ae', '//.'],
    ['iisDecode', '%25f0%2580%2580%25af', '/'],
    ['iisDecode', '%25%32%25%65%%32%%66', './'], // split escapes of a dot or slash
    ['iisDecode', '%c0%5e%c0%5e%c0%2f', '%c0^%c0^/'], // no dot or slash: lead kept
    ['iisDecode', '%C3%A9t%C3%A9 caf%e9 %41', '%C3%A9t%C3%A9 caf%e9 %41'], // no IIS lead: left to urlDecode
    ['iisDecode', '100%25%20off %2%x', '100% off %2%x'],
    ['nullByte', 'a\0b', 'ab'],
    ['nullByte', '1\0UNION\0SELECT', '1UNIONSELECT'], // glues: why SQL and shell use nullSpace
    ['nullSpace', '1\0UNION\0SELECT\x002', '1 UNION SELECT 2'],
    ['nullSpace', 'clean', 'clean'],
    ['quoteFold', '1\u2019 or \u20181\u2019=\u20191', "1' or '1'='1"],
    ['quoteFold', '1\u2032) and \u02bc1\u2032=\uff071', "1') and '1'='1"],
    ['quoteFold', '\u201cx\u201d \uff02y\u2033', '"x" "y"'],
    ['quoteFold', 'caf\u00e9 \u00ab\u00bb \u201a', 'caf\u00e9 \u00ab\u00bb \u201a'], // other non-ASCII: unchanged
    ['literalEscapes', '\\nid\\n', '\nid\n'],
    ['literalEscapes', '\\r\\n\\t\\v\\f', '\r\n\t\v\f'],
    ['literalEscapes', '\\x3cscript\\x3E', '<script>'],
    ['literalEscapes', '\\u003cimg', '<img'],
    ['literalEscapes', '\\033[2Acurl \\e[0m', '\x1b[2Acurl \x1b[0m'],
    ['literalEscapes', '\\0033 \\101\\0101 \\7', '\x1b AA \x07'], // C octal, and echo -e's \\0NNN
    ['literalEscapes', '\\\\n \\/ \\" \\\'', "\\n / \" '"], // \\ is one backslash, then a plain n
    ['literalEscapes', 'c:\\windows\\system32 c\\at w\\ho\\am\\i', 'c:\\windows\\system32 c\\at w\\ho\\am\\i'],
    ['literalEscapes', '\\x4 \\u12 \\8 \\', '\\x4 \\u12 \\8 \\'], // incomplete escapes stay
    ['literalEscapes', '\\400', '\x20' + '0'], // octal stops before exceeding 0377
    ['lowercase', 'SeLeCt', 'select'],
    ['sqlComments', 'union/**/select', 'union select'],
    ['sqlComments', '/*!50000union*/ /*!select*/', ' union   select '],
    ['sqlComments', "admin'-- x", "admin' "],
    ['sqlComments', "1 #comment\nunion", '1  \nunion'],
    ['sqlComments', 'a/* never closed', 'a '],
    ['sqlComments', "1'/* rest", "1' "],
    ['sqlComments', "142 and '/*' Union(Select 1,2)", "142 and '/*' Union(Select 1,2)"], // inside a literal
    ['sqlComments', '1 and "/*" union/**/select/*', '1 and "/*" union select '],
    ['sqlComments', "'/*' or 1=1 /* x */ -- c", "'/*' or 1=1    "],
    ['sqlComments', "x'/**/or/**/'1'='1", "x' or '1'='1"], // closed comments go even between quotes
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

describe('iisDecode', () => {
  it('never grows its input, and equals urlDecode where no IIS form is involved', () => {
    const parts = ['%', '%25', '%c0', '%c1', '%bg', '%qf', '%pc', '%2f', '%af', '%e0', '%f0', '%80', '%2', '%%', '.', '/', 'a', '%41'];
    let seed = 7;
    for (let k = 0; k < 5000; k++) {
      let s = '';
      for (let n = 0; n < 1 + (k % 10); n++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        s += parts[seed % parts.length];
      }
      const out = TRANSFORMS.iisDecode(s);
      expect(out.length, JSON.stringify(s)).toBeLessThanOrEqual(s.length);
    }
    for (const s of ['%3Cscript%3E', '%252e%252e%252f', 'a+b%20c', '%D9%85%DA%AF']) {
      expect(TRANSFORMS.urlDecode(TRANSFORMS.iisDecode(s))).toBe(TRANSFORMS.urlDecode(s));
    }
  });

  it('is bounded on long hostile input', () => {
    for (const input of ['%c0'.repeat(20_000), '%25c1%25pc'.repeat(5_000), '%%32%%66'.repeat(5_000)]) {
      const r = applyTransforms(input, ['iisDecode', 'urlDecode']);
      expect(r.value.length).toBeLessThanOrEqual(MAX_TRANSFORMED);
    }
  });
});

describe('evasion transforms on hostile input', () => {
  // Each must stay linear and never grow its input: a quadratic scan would take seconds on 16 KiB.
  const hostile = [
    "'/*".repeat(5_000),
    "/*'".repeat(5_000),
    '"/*"*/'.repeat(3_000),
    '\\'.repeat(16_000),
    '\\x'.repeat(8_000),
    '\\0'.repeat(8_000),
    '\\u00'.repeat(4_000),
    '\u2019'.repeat(16_000),
    '\u0600'.repeat(16_000),
    '\0'.repeat(16_000),
  ];
  it.each(['sqlComments', 'literalEscapes', 'quoteFold', 'nullSpace'] as const)('%s', (name) => {
    for (const input of hostile) {
      const t0 = performance.now();
      const out = TRANSFORMS[name](input);
      expect(performance.now() - t0, `${name} on ${JSON.stringify(input.slice(0, 12))}...`).toBeLessThan(250);
      expect(out.length).toBeLessThanOrEqual(input.length);
    }
  });

  it('quoteFold acts on non-ASCII only, literalEscapes on a backslash only', () => {
    expect(triggerMask("it's \"x\"") & TRANSFORM_BIT.quoteFold).toBe(0);
    expect(triggerMask('it\u2019s') & TRANSFORM_BIT.quoteFold).not.toBe(0);
    expect(triggerMask('a/n') & TRANSFORM_BIT.literalEscapes).toBe(0);
    expect(triggerMask('a\\n') & TRANSFORM_BIT.literalEscapes).not.toBe(0);
    expect(triggerMask('1\0union') & TRANSFORM_BIT.nullSpace).not.toBe(0);
  });
});

describe('applyTransforms', () => {
  it('records which transforms changed the value, and traversal', () => {
    const r = applyTransforms('%2E%2E%2fETC/passwd', ['urlDecode', 'nullByte', 'pathNormalize', 'lowercase']);
    expect(r.value).toBe('etc/passwd');
    expect(r.applied).toEqual(['urlDecode', 'pathNormalize', 'lowercase']);
    expect(r.traversal).toBe(true);
  });

  it('leaves clean values alone with nothing applied', () => {
    const r = applyTransforms('/products/4711', ['urlDecode', 'htmlEntity', 'pathNormalize', 'lowercase']);
    expect(r).toEqual({ value: '/products/4711', applied: [], traversal: false });
  });

  it('bounds output: at most 2x input and at most 16 KiB', () => {
    const all = Object.keys(TRANSFORMS) as TransformName[];
    for (const input of ['İ'.repeat(5000), 'A'.repeat(100_000), '%41'.repeat(30_000), '&#x41;'.repeat(10_000)]) {
      const r = applyTransforms(input, all);
      expect(r.value.length).toBeLessThanOrEqual(MAX_TRANSFORMED);
      expect(r.value.length).toBeLessThanOrEqual(Math.max(16, input.length * 2));
    }
  });

  it('stops after 3 decoding rounds on 20 levels of nested encoding', () => {
    let s = '<script>';
    for (let i = 0; i < 20; i++) s = encodeURIComponent(s);
    const r = applyTransforms(s, ['urlDecode']);
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

describe('trigger mask (transforms skipped on values without their trigger characters)', () => {
  // Deterministic fuzz over the characters the transforms care about, plus ordinary ones.
  const alphabet = ['a', 'Z', '0', '/', '.', '\\', '%', 'u', 'c', '0', '1', 'a', 'e', '2', 'f', 'q', '+', '&', '#', 'x', ';', 'l', 't', 'amp', 'lt;', '-', '*', ' ', '\t', '\n', '\0', '$', "'", '"', '`', '^', '{', 'IFS', '}', '=', 'İ', '／', '\u00a0', '\u2019', 'n', '7', 'x3c'];
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const samples = Array.from({ length: 6_000 }, () => Array.from({ length: 1 + rand(12) }, () => alphabet[rand(alphabet.length)]).join(''));
  samples.push('', '.', './x', '..', 'a=1&b=2', '&lt', '&ltx', '&#', '&AMP;', 'x&colon;y', '&valueOf;');

  it.each(TRANSFORM_NAMES)('%s leaves a value alone when its bit is clear', (name) => {
    let skipped = 0;
    for (const s of samples) {
      if ((triggerMask(s) & TRANSFORM_BIT[name]) !== 0) continue;
      skipped++;
      expect(TRANSFORMS[name](s), JSON.stringify(s)).toBe(s);
      if (name === 'pathNormalize') expect(collapsePath(s).traversal).toBe(false);
    }
    expect(skipped).toBeGreaterThan(100);
  });

  it('an & counts only where an entity could start', () => {
    expect(triggerMask('page=2&sort=price') & TRANSFORM_BIT.htmlEntity).toBe(0);
    expect(triggerMask('a=1&lt;b') & TRANSFORM_BIT.htmlEntity).not.toBe(0);
    expect(triggerMask('a=1&#60;') & TRANSFORM_BIT.htmlEntity).not.toBe(0);
    expect(triggerMask('x&Colon') & TRANSFORM_BIT.htmlEntity).not.toBe(0);
  });

  it('non-ASCII sets every bit', () => {
    expect(triggerMask('é')).toBe(ALL_TRIGGERS);
    expect(triggerMask('abc') & NON_ASCII).toBe(0);
  });
});

describe('forEachArg', () => {
  it('visits what parseQuery returns, in order', () => {
    for (const q of ['a=1&b=%27x&&c&d=', '&&', '=x&y=', 'a=b=c', 'x'.repeat(300) + '=1&k']) {
      const seen: QueryArg[] = [];
      const truncated = forEachArg(q, 256, (name, value) => seen.push({ name, value }));
      expect(seen).toEqual(parseQuery(q).args);
      expect(truncated).toBe(parseQuery(q).truncated);
    }
  });
});

// The character-by-character decoder percentDecodeOnce replaced (as committed), as the reference; the
// byte-to-text step and the hex digits it shares with the new one are not what changed.
/** One round of lenient percent-decoding: invalid escapes stay as they are, never throws. */
function referenceDecode(s: string): string {
  if (s.indexOf('%') === -1) return s;
  let out = '';
  let bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 && i + 2 < s.length) {
      const h = hexVal(s.charCodeAt(i + 1));
      const l = hexVal(s.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) {
        bytes.push(h * 16 + l);
        i += 2;
        continue;
      }
    }
    if (bytes.length > 0) {
      out += bytesToText(bytes, bytes.length);
      bytes = [];
    }
    out += s[i];
  }
  if (bytes.length > 0) out += bytesToText(bytes, bytes.length);
  return out;
}

describe('percentDecodeOnce', () => {
  it('decodes exactly like the plain character-by-character decoder', () => {
    const parts = ['%', '%2', '%25', '%41', '%c0', '%ae', '%e0', '%80', '%D9', '%85', '%zz', 'a', '/', '%%', 'é'];
    let seed = 99;
    for (let k = 0; k < 5000; k++) {
      let s = '';
      for (let n = 0; n < 1 + (k % 9); n++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        s += parts[seed % parts.length];
      }
      expect(percentDecodeOnce(s), JSON.stringify(s)).toBe(referenceDecode(s));
    }
  });
});

describe('bytesToText', () => {
  // Buffer's decoder is the WHATWG one; bytesToText differs only on the overlong forms it unmasks
  // (c0/c1 pairs, e0 80-9f xx): those leads are left out of the walk and covered by the table below.
  const interesting = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xa9, 0xbf, 0xc2, 0xc3, 0xdf, 0xe5, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
  it('decodes every sequence of up to 4 bytes like the WHATWG decoder (Buffer)', () => {
    const diffs: string[] = [];
    const walk = (bytes: number[]): void => {
      if (bytes.length > 0) {
        const want = Buffer.from(bytes).toString('utf8');
        const got = bytesToText(bytes, bytes.length);
        if (got !== want) diffs.push(`${bytes.map((b) => b.toString(16)).join(' ')}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
      }
      if (bytes.length < 4) for (const b of interesting) walk([...bytes, b]);
    };
    walk([]);
    expect(diffs.slice(0, 10)).toEqual([]);
  });

  it.each([
    [[0xc0, 0xae], '.'],
    [[0xe0, 0x80, 0xaf], '/'],
    [[0xf0, 0x9f, 0x98, 0x80], '\u{1f600}'],
    [[0xe5, 0x98], '\ufffd'],
    [[0xe5, 0x98, 0x41], '\ufffdA'],
    [[0xed, 0xa0, 0x80], '\ufffd\ufffd\ufffd'],
  ])('%j → %j', (bytes, text) => {
    expect(bytesToText(bytes, bytes.length)).toBe(text);
  });
});

/** htmlEntity as it was: one replace with a callback per match (the hand-written one must agree). */
function referenceEntities(s: string): string {
  return s.replace(/&(?:#[xX]0*([0-9a-fA-F]{1,6})|#0*([0-9]{1,7})|([a-zA-Z]{2,8}));?/g, (m, hex?: string, dec?: string, name?: string) => {
    const code = hex !== undefined ? parseInt(hex, 16) : dec !== undefined ? parseInt(dec, 10) : -1;
    if (code >= 0) return code <= 0x10ffff ? String.fromCodePoint(code) : m;
    return (name !== undefined ? NAMED[name.toLowerCase()] : undefined) ?? m;
  });
}

describe('htmlEntity', () => {
  it('decodes exactly like the regex it replaced', () => {
    const parts = ['&', '#', 'x', 'X', '0', '00', '1', '7', '9', 'a', 'F', 'g', 'lt', 'amp', 'Colon', 'quot', 'abcdefghij', ';', ' ', '&#', '&#x', '1114111', '10ffff', '110000'];
    let seed = 7;
    for (let k = 0; k < 20000; k++) {
      let s = '';
      for (let n = 0; n < 1 + (k % 11); n++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        s += parts[seed % parts.length];
      }
      expect(htmlEntity(s), JSON.stringify(s)).toBe(referenceEntities(s));
    }
  });
});
