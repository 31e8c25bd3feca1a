import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { storeOptions } from './build.js';

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'rampart-store-options-')), name);
  writeFileSync(path, text);
  return path;
}

describe('storeOptions', () => {
  it('hands store.windowMinHits (file or RAMPART_WINDOW_MIN_HITS) to the store', () => {
    const file = tempFile('w.yaml', 'store:\n  windowMinHits: 10\n');
    expect(storeOptions(loadConfig({ file, env: {} }).config).windowMinHits).toBe(10);
    expect(storeOptions(loadConfig({ file, env: { RAMPART_WINDOW_MIN_HITS: '1' } }).config).windowMinHits).toBe(1);
    expect(() => loadConfig({ file: tempFile('z.yaml', 'store:\n  windowMinHits: 0\n'), env: {} })).toThrow(/store\.windowMinHits/);
  });

  it('puts the embedded store under dataDir/pglite, a server store at its URL', () => {
    expect(storeOptions(loadConfig({ env: {}, flags: { store: { dataDir: '/var/lib/rampart' } } }).config)).toEqual({
      dataDir: '/var/lib/rampart/pglite',
      windowMinHits: 3,
    });
    const pg = storeOptions(loadConfig({ env: { DATABASE_URL: 'postgres://db/rampart' } }).config);
    expect(pg).toMatchObject({ databaseUrl: 'postgres://db/rampart', windowMinHits: 3 });
  });
});
