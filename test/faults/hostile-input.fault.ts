/**
 * Hostile log files at size through the real tail and pipeline (combined format, detection, a sink that
 * keeps the events): a 100 MB line with no newline for 100 MB, 20 MB of binary garbage, NUL bytes,
 * invalid UTF-8. Memory stays bounded (the line is cut at MAX_LINE, the rest skipped, never held), each
 * bad line is counted, and the good lines after them are stored. Prints rows for docs/reliability.md.
 */
import { appendFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../src/ingest/tail/test-helpers.js';
import { BadLineSampler } from '../../src/pipeline/sampler.js';
import { garbage, goodLine as good, tailUntilStored } from '../ingest/hostile-tail.js';

const MB = 1024 * 1024;
const rows: string[] = [];
afterAll(() => console.log(['', '| input | result | peak memory growth | time |', ...rows].join('\n')));

/** Heap and buffers in use (what the reader could hold), sampled while `work` runs. */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  globalThis.gc?.();
  const base = used();
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, used())), 20);
  try {
    const result = await work();
    peak = Math.max(peak, used());
    return { result, peakMb: (peak - base) / MB };
  } finally {
    clearInterval(timer);
  }
}

/** 300 s: 100 MB through the tail on a loaded 2-core machine. */
const tailWholeFile = (path: string, lastPath: string) =>
  tailUntilStored(path, lastPath, {
    sampler: new BadLineSampler({ warn: () => undefined }),
    timeoutMs: 300_000,
  });

describe('hostile input files', () => {
  it('a 100 MB single line: bounded memory, counted as over-long, the next lines read', async () => {
    const dir = await tempDir();
    const path = join(dir, 'access.log');
    await writeFile(path, good(1));
    const chunk = Buffer.alloc(MB, 'A');
    for (let i = 0; i < 100; i++) await appendFile(path, chunk);
    await appendFile(path, '\n' + good(2) + good(3));
    const { result, peakMb } = await peakGrowth(() => tailWholeFile(path, '/p/3'));
    rows.push(
      `| one 100 MB line | read ${result.counters.read}, over-long ${result.counters.overlong}, stored ${result.counters.stored} | ${peakMb.toFixed(1)} MB | ${(result.ms / 1000).toFixed(2)} s |`,
    );
    expect(result.counters).toMatchObject({ read: 4, overlong: 1, parsed: 3, stored: 3, losses: 0 });
    expect(result.stored.map((e) => e.path)).toEqual(['/p/1', '/p/2', '/p/3']);
    expect(peakMb).toBeLessThan(64);
    await rm(dir, { recursive: true, force: true });
  });

  it('20 MB of binary garbage, NUL bytes and invalid UTF-8, then good lines', async () => {
    const dir = await tempDir();
    const path = join(dir, 'access.log');
    const bin = garbage(20 * MB, 11);
    const newlines = bin.filter((b) => b === 0x0a).length;
    await writeFile(path, good(1));
    await appendFile(path, bin);
    await appendFile(path, '\n' + '\0'.repeat(MB) + '\n');
    await appendFile(
      path,
      Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from('\n')]),
    );
    await appendFile(path, good(2));
    const { result, peakMb } = await peakGrowth(() => tailWholeFile(path, '/p/2'));
    const lines = 1 + newlines + 1 + 1 + 1 + 1;
    rows.push(
      `| 20 MB binary garbage, a 1 MB NUL line, invalid UTF-8 | read ${result.counters.read}, unparsed ${result.counters.unparsed}, over-long ${result.counters.overlong}, stored ${result.counters.stored} | ${peakMb.toFixed(1)} MB | ${(result.ms / 1000).toFixed(2)} s |`,
    );
    expect(result.counters.read).toBe(lines);
    expect(result.counters.parsed).toBe(2);
    expect(result.counters.unparsed).toBe(lines - 2);
    expect(result.counters.overlong).toBeGreaterThanOrEqual(1); // the NUL line at least
    expect(result.stored.map((e) => e.path)).toEqual(['/p/1', '/p/2']);
    expect(peakMb).toBeLessThan(64);
    await rm(dir, { recursive: true, force: true });
  });
});
