/**
 * `mkdir -p` that always ends. Node's own `mkdir(path, { recursive: true })` never returns under /proc
 * or /sys (Linux answers ENOENT for a folder it cannot create there, and Node then retries the parent,
 * which exists, forever): `rampart migrate --data-dir /proc/nope` hung. These walk up to the first
 * folder that exists and create the missing ones below it one at a time, so that ENOENT is an error.
 */
import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

const codeOf = (err: unknown): unknown => (err as NodeJS.ErrnoException | null)?.code;

/** Creates `path` and its missing parents; rejects with the system error naming the folder it could not create. */
export async function makeDirectory(path: string): Promise<void> {
  for (const dir of await missingFolders(resolve(path))) {
    try {
      await mkdir(dir);
    } catch (err) {
      if (codeOf(err) !== 'EEXIST') throw err;
    }
  }
}

/** makeDirectory for the synchronous callers (the disk cache). */
export function makeDirectorySync(path: string): void {
  for (const dir of missingFoldersSync(resolve(path))) {
    try {
      mkdirSync(dir);
    } catch (err) {
      if (codeOf(err) !== 'EEXIST') throw err;
    }
  }
}

/** The folders to create, outermost first. A file in the way is left to mkdir, which names it (ENOTDIR/EEXIST). */
async function missingFolders(path: string): Promise<string[]> {
  const missing: string[] = [];
  for (let p = path; ; p = dirname(p)) {
    try {
      await stat(p);
      break;
    } catch (err) {
      if (codeOf(err) !== 'ENOENT' || dirname(p) === p) throw err;
      missing.push(p);
    }
  }
  return missing.reverse();
}

function missingFoldersSync(path: string): string[] {
  const missing: string[] = [];
  for (let p = path; ; p = dirname(p)) {
    try {
      statSync(p);
      break;
    } catch (err) {
      if (codeOf(err) !== 'ENOENT' || dirname(p) === p) throw err;
      missing.push(p);
    }
  }
  return missing.reverse();
}
