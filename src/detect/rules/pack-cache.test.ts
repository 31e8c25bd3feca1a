/** Validated rule packs kept in the disk cache: same rules as a fresh load, never a stale or invalid entry. */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskCache } from '../../core/index.js';
import { bundledRulePaths, loadRulePackText, loadRulePacks } from './index.js';

const PACK = `pack: test
category: sqli
rules:
  - id: test-union
    name: union select
    severity: high
    confidence: 0.9
    fields: [query]
    match: { regex: 'union\\s+select', flags: i }
    requires: [union]
    examples: { match: ['1 union select 2'] }
`;

const fresh = () => new DiskCache(mkdtempSync(join(tmpdir(), 'rampart-rules-cache-')));

describe('rule pack cache', () => {
  it('gives the same rules as a load without it, first and second time', () => {
    const paths = bundledRulePaths();
    const plain = loadRulePacks(paths);
    const cache = fresh();
    expect(loadRulePacks(paths, { cache })).toEqual(plain);
    expect(readdirSync(cache.dir)).toHaveLength(paths.length);
    expect(loadRulePacks(paths, { cache })).toEqual(plain);
  });

  it('reads the cached entry instead of the YAML for the same text', () => {
    const cache = fresh();
    loadRulePackText(PACK, 'test.yaml', cache);
    const [entry] = readdirSync(cache.dir);
    const file = join(cache.dir, entry!);
    writeFileSync(file, readFileSync(file, 'utf8').replace('union select', 'from the cache'));
    expect(loadRulePackText(PACK, 'test.yaml', cache)[0]!.name).toBe('from the cache');
  });

  it('keys entries by the text: an edited pack is validated again', () => {
    const cache = fresh();
    loadRulePackText(PACK, 'test.yaml', cache);
    expect(() => loadRulePackText(PACK.replace('severity: high', 'severity: dire'), 'test.yaml', cache)).toThrow(/test\.yaml: rule test-union: field severity/);
    expect(readdirSync(cache.dir)).toHaveLength(1);
  });

  it('never caches an invalid pack, and rebuilds a damaged entry', () => {
    const cache = fresh();
    const bad = PACK.replace('confidence: 0.9', 'confidence: 9');
    for (let i = 0; i < 2; i++) expect(() => loadRulePackText(bad, 'bad.yaml', cache)).toThrow(/bad\.yaml: rule test-union: field confidence/);
    expect(readdirSync(cache.dir)).toHaveLength(0);
    loadRulePackText(PACK, 'test.yaml', cache);
    const [entry] = readdirSync(cache.dir);
    writeFileSync(join(cache.dir, entry!), '{"trunc');
    expect(loadRulePackText(PACK, 'test.yaml', cache)[0]!.id).toBe('test-union');
    expect(JSON.parse(readFileSync(join(cache.dir, entry!), 'utf8')).rules[0].id).toBe('test-union');
  });
});
