import { describe, expect, it } from 'vitest';
import { deobfuscate, globMatch, globPath, inspectShell, shellTokeniser } from './shell.js';

describe('deobfuscate', () => {
  it.each([
    ["w'h'o'am'i", 'whoami', true],
    ['w"ho"ami', 'whoami', true],
    ['w^h^o^a^m^i', 'whoami', true],
    ['c\\at /etc/pa\\sswd', 'cat /etc/passwd', true],
    ['cat${IFS}/etc/passwd', 'cat /etc/passwd', false],
    ['cat$IFS$9/etc/passwd', 'cat /etc/passwd', false],
    ['c$@at /e$1tc/passwd', 'cat /etc/passwd', true],
    ['wh``oami', 'whoami', true],
    ["'id'", 'id', false],
    ['a\\nb', 'a\nb', false],
  ])('%j -> %j (word marked: %s)', (raw, text, marked) => {
    const d = deobfuscate(raw);
    expect(d.text).toBe(text);
    expect(d.marks.slice(1, text.length).includes(1)).toBe(marked);
  });
});

describe('glob-obfuscated paths', () => {
  it.each([
    ['c?t', 'cat', true],
    ['c*', 'cat', true],
    ['[a-c]at', 'cat', true],
    ['[!c]at', 'cat', false],
    ['p??swd', 'passwd', true],
    ['p?swd', 'passwd', false],
    ['*wd', 'passwd', true],
  ])('globMatch(%j, %j) = %s', (g, name, want) => expect(globMatch(g, name)).toBe(want));

  it.each([
    ['/???/c?t', '/bin/cat'],
    ['/e??/p??swd', '/etc/passwd'],
    ['/bin/ca*', '/bin/cat'],
    ['/???/??t', '/bin/cat'],
    ['/images/*.jpg', null],
    ['/bin/*', null],
    ['/etc/passwd', null],
    ['/search?q=x', null],
  ])('%j -> %s', (word, want) => expect(globPath(word)).toBe(want));
});

describe('inspectShell: command positions that hold commands', () => {
  it.each([
    [';id', 'command id after a strong separator'],
    ['127.0.0.1;id', 'command id after a strong separator'],
    ['x|whoami', 'command whoami after a strong separator'],
    ['1 || uname -a', 'command uname after a strong separator'],
    ['a && cat /etc/passwd', 'command cat after a strong separator'],
    ['foo\nid', 'command id after a strong separator'],
    ['$(id)', 'command id after a strong separator'],
    ['`whoami`', 'command whoami after a strong separator'],
    ['{cat,/etc/passwd}', 'command cat after a strong separator'],
    ['x & id', 'command id after a weak separator'],
    ['& ping -n 10 127.0.0.1', 'command ping after a weak separator'],
    ['| dir C:\\Users', 'command dir after a strong separator'],
    ['& net user hacker Password1 /ADD', 'command net after a weak separator'],
    ['; date', 'command date after a strong separator'],
    [';date', 'command date after a strong separator'],
    ['1;sleep 5', 'command sleep after a strong separator'],
    ['; /usr/bin/id', 'command id (by path) after a strong separator'],
    [";w'h'o'am'i", 'command whoami (obfuscated) after a strong separator'],
    [';w"ho"ami', 'command whoami (obfuscated) after a strong separator'],
    ['&w^h^o^a^m^i', 'command whoami (obfuscated) after a weak separator'],
    ["w'h'o'am'i", 'command whoami (obfuscated) at the start of the value'],
    ['w^h^o^a^m^i', 'command whoami (obfuscated) at the start of the value'],
    ['cat${IFS}/etc/passwd', 'command cat at the start of the value'],
    ['ls -la /etc/', 'command ls at the start of the value'],
    ['nc -lvvp 4444 -e /bin/sh', 'command nc at the start of the value'],
    ['cat /etc/passwd', 'command cat at the start of the value'],
    ['type C:\\Windows\\repair\\SAM', 'command type at the start of the value'],
    ['/???/c?t /e??/p??swd', 'glob-obfuscated path /???/c?t (/bin/cat)'],
    ['; /bin/ca* /etc/passwd', 'glob-obfuscated path /bin/ca* (/bin/cat)'],
    ["system('id')", 'command id passed to system()'],
    ["';exec(\"whoami\");//", 'command whoami'],
    ['<!--#exec cmd="/bin/cat /etc/passwd"-->', 'server-side include exec'],
    ['() { :;}; echo vulnerable', 'bash function definition (Shellshock)'],
  ])('%j: %s', (value, detail) => {
    const f = inspectShell(value);
    expect(f?.detail).toContain(detail);
  });
});

describe('inspectShell: hard negatives stay quiet', () => {
  it.each([
    'Tom & Jerry',
    'salt & pepper; cat food',
    'fish & chips | more',
    'head & shoulders',
    'more & less',
    "O'Reilly; the cat",
    "i'd like it",
    "don't stop",
    'rock;roll',
    'sort=name;date',
    'a | date of birth',
    'who | what | where',
    'cat food',
    'find a job',
    'sleep 5 hours',
    'echo chamber',
    'id',
    'whoami',
    'the system (id)',
    '2>1',
    '1 < 2 > 0',
    'report-2024.pdf',
    'C:\\Users\\me\\new folder\\notes.txt',
    'https://example.com/search?q=cat&page=2',
    '/images/*.jpg',
    "what's new?",
    'price: $5 & up',
    'AT&T',
    'Q&A',
    'Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0)',
    'Mozilla/5.0 (Linux; Android 10; SM-G973F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/83.0 Mobile Safari/537.36',
    'Wget/1.21.3 (linux-gnu)',
    'curl/7.68.0',
    'Python-urllib/3.8',
    '/cgi-bin/test;jsessionid=ABC123',
    'a;b;c;d',
  ])('%j', (value) => expect(inspectShell(value)).toBeNull());
});

describe('shellTokeniser on a referer', () => {
  it('reads its URL and each argument value, not the & between them', () => {
    expect(shellTokeniser.inspect('https://shop.example/p?a=1&id=2&b=3', 'referer')).toBeNull();
    expect(shellTokeniser.inspect('https://shop.example/p?a=1&q=x;+cat+/etc/passwd', 'referer')?.detail).toContain('command cat');
  });
});
