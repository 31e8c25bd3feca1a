/**
 * Hostile log files through the real tail and pipeline (combined format, detection, an in-memory sink):
 * a line far over MAX_LINE, binary garbage, NUL bytes, invalid UTF-8. The pipeline survives, counts
 * each bad line, logs a bounded sample, and the good lines after them are read and stored.
 * The 100 MB line is in test/faults/hostile-input.fault.ts.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_LINE } from '../../src/core/event.js';
import { tempDir } from '../../src/ingest/tail/test-helpers.js';
import { BadLineSampler } from '../../src/pipeline/sampler.js';
import { garbage, goodLine as good, tailUntilStored } from './hostile-tail.js';

let dir: string;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hostile input files', () => {
  it('a 2 MiB line, binary garbage, NUL bytes and invalid UTF-8 are counted; the lines after them are stored', async () => {
    const path = join(dir, 'access.log');
    const bin = garbage(64 * 1024, 7);
    const newlinesInGarbage = bin.filter((b) => b === 0x0a).length;
    await writeFile(
      path,
      Buffer.concat([
        Buffer.from(good(1)),
        Buffer.from('A'.repeat(2 * 1024 * 1024) + '\n'),
        bin,
        Buffer.from('\n'),
        // NUL bytes inside fields are data: the line parses, and the NULs never reach SQL unescaped.
        Buffer.from(
          '198.51.100.9 - - [21/Nov/2026:10:00:00 +0000] "GET /nul\0\0 HTTP/1.1" 200 1 "-" "x\0y"\n',
        ),
        Buffer.from('\0\0\0\0\n'),
        Buffer.concat([
          Buffer.from('\xff\xfe bad '),
          Buffer.from([0xc3, 0x28, 0xed, 0xa0, 0x80]),
          Buffer.from('\n'),
        ]),
        Buffer.from(good(2)),
      ]),
    );
    const sampled: { sample: string }[] = [];
    const sampler = new BadLineSampler(
      { warn: (o) => sampled.push(o as { sample: string }) },
      Date.now,
      1000,
    );
    const { counters, stored, stats } = await tailUntilStored(path, '/p/2', { sampler, timeoutMs: 10_000 });

    const lines = 1 + 1 + newlinesInGarbage + 1 + 1 + 1 + 1 + 1;
    expect(counters).toMatchObject({
      read: lines,
      parsed: 3,
      unparsed: lines - 3,
      overlong: 1,
      stored: 3,
      dropped: 0,
      losses: 0,
    });
    expect(stored.map((e) => e.path)).toEqual(['/p/1', '/nul\0\0', '/p/2']);
    expect(sampled.length).toBe(lines - 3);
    expect(Math.max(...sampled.map((s) => s.sample.length))).toBeLessThanOrEqual(200);
    expect(stats).toMatchObject({ overlong: 1 });
    expect(MAX_LINE).toBeLessThan(2 * 1024 * 1024);
  });
});
