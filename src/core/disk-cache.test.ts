import { chmodSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskCache, defaultCacheDir } from './disk-cache.js';

describe('defaultCacheDir', () => {
  it.each([
    [{ RAMPART_CACHE_DIR: '/srv/cache', XDG_CACHE_HOME: '/x' }, '/srv/cache'],
    [{ XDG_CACHE_HOME: '/x' }, '/x/rampart'],
    [{}, '/home/u/.cache/rampart'],
    [{ RAMPART_CACHE_DIR: '' }, '/home/u/.cache/rampart'],
  ])('%j -> %s', (env, want) => {
    expect(defaultCacheDir(env, () => '/home/u')).toBe(want);
  });
});

describe('DiskCache', () => {
  it('reads back what it wrote, creating the directory, and leaves no temporary file', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'rampart-cache-')), 'a', 'b');
    const cache = new DiskCache(dir);
    expect(cache.read('x-1.json')).toBeNull();
    expect(cache.write('x-1.json', '{"a":1}')).toBe(true);
    expect(cache.read('x-1.json')?.toString()).toBe('{"a":1}');
    expect(readdirSync(dir)).toEqual(['x-1.json']);
  });

  it('refuses names that could leave the directory', () => {
    const cache = new DiskCache(tmpdir());
    for (const bad of ['../x', 'a/b', '', '.hidden', 'UPPER']) expect(() => cache.read(bad), bad).toThrow(/not \[a-z0-9.-\]/);
  });

  it('reports a directory it cannot write as false, not an error', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rampart-cache-')), 'not-a-dir');
    writeFileSync(file, '');
    expect(new DiskCache(file).write('x.json', '1')).toBe(false);
    expect(new DiskCache(join(file, 'sub')).write('x.json', '1')).toBe(false);
  });

  it.skipIf(process.getuid?.() === 0)('reports a read-only directory as false', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-cache-'));
    chmodSync(dir, 0o500);
    expect(new DiskCache(dir).write('x.json', '1')).toBe(false);
  });
});
