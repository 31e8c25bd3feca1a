import {
  appendFile,
  copyFile,
  rename,
  rm,
  symlink,
  truncate,
  unlink,
  writeFile,
  open,
} from 'node:fs/promises';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_LINE } from '../../core/index.js';
import { fullKey, lastCheckpoint, runTail, tempDir, waitFor, type Running } from './test-helpers.js';

let dir: string;
const running: Running[] = [];
/**
 * Every followed path has its file open. A path is listed in stats() before its file is opened (and,
 * with startAt 'end', before the end offset is taken): appending earlier would race that offset.
 */
function opened(run: Running, n = 1): boolean {
  const st = run.source.stats();
  return st.length === n && st.every((s) => s.fileId !== null);
}
function tail(...args: Parameters<typeof runTail>): Running {
  const r = runTail(...args);
  running.push(r);
  return r;
}
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.source.stop()));
  await rm(dir, { recursive: true, force: true });
});

const modes = [
  { name: 'fs.watch', usePolling: false },
  { name: 'polling', usePolling: true },
];

describe.each(modes)('FileTailSource ($name)', ({ usePolling }) => {
  it.each([
    { startAt: 'start' as const, want: ['old 1', 'old 2', 'new 1', 'new 2'] },
    { startAt: 'end' as const, want: ['new 1', 'new 2'] },
  ])('startAt $startAt, then sees appended lines', async ({ startAt, want }) => {
    const path = join(dir, 'access.log');
    await writeFile(path, 'old 1\nold 2\n');
    const run = tail({ patterns: [path], startAt, usePolling });
    await waitFor('the file to be opened', () => opened(run));
    await appendFile(path, 'new 1\n');
    await appendFile(path, 'new 2\n');
    await run.waitForLines(want.length);
    expect(run.texts()).toEqual(want);
    const last = run.lines.at(-1);
    expect(last?.origin).toEqual({
      kind: 'file',
      source: path,
      offset: 18,
      line: startAt === 'start' ? 4 : 2,
    });
    expect(lastCheckpoint(run, path)).toMatchObject({
      source: path,
      offset: 24,
      line: startAt === 'start' ? 4 : 2,
    });
  });

  it('calls onOpen once, after the end offset is taken: a line appended from onOpen on is read', async () => {
    const path = join(dir, 'access.log');
    await writeFile(path, 'old 1\n');
    let opens = 0;
    const run = tail({
      patterns: [path],
      startAt: 'end',
      usePolling,
      onOpen: () => {
        opens++;
        // Before this call the end offset may not be taken yet (serve's /ready waits for it).
        expect(opened(run)).toBe(true);
        appendFileSync(path, 'new 1\n');
      },
    });
    await run.waitForLines(1);
    await appendFile(path, 'new 2\n');
    await run.waitForLines(2);
    expect(run.texts()).toEqual(['new 1', 'new 2']);
    expect(opens).toBe(1);
  });

  it('rotation by rename-and-create loses and duplicates no line, with writes during the rotation', async () => {
    const path = join(dir, 'access.log');
    await writeFile(path, '');
    const run = tail({ patterns: [path], usePolling });
    await waitFor('the file to be opened', () => opened(run));
    const want: string[] = [];
    let fh = await open(path, 'a');
    for (let i = 0; i < 300; i++) {
      if (i === 100) await rename(path, `${path}.1`); // the writer keeps its fd, like nginx before USR1
      if (i === 150) {
        await fh.close();
        fh = await open(path, 'a'); // reopen creates the new file
      }
      await fh.write(`line ${i}\n`);
      want.push(`line ${i}`);
      if (i % 25 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    await fh.close();
    await run.waitForLines(300);
    expect(run.texts()).toEqual(want);
    expect(new Set(run.lines.map((l) => fullKey(l))).size).toBe(300);
    expect(run.source.stats()[0]).toMatchObject({ rotations: 1, lines: 300 });
  });
});

describe('FileTailSource', () => {
  it('waits for a partial line to be completed', async () => {
    const path = join(dir, 'a.log');
    await writeFile(path, 'one\npar');
    const run = tail({ patterns: [path] });
    await run.waitForLines(1);
    await waitFor('the partial line to be read', () => run.source.stats()[0]?.bytesRead === 7);
    await new Promise((r) => setTimeout(r, 30));
    expect(run.texts()).toEqual(['one']);
    await appendFile(path, 'tial\n');
    await run.waitForLines(2);
    expect(run.texts()).toEqual(['one', 'partial']);
    expect(run.lines[1]?.origin).toMatchObject({ offset: 4, line: 2 });
  });

  it('cuts an overlong line of 200 KiB, flags it, and reads the next lines', async () => {
    const path = join(dir, 'a.log');
    await writeFile(path, '');
    const run = tail({ patterns: [path] });
    await waitFor('the file to be opened', () => opened(run));
    // Written in pieces so the tailer sees the line incomplete several times.
    for (let i = 0; i < 4; i++) await appendFile(path, 'x'.repeat(50 * 1024));
    await appendFile(path, '\nafter 1\nafter 2\n');
    await run.waitForLines(3);
    expect(run.lines.map((l) => [l.text.length, l.overlong ?? false])).toEqual([
      [MAX_LINE, true],
      [7, false],
      [7, false],
    ]);
    expect(run.lines[1]?.origin).toMatchObject({ offset: 200 * 1024 + 1, line: 2 });
    expect(run.source.stats()[0]).toMatchObject({ overlong: 1, lines: 3 });
  });

  it('decodes invalid UTF-8 as U+FFFD and strips CR', async () => {
    const path = join(dir, 'a.log');
    await writeFile(
      path,
      Buffer.concat([Buffer.from('bad '), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(' é\r\nnext\r\n')]),
    );
    const run = tail({ patterns: [path] });
    await run.waitForLines(2);
    expect(run.texts()).toEqual(['bad \ufffd(\ufffd é', 'next']);
  });

  it('copytruncate: starts again at 0 when the file shrinks', async () => {
    const path = join(dir, 'a.log');
    await writeFile(path, 'a 1\na 2\na 3\n');
    const run = tail({ patterns: [path] });
    await run.waitForLines(3);
    await copyFile(path, `${path}.1`);
    await truncate(path, 0);
    await appendFile(path, 'b 1\n');
    await run.waitForLines(4);
    await appendFile(path, 'b 2\n');
    await run.waitForLines(5);
    expect(run.texts()).toEqual(['a 1', 'a 2', 'a 3', 'b 1', 'b 2']);
    expect(run.lines[4]?.origin).toMatchObject({ offset: 4, line: 2 });
    expect(run.source.stats()[0]).toMatchObject({ truncations: 1, offset: 8 });
  });

  it('copytruncate: notices a different first line even when the file is already longer again', async () => {
    const path = join(dir, 'a.log');
    await writeFile(path, 'a 1\n');
    // Polling only, so the tailer looks after the rewrite, never between its truncate and its write.
    const run = tail({ patterns: [path], usePolling: true, pollIntervalMs: 100 });
    await run.waitForLines(1);
    await writeFile(path, 'b 1 longer than before\n');
    await run.waitForLines(2);
    expect(run.texts()).toEqual(['a 1', 'b 1 longer than before']);
    expect(fullKey(run.lines[0])).not.toBe(fullKey(run.lines[1]));
    expect(run.lines[1]?.origin).toMatchObject({ offset: 0, line: 1 });
    expect(run.source.stats()[0]?.truncations).toBe(1);
  });

  it('follows a symlink and treats repointing it as a rotation', async () => {
    const a = join(dir, 'a.log');
    const b = join(dir, 'b.log');
    const link = join(dir, 'current.log');
    await writeFile(a, 'a 1\n');
    await writeFile(b, 'b 1\n');
    await symlink(a, link);
    const run = tail({ patterns: [link] });
    await run.waitForLines(1);
    await appendFile(a, 'a 2\n');
    await run.waitForLines(2);
    await symlink(b, `${link}.tmp`);
    await rename(`${link}.tmp`, link); // atomic repoint, like `ln -sfn`
    await run.waitForLines(3);
    await appendFile(b, 'b 2\n');
    await run.waitForLines(4);
    expect(run.texts()).toEqual(['a 1', 'a 2', 'b 1', 'b 2']);
    expect(run.lines.every((l) => l.origin.source === link)).toBe(true);
    expect(run.source.stats()[0]).toMatchObject({ rotations: 1 });
  });

  it('a glob picks up a file created later and reads it from its start', async () => {
    await writeFile(join(dir, 'a.log'), 'a 1\n');
    await writeFile(join(dir, 'ignored.txt'), 'no\n');
    const run = tail({ patterns: [join(dir, '*.log')], startAt: 'end' });
    await waitFor('a.log to be opened', () => opened(run));
    await writeFile(join(dir, 'b.log'), 'b 1\nb 2\n');
    await run.waitForLines(2);
    expect(run.texts()).toEqual(['b 1', 'b 2']);
    expect(run.lines[0]?.origin).toMatchObject({ source: join(dir, 'b.log'), line: 1, offset: 0 });
  });

  it('drains a deleted file and then drops it', async () => {
    const path = join(dir, 'a.log');
    await writeFile(path, 'a 1\n');
    const run = tail({ patterns: [path], drainGraceMs: 0 });
    await run.waitForLines(1);
    await unlink(path);
    // Closed; the configured path stays listed (with no file) so a file created there later is followed.
    await waitFor('the deleted file to be closed', () => {
      const st = run.source.stats();
      return st.length === 1 && st[0]?.fileId === null && st[0].draining === 0;
    });
  });

  it('stop() ends a waiting iteration promptly', async () => {
    const path = join(dir, 'a.log');
    await writeFile(path, 'a 1\n');
    const run = tail({ patterns: [path], pollIntervalMs: 60_000 });
    await run.waitForLines(1);
    const t0 = Date.now();
    await run.source.stop();
    await run.done;
    expect(Date.now() - t0).toBeLessThan(200);
  });

  it('yields at most batchLines lines per batch, with the checkpoint after the batch', async () => {
    const path = join(dir, 'a.log');
    await writeFile(path, Array.from({ length: 25 }, (_, i) => `l${i}\n`).join(''));
    const run = tail({ patterns: [path], batchLines: 10 });
    await run.waitForLines(25);
    expect(run.batches.map((b) => b.lines.length)).toEqual([10, 10, 5]);
    const ends = run.batches.map((b) => b.checkpoints[0]?.line);
    expect(ends).toEqual([10, 20, 25]);
    const lastLine = run.batches[0]?.lines.at(-1);
    const firstOfNext = run.batches[1]?.lines[0];
    expect(run.batches[0]?.checkpoints[0]?.offset).toBe(
      firstOfNext?.origin.kind === 'file' && firstOfNext.origin.offset,
    );
    expect(lastLine?.text).toBe('l9');
  });
});
