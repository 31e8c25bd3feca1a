/**
 * A new PGlite data folder from the build's template (dist/pglite-template.tgz, scripts/pglite-template.js):
 * it opens and takes the migrations like one initdb made; a damaged template falls back to initdb; a folder
 * that already holds other files is never unpacked into (a failed unpacking empties the folder).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openPgliteDb } from './pglite-client.js';

const TEMPLATE = fileURLToPath(new URL('../../dist/pglite-template.tgz', import.meta.url));
const built = existsSync(TEMPLATE);
if (!built) console.warn('PGlite template tests skipped: dist/pglite-template.tgz is not built (npm run build makes it)');

const root = mkdtempSync(join(tmpdir(), 'rampart-pglite-template-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function opensAndQueries(dir: string, template: string): Promise<void> {
  const db = await openPgliteDb(dir, template);
  try {
    await db.exec('CREATE TABLE t (x int); INSERT INTO t VALUES (41);');
    expect((await db.query<{ y: number }>('SELECT x + 1 AS y FROM t')).rows).toEqual([{ y: 42 }]);
  } finally {
    await db.close();
  }
  expect(readFileSync(join(dir, 'PG_VERSION'), 'utf8').trim()).toMatch(/^\d+$/);
}

describe.skipIf(!built)('a new data folder from the build template', () => {
  it('opens, takes writes and reopens with them', async () => {
    const dir = join(root, 'fresh');
    await opensAndQueries(dir, TEMPLATE);
    const again = await openPgliteDb(dir, TEMPLATE);
    expect((await again.query<{ x: number }>('SELECT x FROM t')).rows).toEqual([{ x: 41 }]);
    await again.close();
  }, 120_000);

  it('falls back to initdb when the template is damaged', async () => {
    const bad = join(root, 'bad.tgz');
    writeFileSync(bad, readFileSync(TEMPLATE).subarray(0, 100_000));
    await opensAndQueries(join(root, 'from-damaged'), bad);
  }, 120_000);

  it('never unpacks into a folder that holds other files, and keeps them', async () => {
    const dir = join(root, 'occupied');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const bad = join(root, 'bad2.tgz');
    writeFileSync(bad, 'not a tar');
    await opensAndQueries(dir, bad);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  }, 120_000);
});
