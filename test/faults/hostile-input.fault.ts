/**
 * Hostile log files at size through the real tail and pipeline (combined format, detection, a sink that
 * keeps the events): a 100 MB line with no newline for 100 MB, 20 MB of binary garbage, NUL bytes,
 * invalid UTF-8. Memory stays bounded (the line is cut at MAX_LINE, the rest skipped, never held), each
 * bad line is counted, and the good lines after them are stored. Prints rows for docs/reliability.md.
 */
import { appendFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { HttpEvent } from '../../src/core/event.js';
import { FileTailSource } from '../../src/ingest/tail/index.js';
import { tempDir } from '../../src/ingest/tail/test-helpers.js';
import { buildDetection, buildIngest } from '../../src/pipeline/build.js';
import { PipelineMetrics } from '../../src/pipeline/metrics.js';
import { runSource } from '../../src/pipeline/pipeline.js';
import { BadLineSampler } from '../../src/pipeline/sampler.js';

const MB = 1024 * 1024;
const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const good = (n: number) =>
  `198.51.100.${n} - - [21/Nov/2026:10:00:0${n} +0000] "GET /p/${n} HTTP/1.1" 200 100 "-" "${UA}"\n`;

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

function garbage(bytes: number, seed = 11): Buffer {
  const out = Buffer.alloc(bytes);
  let x = seed;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

async function tailWholeFile(path: string, lastPath: string) {
  const { config } = loadConfig({ env: {} });
  const ingest = buildIngest(config);
  const metrics = new PipelineMetrics();
  const stored: HttpEvent[] = [];
  const source = new FileTailSource({
    id: 'hostile',
    patterns: [path],
    startAt: 'start',
    pollIntervalMs: 50,
  });
  const run = runSource(source, {
    format: ingest.format,
    normalise: ingest.normalise,
    evaluator: buildDetection(config).engine,
    sink: { write: async (b) => void stored.push(...b.events) },
    metrics,
    sampler: new BadLineSampler({ warn: () => undefined }),
  });
  const t0 = Date.now();
  while (!stored.some((e) => e.path === lastPath)) {
    if (Date.now() - t0 > 300_000) throw new Error(`timed out reading ${path}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const ms = Date.now() - t0;
  await source.stop();
  await run;
  return { counters: metrics.snapshot().sources.hostile!, stored, ms, stats: source.stats()[0]! };
}

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
    const bin = garbage(20 * MB);
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
