import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sqlInjection } from './sql.js';
import type { SqlReason } from './sql-decide.js';

/** [value, reason, context] — one or more per decision, the minimal fragments first. */
const ATTACKS: [string, SqlReason, string][] = [
  ['1 union select 1,2,3', 'union-select', 'none'],
  ["-1' UNION ALL SELECT null,version()-- ", 'union-select', "'"],
  ['1/**/uNiOn/**/sElEcT/**/1', 'union-select', 'none'],
  ['1 union(select 1)', 'union-select', 'none'],
  ["1; drop table users", 'stacked-query', 'none'],
  ["x'; exec master..xp_cmdshell 'ping 10.0.0.1'--", 'stacked-query', "'"],
  ['1;waitfor delay \'0:0:5\'', 'stacked-query', 'none'],
  ['1; declare @s varchar(99)', 'stacked-query', 'none'],
  ['sleep(5)', 'probe-function', 'none'],
  ["' || pg_sleep(10)--", 'probe-function', "'"],
  ['1 and benchmark(5000000,md5(1))', 'probe-function', 'none'],
  ['extractvalue(1,concat(0x7e,user()))', 'probe-function', 'none'],
  ['version()', 'probe-function', 'none'],
  ['1 and @@version>5', 'tautology', 'none'],
  ['(@@datadir)', 'probe-function', 'none'],
  ["aa' or current_date*0", 'string-break', "'"],
  ["x' or id is not 2", 'string-break', "'"],
  ['")) waitfor delay \'0:0:5\' --', 'probe-function', '"'],
  ["1 and (select 1 from dual)", 'subquery', 'none'],
  ["'||(select user from dual)||'", 'subquery', "'"],
  ['1 or 1=1', 'tautology', 'none'],
  ["admin' or '1'='1", 'tautology', "'"],
  ['admin" or "a"="a', 'tautology', '"'],
  ["1') and 1234=1234 and ('a'='a", 'tautology', "'"],
  ['1 and 1 in (1)', 'tautology', 'none'],
  ['1 and x is not null--', 'tautology', 'none'],
  ["' or username like '%", 'tautology', "'"],
  ['1 and ascii(substring(user(),1,1))>64', 'logic-function', 'none'],
  ["1 or char(65)", 'logic-function', 'none'],
  ["1::int", 'type-cast', 'none'],
  ["'::text", 'type-cast', "'"],
  ['cast(version() as int)', 'type-cast', 'none'],
  ['cast(x as int)', 'type-cast', 'none'],
  ['convert(int,x)', 'type-cast', 'none'],
  ['1 order by 3--', 'order-by-probe', 'none'],
  ["' group by 2 -- ", 'order-by-probe', "'"],
  ["' having 1=1--", 'tautology', "'"],
  ["' having count(*)", 'clause-after-quote', "'"],
  ["' into outfile '/tmp/x", 'clause-after-quote', "'"],
  ["admin'--", 'comment-after-quote', "'"],
  ["admin'#", 'comment-after-quote', "'"],
  ["admin')-- ", 'comment-after-quote', "'"],
  ["'/*", 'comment-after-quote', "'"],
  ["'='", 'string-break', "'"],
  ["'-'", 'string-break', "'"],
  ["x'||'y", 'string-break', "'"],
  ["' or ''='", 'tautology', "'"],
  ["'-0-'", 'string-break', "'"],
  ['" or ""*"', 'string-break', '"'],
  ["' or 1 -- ", 'string-break', "'"],
  ["') or ('x", 'string-break', "'"],
  ['1 /*!union*/ /*!select*/', 'union-select', 'none'],
  ['/*!50000select*/ x', 'version-comment', 'none'],
];

/** Ordinary values: search terms, names, prose, product codes. */
const BENIGN: string[] = [
  "O'Reilly",
  "o'reilly media",
  'select a size',
  '1-2 of 3',
  "rock 'n' roll",
  "don't stop",
  'tom & jerry',
  'black and white',
  '2 or 4 metal buttons',
  'salt and pepper (ground)',
  'fish & chips; mushy peas',
  'order by date',
  'union station',
  'price >= 10',
  'a=b',
  'c++ primer',
  '"hello world"',
  '"quoted" and "phrases"',
  "it's 5 o'clock",
  'ORDER-2024-0001',
  'sort=price;desc',
  'size(large)',
  'user@example.com',
  '#hashtag',
  'abc==',
  'https://example.com/a?b=c&d=e',
  '1 and 2',
  'tea and milk = love',
  'women\'s shoes -- new',
  'drop the beat',
  'update me; select a colour',
  '"where\'s" the "beef"',
  '12" x 18" frame',
  'between 1 and 3 days',
  'is it "true"?',
  '(555) 123-4567',
  'mid-century (1950s) chair',
  'count down',
  'v1.2.3::beta',
  'fe80::1',
  '@mention hello',
  '@@SENSE_VERSION',
  "rock' n roll - 2",
];

describe('sqlInjection: each decision', () => {
  it.each(ATTACKS)('%j -> %s in context %s', (value, reason, ctx) => {
    const f = sqlInjection(value);
    expect(f, value).not.toBeNull();
    expect([f!.reason, f!.context]).toEqual([reason, ctx]);
  });
});

describe('sqlInjection: ordinary values do not fire', () => {
  it.each(BENIGN)('%j', (value) => {
    expect(sqlInjection(value)).toBeNull();
  });
});

describe('sqlInjection: details', () => {
  it('reports the token fingerprint and a fragment from the value', () => {
    const f = sqlInjection("admin' or '1'='1")!;
    expect(f.fingerprint).toBe('s&s=s');
    expect(f.fragment).toBe("admin' or '1'='1");
    expect(f.confidence).toBeGreaterThan(0.5);
  });

  it('reads the first 40 tokens of a context', () => {
    expect(sqlInjection(`${'a '.repeat(40)}1 union select 1`)).toBeNull();
    expect(sqlInjection(`${'a '.repeat(30)}1 union select 1`)).not.toBeNull();
  });

  it('reads only the first 2,048 characters of a value', () => {
    expect(sqlInjection(`${'a'.repeat(2048)} union select 1`)).toBeNull();
    expect(sqlInjection(`${'a'.repeat(2000)} union select 1`)).not.toBeNull();
  });

  it('keeps a long fragment near the evidence, at most 200 characters', () => {
    const f = sqlInjection(`${'x'.repeat(300)} 1 union select 1`)!;
    expect(f.fragment.length).toBeLessThanOrEqual(200);
    expect(f.fragment).toContain('union select');
  });
});

const NEGATIVES = '/work/shared/data/payloads/negatives_sqli_false_positives.txt';

describe('hard negatives (libinjection false positives)', () => {
  it.skipIf(!existsSync(NEGATIVES))('none of them fires, raw or percent-decoded', () => {
    const fired: string[] = [];
    for (const line of readFileSync(NEGATIVES, 'utf8').split('\n')) {
      if (line === '') continue;
      let decoded = line;
      try {
        decoded = decodeURIComponent(line);
      } catch {
        // an invalid escape: the raw form is the only one
      }
      for (const v of new Set([line, decoded])) {
        const f = sqlInjection(v);
        if (f !== null) fired.push(`${JSON.stringify(v)} -> ${f.reason} ${f.fingerprint}`);
      }
    }
    expect(fired).toEqual([]);
  });
});
