import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawLine, SourceBatch } from '../types.js';
import {
  FileReadSource,
  inputKeyPrefix,
  type FileReadSourceOptions,
  type ReadProgress,
} from './file-read-source.js';
import { InputError } from './errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rampart-read-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(options: Partial<FileReadSourceOptions> & { inputs: string[] }) {
  const src = new FileReadSource({ id: 'analyze', ...options });
  const batches: SourceBatch[] = [];
  for await (const b of src.batches()) batches.push(b);
  return { src, batches, lines: batches.flatMap((b) => b.lines) };
}

const content = 'first\r\nsecond €\n\nfourth';

describe('FileReadSource', () => {
  it('reads a plain file with exact line numbers, byte offsets and stable keys', async () => {
    const path = join(dir, 'plain.log');
    await writeFile(path, content);
    const { lines, batches } = await readAll({ inputs: [path] });
    expect(lines.map((l) => l.text)).toEqual(['first', 'second €', '', 'fourth']);
    expect(lines.map((l) => l.origin)).toEqual([
      { kind: 'file', source: path, offset: 0, line: 1 },
      { kind: 'file', source: path, offset: 7, line: 2 },
      { kind: 'file', source: path, offset: 18, line: 3 },
      { kind: 'file', source: path, offset: 19, line: 4 },
    ]);
    // The key is the prefix and the offset, carried apart; the id is that of their concatenation.
    expect(lines[1]?.key).toBe(inputKeyPrefix(path));
    expect(lines[1]?.keyOffset).toBe(7);
    expect(batches.every((b) => b.checkpoints.length === 0 && b.sourceId === 'analyze')).toBe(true);
  });

  // Gzip is detected by magic bytes: the names lie in both directions.
  const gzCases = [
    { name: 'gzip named .gz', file: 'a.log.gz', data: () => gzipSync(content) },
    { name: 'gzip without .gz', file: 'b.log.1', data: () => gzipSync(content) },
    { name: 'plain text named .gz', file: 'c.log.gz', data: () => Buffer.from(content) },
    {
      name: 'two gzip members',
      file: 'd.gz',
      data: () => Buffer.concat([gzipSync('first\r\n'), gzipSync('second €\n\nfourth')]),
    },
  ];
  for (const c of gzCases) {
    it(`reads ${c.name}`, async () => {
      const path = join(dir, c.file);
      const data = c.data();
      await writeFile(path, data);
      const { lines, src } = await readAll({ inputs: [path] });
      expect(lines.map((l) => l.text)).toEqual(['first', 'second €', '', 'fourth']);
      expect(lines.map((l) => l.origin.kind === 'file' && l.origin.offset)).toEqual([0, 7, 18, 19]);
      const stats = src.stats();
      expect(stats.bytesRead).toBe(data.length);
      expect(stats.totalBytes).toBe(data.length);
      expect(stats.inputs[0]?.compressed).toBe(data[0] === 0x1f);
    });
  }

  for (const gz of [false, true]) {
    it(`reads stdin (${gz ? 'gzip' : 'plain'}) from the Readable it is given, then the next input`, async () => {
      const path = join(dir, 'after-stdin.log');
      await writeFile(path, 'file line\n');
      const data = gz ? gzipSync(content) : Buffer.from(content);
      // One byte per chunk: the gzip sniffing must look past the first chunk.
      const stdin = Readable.from([...data].map((b) => Buffer.from([b])));
      const { lines, src } = await readAll({ inputs: ['-', path], stdin });
      expect(lines.map((l) => [l.text, l.origin.kind === 'file' && l.origin.source])).toEqual([
        ['first', '-'],
        ['second €', '-'],
        ['', '-'],
        ['fourth', '-'],
        ['file line', path],
      ]);
      expect(src.stats().totalBytes).toBeNull();
      expect(src.stats().inputs[0]).toMatchObject({
        compressed: gz,
        bytesRead: data.length,
        lines: 4,
        done: true,
      });
    });
  }

  it('yields at most batchLines lines per batch and reports progress', async () => {
    const path = join(dir, 'many.log');
    const n = 2503;
    await writeFile(path, Array.from({ length: n }, (_, i) => `line ${i + 1}\n`).join(''));
    const progress: ReadProgress[] = [];
    const { batches, lines } = await readAll({
      inputs: [path],
      batchLines: 1000,
      chunkBytes: 4096,
      onProgress: (p) => progress.push(p),
    });
    expect(batches.map((b) => b.lines.length)).toEqual([1000, 1000, 503]);
    expect(lines.map((l) => l.origin.kind === 'file' && l.origin.line)).toEqual(lines.map((_, i) => i + 1));
    expect(lines.every((l: RawLine, i) => l.text === `line ${i + 1}`)).toBe(true);
    const last = progress.at(-1);
    expect(last?.lines).toBe(n);
    expect(last?.bytesRead).toBe(last?.totalBytes);
    expect(progress.map((p) => p.lines)).toEqual([...progress.map((p) => p.lines)].sort((a, b) => a - b));
  });

  it('flags an overlong line of 200 KiB and reads the lines after it', async () => {
    const path = join(dir, 'overlong.log');
    await writeFile(path, 'a\n' + 'x'.repeat(200 * 1024) + '\nb\n');
    const { lines } = await readAll({ inputs: [path], chunkBytes: 8192 });
    expect(lines.map((l) => [l.text.length, l.overlong ?? false])).toEqual([
      [1, false],
      [64 * 1024, true],
      [1, false],
    ]);
    expect(lines[2]?.origin).toMatchObject({ line: 3, offset: 2 + 200 * 1024 + 1 });
  });

  const failures = [
    { name: 'a missing file', setup: async () => join(dir, 'nope.log'), message: /nope\.log: no such file/ },
    { name: 'a directory', setup: async () => dir, message: /is a directory/ },
    {
      name: 'truncated gzip data',
      setup: async () => {
        const p = join(dir, 'broken.gz');
        const gz = gzipSync('x\n'.repeat(10000));
        await writeFile(p, gz.subarray(0, gz.length - 20));
        return p;
      },
      message: /broken\.gz: corrupt gzip data/,
    },
  ];
  for (const f of failures) {
    it(`fails with an InputError naming ${f.name}`, async () => {
      const path = await f.setup();
      const err = await readAll({ inputs: [path] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toMatch(f.message);
    });
  }

  it('stop() ends the iteration after the batch in flight', async () => {
    const path = join(dir, 'stop.log');
    await writeFile(path, 'x\n'.repeat(5000));
    const src = new FileReadSource({ id: 's', inputs: [path, path], batchLines: 100, chunkBytes: 1024 });
    let seen = 0;
    for await (const b of src.batches()) {
      seen += b.lines.length;
      await src.stop();
    }
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(5000);
  });
});
