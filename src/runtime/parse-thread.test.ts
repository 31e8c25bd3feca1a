import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { DiskCache, RampartError } from '../core/index.js';
import { writeDemoLog } from '../ingest/index.js';
import type { ReadProgress } from '../ingest/index.js';
import { PipelineMetrics, storeOptions } from '../pipeline/index.js';
import { openStore } from '../store/index.js';
import { analyze, type AnalyzeOptions } from './analyze.js';
import { PARSE_THREAD_MIN_BYTES, parseThreadWanted, startParseThread } from './parse-thread.js';

const { config } = loadConfig({ env: {}, dotEnv: false });
const dir = mkdtempSync(join(tmpdir(), 'rampart-parse-thread-'));
const cache = new DiskCache(join(dir, 'cache'));

/** A demo log (browsers, bots, scanners, injections, a flood) with bad and over-long lines among its lines. */
async function attackLog(): Promise<string> {
  const demo = join(dir, 'demo.log');
  await writeDemoLog({ out: demo, lines: 12_000, seed: 7 });
  return demo;
}

async function run(files: string[], parseThread: boolean, extra: Partial<AnalyzeOptions> = {}) {
  let written = '';
  const warnings: string[] = [];
  const result = await analyze({
    config,
    files,
    stdin: Readable.from([]),
    output: 'jsonl',
    store: false,
    geo: false,
    cache,
    write: (t) => {
      written += t;
    },
    parseThread,
    ...extra,
  });
  return { ...result, written, warnings };
}

describe('parseThreadWanted', () => {
  const sizes: Record<string, number> = { 'small.log': 1024, 'big.log': PARSE_THREAD_MIN_BYTES, 'half.log': PARSE_THREAD_MIN_BYTES / 2, 'x.log.gz': PARSE_THREAD_MIN_BYTES / 8 };
  const sizeOf = (p: string) => sizes[p] ?? null;
  it.each([
    [['small.log'], {}, false],
    [['big.log'], {}, true],
    [['half.log', 'half.log'], {}, true],
    [['x.log.gz'], {}, true], // gzip counts at 8 times its size
    [['-'], {}, true],
    [['missing.log'], {}, false],
    [['big.log'], { RAMPART_PARSE_THREAD: '0' }, false],
    [['small.log'], { RAMPART_PARSE_THREAD: '1' }, true],
  ] as [string[], NodeJS.ProcessEnv, boolean][])('%j with %j: %s', (inputs, env, expected) => {
    expect(parseThreadWanted(inputs, env, sizeOf)).toBe(expected);
  });
});

describe('analyze with the parse thread', () => {
  it('finds, counts and writes exactly what the in-process parse does', async () => {
    const demo = await attackLog();
    const bad = join(dir, 'bad.log');
    writeFileSync(bad, ['not a log line', 'x'.repeat(70 * 1024), '203.0.113.9 - - [10/Oct/2026:13:55:36 +0000] "GET /?q=<script>alert(1)</script> HTTP/1.1" 200 5 "-" "curl/8"'].join('\n') + '\n');
    const inProcess = await run([demo, bad], false);
    const threaded = await run([demo, bad], true);
    // lagMs is now minus the newest event time: a clock reading, not a count; batches differ because the worker sends
    // its first batch in pieces.
    expect({ ...threaded.totals, lagMs: 0, batches: 0 }).toEqual({ ...inProcess.totals, lagMs: 0, batches: 0 });
    expect(threaded.totals).toMatchObject({ read: 12_003, unparsed: 2, overlong: 1 });
    expect(threaded.summary.threats).toBeGreaterThan(500);
    expect(threaded.summary.threats).toBe(inProcess.summary.threats);
    expect(threaded.written).toBe(inProcess.written);
    // The tokenisers ran in the worker: their findings are in the output as in-process.
    expect(threaded.written).toMatch(/"tokens\/sqli"/);
  }, 60_000);

  it('reads stdin and gzip inputs through the worker', async () => {
    const text = ['203.0.113.7 - - [10/Oct/2026:13:55:36 +0000] "GET /etc/passwd HTTP/1.1" 404 5 "-" "curl/8"', '203.0.113.8 - - [10/Oct/2026:13:55:37 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8"'].join('\n') + '\n';
    const gz = join(dir, 'two.log.gz');
    writeFileSync(gz, gzipSync(text));
    const r = await run(['-', gz], true, { stdin: Readable.from([Buffer.from(text)]) });
    expect(r.totals).toMatchObject({ read: 4, parsed: 4 });
    expect(r.written).toBe((await run(['-', gz], false, { stdin: Readable.from([Buffer.from(text)]) })).written);
  }, 30_000);

  it('stores the same rows as the in-process parse (--store)', async () => {
    const demo = join(dir, 'store-demo.log');
    await writeDemoLog({ out: demo, lines: 3000, seed: 11 });
    const rows = async (parseThread: boolean) => {
      const dataDir = mkdtempSync(join(dir, 'data-'));
      const cfg = { ...config, store: { ...config.store, dataDir, databaseUrl: undefined } };
      await run([demo], parseThread, { config: cfg, store: true, output: 'json' });
      const store = await openStore({ ...storeOptions(cfg), migrate: false });
      try {
        const q = async (table: string) => (await store.sql.query<{ r: string }>(`SELECT id || ' ' || path || ' ' || origin AS r FROM ${table} ORDER BY id`)).rows.map((x) => x.r);
        return { requests: await q('requests'), threats: await q('threats') };
      } finally {
        await store.close();
      }
    };
    const threaded = await rows(true);
    expect(threaded.requests.length).toBeGreaterThan(0);
    expect(threaded.threats.length).toBeGreaterThan(50);
    expect(threaded).toEqual(await rows(false));
  }, 120_000);

  it('reports an unreadable input as the in-process read does: one line naming it', async () => {
    const missing = join(dir, 'nope.log');
    const err = await run([missing], true).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RampartError);
    expect((err as RampartError).code).toBe('bad_request');
    expect((err as Error).message).toBe(`${missing}: no such file`);
  }, 30_000);
});

