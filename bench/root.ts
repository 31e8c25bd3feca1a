import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: benches run from bench/ (tsx) or from .bench/build/bench/ (compiled). */
export function repoRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'rampart') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no rampart package.json above ${from}`);
    dir = up;
  }
}
