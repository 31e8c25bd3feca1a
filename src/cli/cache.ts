/** The CLI's cache directory (see core/disk-cache.ts): RAMPART_CACHE_DIR, XDG_CACHE_HOME, ~/.cache/rampart. */
import { DiskCache, defaultCacheDir } from '../core/index.js';
import type { CliIO } from './io.js';

export function cliCache(io: Pick<CliIO, 'env'>): DiskCache {
  return new DiskCache(defaultCacheDir(io.env));
}
