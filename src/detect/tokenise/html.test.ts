import { describe, expect, it } from 'vitest';
import { inspectXss, scriptScheme } from './html.js';
import { lexHtml, type HtmlContext } from './html-lexer.js';
import { inspectJs } from './js.js';

/** What the lexer reports, as `tag` and `tag.attr=value` strings. */
function lexed(s: string, context: HtmlContext): string[] {
  const out: string[] = [];
  lexHtml(s, context, {
    tag: (name) => (out.push(name), false),
    wants: () => true,
    attr: (tag, name, value) => (out.push(`${tag}.${name}${value === null ? '' : `=${value}`}`), false),
  });
  return out;
}

describe('lexHtml', () => {
  it.each<[string, HtmlContext, string[]]>([
    ['<img src=x onerror=alert(1)>', 'text', ['img', 'img.src=x', 'img.onerror=alert(1)']],
    ['<svg/onload=alert(1)>', 'text', ['svg', 'svg.onload=alert(1)']],
    ['<a href="x y" title=\'z\'>t</a><b>', 'text', ['a', 'a.href=x y', 'a.title=z', 'b']],
    ['a <!-- <script> --> b', 'text', []],
    ['2 < 3 and 4 > 1', 'text', []],
    ['x" onfocus=alert(1) a="', 'double-quoted', ['.onfocus=alert(1)', '.a=']],
    ["it's onclick=go() ok", 'single-quoted', ['.s', '.onclick=go()', '.ok']],
    ['a b=c', 'unquoted', ['.b=c']],
    ['no quote here', 'double-quoted', []],
  ])('%j in %s', (s, ctx, want) => expect(lexed(s, ctx)).toEqual(want));
});

describe('scriptScheme', () => {
  it.each([
    ['javascript:alert(1)', 'javascript:'],
    [' JaVa\tScRiPt:alert(1)', 'javascript:'],
    ['jav&#x09;ascript&colon;alert(1)', 'javascript:'],
    ['vbscript:msgbox(1)', 'vbscript:'],
    ['data:text/html;base64,PHNjcmlwdD4=', 'data:text/html'],
    ['javascript:void(0)', null],
    ['https://example.com/', null],
    ['data:image/png;base64,AAAA', null],
  ])('%j -> %s', (v, want) => expect(scriptScheme(v)).toBe(want));
});

describe('inspectXss: flags what can run script, per context', () => {
  it.each([
    // text context: tags
    ['<script>alert(1)</script>', 'script-capable tag <script>'],
    ['<ScRiPt src=//evil.example/x.js>', 'script-capable tag <script>'],
    ['<iframe src=//x>', 'script-capable tag <iframe>'],
    ['<svg/onload=alert(1)>', 'script-capable tag <svg>'],
    ['<meta http-equiv=refresh content="0;url=javascript:alert(1)">', 'script-capable tag <meta>'],
    ['"><img src=x onerror=alert(1)>', 'event handler onerror in <img>'],
    ['<x onclick=alert(1)>click', 'event handler onclick in <x>'],
    ['<body onload=alert(1)>', 'event handler onload in <body>'],
    ['<a href="jav&#x09;ascript:alert(1)">x</a>', 'javascript: URL in href in <a>'],
    ['<form><button formaction=javascript:alert(1)>x', 'javascript: URL in formaction in <button>'],
    ['<div style="width:expression(alert(1))">', 'style running script (expression()'],
    ['<div style="background:url(javascript:alert(1))">', 'style running script (javascript:)'],
    // attribute contexts: breaking out of the quote
    ['" autofocus onfocus=alert(1) x="', 'event handler onfocus after breaking out of a double-quoted attribute'],
    ["' onmouseover='alert(1)", 'event handler onmouseover after breaking out of a single-quoted attribute'],
    ['x onmouseover=alert(1)', 'event handler onmouseover after breaking out of a unquoted attribute'],
    // the whole value as a URL
    ['javascript:alert(document.domain)', 'javascript: URL as the whole value'],
    ['javascript&#58;alert(1)', 'javascript: URL as the whole value'],
    ['data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==', 'data:text/html URL as the whole value'],
    // JavaScript without tags
    ["';alert(1)//", 'call of alert'],
    ['"-prompt(1)-"', 'call of prompt'],
    ['alert`1`', 'call of alert'],
    ['alert/**/(1)', 'call of alert'],
    ['(alert)(1)', 'call of alert'],
    ['[][(![]+[])[+[]]+(![]+[])[!+[]+!+[]]]', 'script built from []()!+ only'],
    ['{onerror=alert}throw 1', 'onerror handler set and an exception thrown'],
    ['onerror=alert;throw 1', 'onerror handler set and an exception thrown'],
    ['[1].find(alert)', 'alert passed to find'],
    ["[].constructor.constructor('alert(1)')()", 'constructor chain'],
    ["''['constructor']['constructor']('alert(1)')()", 'constructor chain'],
    ["top['al'+'ert'](1)", 'computed call on top'],
    ["self[atob('YWxlcnQ=')](1)", 'computed call on self'],
    ['";document.write("<x>");//', 'call of document.write'],
    ["'+document.cookie+'", 'read of document.cookie'],
    ["eval(atob('YWxlcnQoMSk='))", 'call of eval'],
    ["Function('alert(1)')()", 'call of Function'],
  ])('%j: %s', (value, detail) => {
    const f = inspectXss(value);
    expect(f?.detail).toContain(detail);
    expect(f!.confidence).toBeGreaterThan(0.5);
  });
});

describe('inspectXss: hard negatives stay quiet', () => {
  it.each([
    'Tom & Jerry <3',
    'He said "hello" & left',
    "O'Reilly's \"Learning JavaScript\"",
    '&lt;script&gt;alert(1)&lt;/script&gt;',
    '&lt;img src=x onerror=alert(1)&gt;',
    '2>1 and 1<2',
    'a<b and c>d',
    'x < y > z',
    '<b>bold</b> <i>it</i> <br> <p class="note">',
    '<a href="https://example.com/page?a=1&b=2">link</a>',
    'https://example.com/search?q=a+b&lang=en',
    'javascript: the good parts',
    'javascript:void(0)',
    'set onload=true in the config',
    'onload=true',
    'price alert(s) for shoes',
    'red alert (level 2)',
    'confirm your e-mail address',
    'report-2024 (final).pdf',
    'f(x) = x^2 + [a, b]',
    'user.name=alice',
    'sort=price&order=desc',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'the constructor of the house',
    'data:image/png;base64,iVBORw0KGgo=',
    'window [left] (open)',
  ])('%j', (value) => expect(inspectXss(value)).toBeNull());
});

describe('inspectJs', () => {
  it('needs the []()!+ run to hold all four of [ ] ! +', () => {
    expect(inspectJs('(((((((((((())))))))))))')).toBeNull();
    expect(inspectJs('[[[[[]]]]]]+++++')).toBeNull();
    expect(inspectJs('!+[]+!+[]+!+[]+!+[]')?.detail).toBe('script built from []()!+ only');
  });
});
