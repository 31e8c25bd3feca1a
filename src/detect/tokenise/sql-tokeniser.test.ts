import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { makeEvent } from '../../store/testing/fixtures.js';
import { buildDetection } from '../../pipeline/index.js';
import { TOKENISERS, tokeniserDetector } from './index.js';
import { pathTail, sqlTokeniser } from './sql-tokeniser.js';

describe('sqlTokeniser: what it reads of each field', () => {
  it.each([
    ['/item/42', null],
    ["/item/1' or '1'='1", "1' or '1'='1"],
    ['/a/b(c)/d', 'b(c)/d'],
    ['/wiki/Space Odyssey', 'Space Odyssey'],
  ])('pathTail(%j) -> %j', (path, tail) => {
    expect(pathTail(path)).toBe(tail);
  });

  it('reads a path from the segment that breaks out, a query argument whole', () => {
    expect(sqlTokeniser.inspect("/shop/item/1' or '1'='1", 'path')?.detail).toContain('single-quoted');
    expect(sqlTokeniser.inspect("/o'reilly/books/", 'path')).toBeNull();
    expect(sqlTokeniser.inspect("1' or '1'='1", 'arg')?.fragment).toBe("1' or '1'='1");
  });

  it('reads a referer by its query values, not the URL around them', () => {
    expect(sqlTokeniser.inspect("https://shop.example/p?id=1' or 'a'='a&x=1", 'referer')?.detail).toContain('tautology');
    expect(sqlTokeniser.inspect('https://example.com/it\'s-a-page-(draft);x=1--', 'referer')).toBeNull();
    expect(sqlTokeniser.inspect('https://www.google.com/search?q=select+a+size&hl=en', 'referer')).toBeNull();
  });

  it('reads a user agent whole when it holds a quote or a SQL probe word', () => {
    expect(sqlTokeniser.inspect("Mozilla/5.0' and sleep(5)-- ", 'user_agent')?.detail).toContain('probe-function');
    expect(sqlTokeniser.inspect('Mozilla/5.0 (x) and 1=benchmark(9999999,md5(1))', 'user_agent')?.detail).toContain('tautology');
    // Not read at all: `1 or 1=1` would fire in a query argument, but a user agent needs a quote or a probe word.
    expect(sqlTokeniser.inspect('Mozilla/5.0 (x; 1 or 1=1)', 'user_agent')).toBeNull();
    expect(sqlTokeniser.inspect('1 or 1=1', 'arg')).not.toBeNull();
    expect(sqlTokeniser.inspect('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36', 'user_agent')).toBeNull();
  });

  it('explains the reason, the quoting context and the token fingerprint', () => {
    expect(sqlTokeniser.inspect("admin' or '1'='1", 'arg')).toEqual({
      confidence: 0.85,
      fragment: "admin' or '1'='1",
      detail: "SQL tautology in a single-quoted context (tokens s&s=s)",
    });
  });
});

describe('sqlTokeniser in the engine', () => {
  it('is registered', () => {
    expect(TOKENISERS.includes(sqlTokeniser)).toBe(true);
  });

  it('flags a percent-encoded argument through TokeniserDetector, naming the argument', () => {
    const d = tokeniserDetector();
    const [found] = d.inspectEvent({ path: '/search', query: 'page=2&q=1%27+or+%271%27%3D%271' }, d.createState());
    expect(found).toMatchObject({ ruleId: 'tokens/sqli', category: 'sqli', severity: 'high', field: 'arg:q', fragment: "1' or '1'='1" });
  });

  it('flags a minimal fragment no rule names, as sqli, in the engine the pipeline builds', () => {
    const { config } = loadConfig({ env: {} });
    const { engine } = buildDetection(config);
    // A quote, a logic word and a comparison between bare names: syntax, not a listed payload.
    const [t] = engine.evaluate([makeEvent('a', { query: "name=zz'%20or%20zz%20like%20'zz" })]);
    expect(t?.category).toBe('sqli');
    expect(t?.detections.map((d) => d.ruleId)).toContain('tokens/sqli');
  });

  it('stays quiet on ordinary requests', () => {
    const d = tokeniserDetector();
    const state = d.createState();
    expect(d.inspectEvent({ path: '/search', query: 'q=O%27Reilly&sort=price;desc&page=2' }, state)).toEqual([]);
    expect(d.inspectEvent({ path: '/products/shoes', query: 'q=select+a+size&range=1-2' }, state)).toEqual([]);
  });
});