describe('startParseThread', () => {
  const base = () => ({ config, stdin: Readable.from([]), sourceId: 'analyze', batchLines: 1000, metrics: new PipelineMetrics(), warn: () => {} });

  it('yields the batches in order, with counters, progress and sampled bad lines', async () => {
    const file = join(dir, 'lines.log');
    const good = (i: number) => `203.0.113.${i % 250} - - [10/Oct/2026:13:55:36 +0000] "GET /p/${i} HTTP/1.1" 200 5 "-" "curl/8"`;
    writeFileSync(file, Array.from({ length: 2500 }, (_, i) => (i === 10 ? 'garbage' : good(i))).join('\n') + '\n');
    const warned: unknown[] = [];
    const progress: ReadProgress[] = [];
    const opts = { ...base(), inputs: [file], warn: (obj: object) => warned.push(obj), onProgress: (p: ReadProgress) => progress.push(p) };
    const thread = startParseThread(opts);
    const paths: string[] = [];
    for await (const batch of thread.batches()) for (const e of batch.events) paths.push(e.path);
    expect(paths).toHaveLength(2499);
    expect(paths[0]).toBe('/p/0');
    expect(paths[10]).toBe('/p/11');
    expect(paths.at(-1)).toBe('/p/2499');
    expect(opts.metrics.snapshot().totals).toMatchObject({ read: 2500, parsed: 2499, unparsed: 1 });
    expect(warned).toEqual([expect.objectContaining({ line: 11, reason: expect.any(String), sample: 'garbage' })]);
    expect(progress.at(-1)).toMatchObject({ lines: 2500 });
  }, 30_000);

  it('stops the worker when the caller stops early', async () => {
    const file = join(dir, 'many.log');
    writeFileSync(file, Array.from({ length: 20_000 }, () => '203.0.113.1 - - [10/Oct/2026:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "x"').join('\n') + '\n');
    let worker: Worker | null = null;
    const thread = startParseThread({ ...base(), inputs: [file], spawn: (entry, o) => (worker = new Worker(entry, o)) });
    let exited = false;
    (worker as unknown as Worker).once('exit', () => (exited = true));
    for await (const batch of thread.batches()) {
      expect(batch.events).toHaveLength(1000);
      break;
    }
    expect(exited).toBe(true);
  }, 30_000);

  it('fails the run when the worker dies', async () => {
    const thread = startParseThread({ ...base(), inputs: ['x'], spawn: (_entry, o) => new Worker('process.exit(3)', { ...o, eval: true }) });
    await expect(thread.batches().next()).rejects.toThrow(/parse thread stopped \(exit code 3\)/);
  }, 30_000);
});
