/**
 * What bin/load-cli.cjs needs before the bundle runs, bundled alone as dist/bundle/launcher-support.cjs
 * (scripts/bundle.js): the cache directory as every command finds it, and a mkdir -p that always ends.
 */
export { defaultCacheDir, makeDirectorySync } from '../core/index.js';
