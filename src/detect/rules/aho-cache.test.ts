/**
 * The literal automaton kept between runs: what is read back finds exactly what a fresh build finds, a
 * damaged or foreign entry is rebuilt rather than trusted, and another literal list gets its own entry.
 */
import { describe, expect, it } from 'vitest';
import { AhoCorasick, automatonCacheName, cachedAutomaton, decodeAutomaton, type AutomatonCache } from './aho.js';
import { bundledRulePaths, loadRulePacks } from './index.js';

function memoryCache(): AutomatonCache & { entries: Map<string, Uint8Array>; reads: number; writes: number } {
  const entries = new Map<string, Uint8Array>();
  const c = {
    entries,
    reads: 0,
    writes: 0,
    read(name: string) {
      c.reads++;
      return entries.get(name) ?? null;
    },
    write(name: string, data: Uint8Array) {
      c.writes++;
      entries.set(name, data.slice());
      return true;
    },
  };
  return c;
}

const shipped = [...new Set(loadRulePacks(bundledRulePaths()).rules.flatMap((r) => r.literals))];
const texts = [
  "/index.php?id=1' UNION SELECT password FROM users--",
  '/.env',
  '/wp-login.php',
  '/search?q=<script>alert(1)</script>',
  '/a/../../etc/passwd',
  '${jndi:ldap://x}',
  'Mozilla/5.0 (X11; Linux x86_64) sqlmap/1.7',
  'plain text with nothing in it',
  'é non-ascii <SCRIPT> Select',
];

describe('the literal automaton, cached', () => {
  it('read back, finds exactly what a fresh build finds on every text', () => {
    const cache = memoryCache();
    const first = cachedAutomaton(shipped, cache);
    expect(cache.writes).toBe(1);
    const again = cachedAutomaton(shipped, cache);
    expect(cache.writes).toBe(1);
    const fresh = new AhoCorasick(shipped);
    for (const t of texts) {
      expect(again.findAll(t)).toEqual(fresh.findAll(t));
      expect(first.findAll(t)).toEqual(fresh.findAll(t));
    }
    expect(fresh.findAll(texts[0]!).length).toBeGreaterThan(0);
  });

  it('gives another literal list (or order) its own entry', () => {
    expect(automatonCacheName(['a', 'b'])).not.toBe(automatonCacheName(['b', 'a']));
    expect(automatonCacheName(['ab'])).not.toBe(automatonCacheName(['a', 'b']));
    expect(automatonCacheName(['a', 'b'])).toMatch(/^aho-[0-9a-f]{40}\.bin$/);
  });

  it.each([
    ['empty', (b: Uint8Array) => b.subarray(0, 0)],
    ['truncated', (b: Uint8Array) => b.subarray(0, b.byteLength - 4)],
    ['not whole words', (b: Uint8Array) => b.subarray(0, b.byteLength - 1)],
    ['another format', (b: Uint8Array) => Object.assign(b.slice(), { 0: 0 })],
    ['a transition past the last node', (b: Uint8Array) => withWord(b, 3 + 5, 0x7fffff00)],
    ['a negative transition', (b: Uint8Array) => withWord(b, 3 + 5, -128)],
    ['an output past the literals', (b: Uint8Array) => withWord(b, wordCount(b) - 1, 1_000_000)],
  ])('rejects %s bytes (the caller rebuilds)', (_name, damage) => {
    const lits = ['select', 'union', 'script', '.env', '../'];
    const bytes = new AhoCorasick(lits).encode();
    expect(decodeAutomaton(lits, bytes)).not.toBeNull();
    expect(decodeAutomaton(lits, damage(bytes))).toBeNull();
    const cache = memoryCache();
    cache.entries.set(automatonCacheName(lits), damage(bytes));
    expect(cachedAutomaton(lits, cache).findAll('union select')).toEqual(new AhoCorasick(lits).findAll('union select'));
    expect(cache.writes).toBe(1);
  });

  it('decodes bytes that do not start on a word boundary', () => {
    const lits = ['select', 'union'];
    const bytes = new AhoCorasick(lits).encode();
    const shifted = new Uint8Array(bytes.byteLength + 1);
    shifted.set(bytes, 1);
    expect(decodeAutomaton(lits, shifted.subarray(1))?.findAll('union select')).toEqual(new AhoCorasick(lits).findAll('union select'));
  });
});

function wordCount(b: Uint8Array): number {
  return b.byteLength / 4;
}

function withWord(b: Uint8Array, index: number, value: number): Uint8Array {
  const copy = b.slice();
  new DataView(copy.buffer).setInt32(index * 4, value, true);
  return copy;
}
