import { describe, expect, it } from 'vitest';
import { compileTemplate, renderBody, renderTemplate, TemplateError } from './template.js';
import { notification } from './testing/fixtures.js';

describe('template rendering', () => {
  it.each([
    ['a placeholder alone keeps its type', { s: '{{score}}', r: '{{rules}}', h: '{{referer}}', n: '{{status}}' }, { s: 0.93, r: ['sqli-union-select'], h: null, n: 200 }],
    ['inside text, values are written as text', { t: '{{ip}} hit {{host}} ({{status}}) {{rules}} ref={{referer}}' }, { t: '203.0.113.7 hit www.example.com (200) sqli-union-select ref=' }],
    ['filters', { u: '{{severity | upper}}', l: '{{ method|lower }}', c: '{{rule | truncate:4}}', d: '{{referer | default:none}}', k: '{{host | default:none}}' }, { u: 'HIGH', l: 'get', c: 'sqli', d: 'none', k: 'www.example.com' }],
    ['literals and nesting pass through', { a: [1, true, null, { b: 'x' }], n: -2.5 }, { a: [1, true, null, { b: 'x' }], n: -2.5 }],
    ['a filtered placeholder alone is text', { s: '{{score | default:0}}' }, { s: '0.93' }],
  ])('%s', (_name, template, want) => {
    expect(renderTemplate(compileTemplate(template), notification())).toEqual(want);
  });

  const hostile: [string, string][] = [
    ['quotes and backslashes', `"}, "admin": true, "x": "\\`],
    ['a placeholder in the data is not evaluated', '{{ip}} {{__proto__}} {{constructor}}'],
    ['control characters and line separators', '\u0000\u001b[31m\r\n\u2028\u2029'],
    ['a lone surrogate and emoji', '\ud800 😀'],
    ['closing braces', '}}}}{{'],
  ];
  it.each(hostile)('hostile field value (%s) stays inside its string, the body keeps its shape', (_name, value) => {
    const t = compileTemplate({ text: 'path {{path}} from {{ip}}', path: '{{path}}', ua: '{{user_agent | upper}}', n: 1 });
    const body = renderBody(t, notification({ path: value, user_agent: value }));
    const parsed = JSON.parse(body) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['text', 'path', 'ua', 'n']);
    expect(parsed.path).toBe(value);
    expect(parsed.text).toBe(`path ${value} from 203.0.113.7`);
    expect(parsed.ua).toBe(value.toUpperCase());
    expect(parsed.n).toBe(1);
  });

  it('a template key __proto__ is a plain key, not a prototype', () => {
    const t = compileTemplate(JSON.parse('{"__proto__": {"polluted": "{{ip}}"}, "a": 1}'));
    const out = renderTemplate(t, notification()) as Record<string, unknown>;
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":"203.0.113.7"},"a":1}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('truncate counts code points, never splitting a surrogate pair', () => {
    const out = renderTemplate(compileTemplate({ p: '{{path | truncate:2}}' }), notification({ path: '😀😀😀' }));
    expect(out).toEqual({ p: '😀😀' });
  });
});

describe('template errors say where and what', () => {
  it.each([
    [{ a: '{{ipp}}' }, 'a: unknown field "ipp"'],
    [{ a: [{ b: 'x {{ip' }] }, 'a[0].b: "{{" at character 2 has no closing "}}"'],
    [{ a: '{{ip | shout}}' }, 'a: unknown filter "shout"'],
    [{ a: '{{ip | truncate:0}}' }, 'a: truncate needs a length'],
    [{ a: '{{ip | upper:1}}' }, 'a: filter upper takes no argument'],
    ['{{constructor}}', '(root): unknown field "constructor"'],
  ])('%j', (template, message) => {
    expect(() => compileTemplate(template)).toThrow(TemplateError);
    expect(() => compileTemplate(template)).toThrow(message);
  });

  it('refuses deep nesting', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 20; i++) deep = [deep];
    expect(() => compileTemplate(deep)).toThrow(/nested deeper than 16/);
  });
});
