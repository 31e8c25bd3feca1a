import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeRespawn, RESPAWN_MIN_BYTES } from './respawn.js';

const MB = 1024 * 1024;
const sizes: Record<string, number> = { 'small.log': 200_000, 'big.log': 40 * MB, 'half.log': RESPAWN_MIN_BYTES / 2, 'day.log.gz': 3 * MB, 'dir': -1 };
const sizeOf = (p: string) => (p in sizes && sizes[p]! >= 0 ? sizes[p]! : null);

describe('analyzeRespawn', () => {
  it.each([
    ['a small file runs in process', ['small.log'], {}, 'in-process'],
    ['a large file runs in the child', ['big.log'], {}, 'child'],
    ['small files add up', ['half.log', 'half.log'], {}, 'child'],
    ['a .gz counts as its estimated log bytes', ['day.log.gz'], {}, 'child'],
    ['stdin is of unknown size: child', ['-', '--output', 'json'], {}, 'child'],
    ['options and their values count for nothing', ['--output', 'jsonl', '--config', 'nosuch.yaml', 'small.log'], {}, 'in-process'],
    ['a missing file counts for nothing', ['missing.log'], {}, 'in-process'],
    ['RAMPART_NO_RESPAWN=1 wins over size', ['big.log'], { RAMPART_NO_RESPAWN: '1' }, 'in-process'],
    ['RAMPART_RESPAWN=1 forces the child', ['small.log'], { RAMPART_RESPAWN: '1' }, 'child'],
  ] as const)('%s', (_name, args, env, want) => {
    expect(analyzeRespawn(args, env, sizeOf)).toBe(want);
  });

  it('reads real file sizes, ignoring what is not a regular file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-respawn-'));
    const big = join(dir, 'big.log');
    writeFileSync(big, '');
    truncateSync(big, RESPAWN_MIN_BYTES); // sparse: no disk used
    expect(analyzeRespawn([big], {})).toBe('child');
    truncateSync(big, RESPAWN_MIN_BYTES - 1);
    expect(analyzeRespawn([big, dir], {})).toBe('in-process');
  });
});
