/**
 * The development/held-out split of ../shared/data, declared once, here, by rules fixed before any result on the
 * held-out part was looked at (docs/detection.md, "Honest evaluation"):
 *
 * - Payload and probe lists (`payloads/*.txt`, `probes/*.txt`): each file concatenates whole source collections in
 *   the order SOURCES.json lists them, each contributing `new_unique` lines. Per file, the held-out part is every
 *   line of ONE repository: the one contributing the second-most lines (ties: the name first in alphabetical
 *   order). The largest collection stays for development, so rules are tuned on the bulk and measured on a
 *   collection written by other people. A file with one contributing repository, or whose counts do not add up to
 *   its lines, has no held-out part (reported as development only).
 * - Ordinary benign logs: the last one in the data README's table, film_distributor_site_2009_2011.log.
 * - Abuse-dominated logs (`benign/mixed/`): the last one in the README's table, l7_flood_2023.log.
 *
 * Never tune on the held-out part: `npm run eval --verbose` lists misses and false positives of the development
 * part only. The OWASP CRS regression tests and the CrowdSec hub tests are not development data at all.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Split = 'dev' | 'held-out';

export const HELD_OUT_BENIGN = 'film_distributor_site_2009_2011.log';
export const HELD_OUT_MIXED = 'mixed/l7_flood_2023.log';

export function logSplit(file: string): Split {
  return file === HELD_OUT_BENIGN || file === HELD_OUT_MIXED ? 'held-out' : 'dev';
}

interface SourceEntry {
  repo: string;
  new_unique?: number;
}

/** Which repository contributed each line of a list file; null when the counts cannot tell. */
export interface ListProvenance {
  /** repo of line i (0-based, over the file's non-empty lines). */
  readonly repoOf: (line: number) => string;
  readonly heldOutRepo: string | null;
}

/** The held-out repository of a list, by the rule above. */
export function heldOutRepo(entries: readonly SourceEntry[]): string | null {
  const byRepo = new Map<string, number>();
  for (const e of entries) byRepo.set(e.repo, (byRepo.get(e.repo) ?? 0) + (e.new_unique ?? 0));
  const ranked = [...byRepo.entries()].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return ranked.length >= 2 ? ranked[1]![0] : null;
}

/**
 * Provenance of `file` (e.g. 'payloads/sqli.txt') with `lineCount` non-empty lines, from the data's SOURCES.json;
 * null when SOURCES.json is missing or its counts do not add up to the file's lines.
 */
export function listProvenance(dataDir: string, file: string, lineCount: number): ListProvenance | null {
  const path = join(dataDir, 'SOURCES.json');
  if (!existsSync(path)) return null;
  const all = JSON.parse(readFileSync(path, 'utf8')) as Record<string, SourceEntry[] | undefined>;
  const entries = all[file];
  if (!entries) return null;
  const ends: number[] = [];
  const repos: string[] = [];
  let end = 0;
  for (const e of entries) {
    end += e.new_unique ?? 0;
    ends.push(end);
    repos.push(e.repo);
  }
  if (end !== lineCount) return null;
  return {
    repoOf: (line) => {
      let i = 0;
      while (i < ends.length - 1 && line >= ends[i]!) i++;
      return repos[i]!;
    },
    heldOutRepo: heldOutRepo(entries),
  };
}

/** Split of line `line` of list `file`, given its provenance (null: all development). */
export function lineSplit(prov: ListProvenance | null, line: number): Split {
  return prov !== null && prov.heldOutRepo !== null && prov.repoOf(line) === prov.heldOutRepo ? 'held-out' : 'dev';
}
