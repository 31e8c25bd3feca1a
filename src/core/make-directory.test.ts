import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirectory, makeDirectorySync } from './make-directory.js';

const base = () => mkdtempSync(join(tmpdir(), 'rampart-mkdir-'));
const procfs = existsSync('/proc/self');

describe.each([
  ['makeDirectory', makeDirectory],
  ['makeDirectorySync', async (p: string) => makeDirectorySync(p)],
])('%s', (_, make) => {
  it('creates missing parents, and accepts a folder that exists', async () => {
    const dir = join(base(), 'a', 'b', 'c');
    await make(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
    await make(dir);
  });

  it('names the file in the way', async () => {
    const file = join(base(), 'f');
    writeFileSync(file, '');
    await expect(make(join(file, 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  // Node's mkdir -p spins forever here: the test's timeout is the proof that this one returns.
  it.skipIf(!procfs)('fails at once under /proc, naming the folder', async () => {
    await expect(make('/proc/nope/deeper')).rejects.toThrow(/ENOENT.*'\/proc\/nope'/);
  }, 5_000);
});
