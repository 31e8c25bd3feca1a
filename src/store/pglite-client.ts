/**
 * Opening PGlite (PostgreSQL in WebAssembly) on a data folder: the worker thread that runs the embedded store
 * (pglite-worker.ts) calls it; the main thread talks to that worker through pglite-worker-client.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { makeDirectory } from '../core/index.js';

/** Opens PGlite in memory (`memory://`) or with its data in a folder (created when missing). */
export async function openPgliteDb(dataDir: string): Promise<PGlite> {
  if (dataDir === 'memory://') return PGlite.create();
  await makeDirectory(dataDir); // not mkdir -p: it never returns under /proc
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initDataDir(dataDir);
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
 * short-lived child process, and this process only ever opens an existing one. If the child cannot run, the
 * folder is created here and the instance closed, which releases that memory, before it is opened again.
 */
async function initDataDir(dataDir: string): Promise<void> {
  try {
    const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    const script = 'require(process.argv[1]).PGlite.create(process.argv[2]).then((db) => db.close())';
    await promisify(execFile)(process.execPath, ['-e', script, entry, dataDir], { timeout: 120_000 });
  } catch {
    // The in-process way below is slower to release but always available.
  }
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await (await PGlite.create(dataDir)).close();
}
