/**
 * Opening PGlite (PostgreSQL in WebAssembly) on a data folder: the worker thread that runs the embedded store
 * (pglite-worker.ts) calls it; the main thread talks to that worker through pglite-worker-client.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { makeDirectory } from '../core/index.js';

/**
 * A new, empty data folder as a gzipped tar, made by `npm run build` (scripts/pglite-template.js) with the
 * installed PGlite; absent when running from the sources (tests), where initdb makes the folder.
 */
export const DATA_DIR_TEMPLATE = fileURLToPath(new URL('../pglite-template.tgz', import.meta.url));

/** Opens PGlite in memory (`memory://`) or with its data in a folder (created when missing). */
export async function openPgliteDb(dataDir: string, template = DATA_DIR_TEMPLATE): Promise<PGlite> {
  if (dataDir === 'memory://') return PGlite.create();
  await makeDirectory(dataDir); // not mkdir -p: it never returns under /proc
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initDataDir(dataDir, template);
  return PGlite.create(dataDir, { startParams: [...PGlite.defaultStartParams, ...MEMORY_PARAMS] });
}

/**
 * PGlite's default shared_buffers is 128 MB, all of it WebAssembly memory of this process once an ingest has
 * touched it. 16 MB (wal_buffers follows at 512 kB) measured 466 MB RSS instead of 608 MB at the end of a
 * 100,000-line `analyze --store`; the operating system's page cache still holds the files.
 */
const MEMORY_PARAMS = ['-c', 'shared_buffers=16MB'];

/**
 * Creating a data folder runs initdb in a second PGlite instance and copies its files over as an in-memory tar:
 * about 630 MB of WebAssembly memory and buffers that the instance opened this way keeps for its whole life
 * (RSS 806 MB after opening a new folder, 347 MB after opening an existing one). So a new folder is created by a
 * short-lived child process, and this process only ever opens an existing one. The child unpacks the build's
 * template when there is one (peak RSS about 410 MB and 2 s, against 780-870 MB and 5-6 s for initdb; see
 * docs/reliability.md), else runs initdb. If neither child can run, the folder is created here and the
 * instance closed, which releases that memory, before it is opened again.
 */
async function initDataDir(dataDir: string, template: string): Promise<void> {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const run = (script: string, ...args: string[]) => promisify(execFile)(process.execPath, ['-e', script, entry, dataDir, ...args], { timeout: 120_000 });
  // Only into an empty folder: after a failure everything in it is the template's, and can go.
  if (existsSync(template) && (await readdir(dataDir)).length === 0) {
    try {
      await run(FROM_TEMPLATE, template);
    } catch {
      // A damaged or foreign template: initdb below, in the folder emptied of what the template left.
      await removeContents(dataDir);
    }
  }
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    try {
      await run('require(process.argv[1]).PGlite.create(process.argv[2]).then((db) => db.close())');
    } catch {
      // The in-process way below is slower to release but always available.
    }
  }
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await (await PGlite.create(dataDir)).close();
}

/** The child's script: the template unpacked into the new folder by PGlite (it gunzips and untars). */
const FROM_TEMPLATE = [
  "const { readFileSync } = require('node:fs');",
  "const data = new Blob([readFileSync(process.argv[3])], { type: 'application/x-gzip' });",
  'require(process.argv[1]).PGlite.create(process.argv[2], { loadDataDir: data }).then((db) => db.close());',
].join('\n');

/** Empties the data folder a failed unpacking left (it was empty before). */
async function removeContents(dir: string): Promise<void> {
  for (const name of await readdir(dir)) await rm(join(dir, name), { recursive: true, force: true });
}
