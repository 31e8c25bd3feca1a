/**
 * A directory of files derived from slower sources (validated rule packs, the compact ASN table), so
 * a short command does not redo that work on every start. Entries are named by a hash of what they
 * were built from, so a stale entry is never read: a changed input gets a new name. Writes go to a
 * temporary file renamed into place (readers never see half a file); a cache that cannot be written
 * (read-only home, full disk) only costs the rebuild next time, never an error.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { makeDirectorySync } from './make-directory.js';

/** RAMPART_CACHE_DIR, else $XDG_CACHE_HOME/rampart, else ~/.cache/rampart. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, home: () => string = homedir): string {
  if (env.RAMPART_CACHE_DIR) return env.RAMPART_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'rampart');
  return join(home(), '.cache', 'rampart');
}

const NAME = /^[a-z0-9][a-z0-9.-]{0,200}$/;

export class DiskCache {
  constructor(readonly dir: string) {}

  private path(name: string): string {
    // Names are built by the callers from hashes and versions; this keeps them inside `dir`.
    if (!NAME.test(name)) throw new Error(`cache entry name ${JSON.stringify(name)} is not [a-z0-9.-]`);
    return join(this.dir, name);
  }

  /** The entry's bytes, or null when there is none (or it cannot be read). */
  read(name: string): Buffer | null {
    const path = this.path(name);
    try {
      return readFileSync(path);
    } catch {
      return null;
    }
  }

  /** True when written; false when the directory cannot take it. */
  write(name: string, data: string | Uint8Array): boolean {
    const target = this.path(name);
    const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
    try {
      makeDirectorySync(this.dir);
      writeFileSync(tmp, data);
      renameSync(tmp, target);
      return true;
    } catch {
      try {
        rmSync(tmp, { force: true });
      } catch {
        // Nothing more to do: the directory refuses changes.
      }
      return false;
    }
  }
}
