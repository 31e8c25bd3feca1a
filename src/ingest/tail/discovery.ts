/**
 * Which files the patterns name, and which directories to watch so that files created later are seen.
 * A pattern is a path or a picomatch glob. Globs are expanded by listing the directory they are rooted
 * at (walking down, bounded, when the glob spans directories).
 */
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import picomatch from 'picomatch';

const MAX_WALK_DEPTH = 8;
const MAX_WALK_DIRS = 1000;

export interface Expansion {
  /** Matching paths, as the pattern spells them (the key checkpoints are stored under). */
  paths: string[];
  /** Directories whose changes can add, remove or replace a matching file. */
  dirs: string[];
}

interface CompiledPattern {
  pattern: string;
  isGlob: boolean;
  base: string;
  deep: boolean;
  match: (path: string) => boolean;
}

export function compilePatterns(patterns: readonly string[]): CompiledPattern[] {
  return patterns.map((pattern) => {
    const scan = picomatch.scan(pattern);
    if (!scan.isGlob)
      return { pattern, isGlob: false, base: dirname(pattern), deep: false, match: () => true };
    return {
      pattern,
      isGlob: true,
      base: scan.base === '' ? '.' : scan.base,
      deep: scan.glob.includes('/') || scan.glob.includes('**'),
      match: picomatch(pattern),
    };
  });
}

export async function expand(patterns: readonly CompiledPattern[]): Promise<Expansion> {
  const paths = new Set<string>();
  const dirs = new Set<string>();
  for (const p of patterns) {
    dirs.add(p.base);
    if (!p.isGlob) {
      paths.add(p.pattern);
      continue;
    }
    await walk(p, p.base, 0, paths, dirs);
  }
  return { paths: [...paths], dirs: [...dirs] };
}

async function walk(p: CompiledPattern, dir: string, depth: number, paths: Set<string>, dirs: Set<string>) {
  // A missing or unreadable directory matches nothing for now; the next scan looks again.
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const path = dir === '.' ? e.name : `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (p.deep && depth < MAX_WALK_DEPTH && dirs.size < MAX_WALK_DIRS) {
        dirs.add(path);
        await walk(p, path, depth + 1, paths, dirs);
      }
    } else if ((e.isFile() || e.isSymbolicLink()) && (p.match(path) || p.match(join(path)))) {
      paths.add(path);
    }
  }
}
