import { appendFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../types.js';
import type { TailLogger } from './file-tail-source.js';
import { fullKey, lastCheckpoint, runTail, tempDir, waitFor, type Running } from './test-helpers.js';

let dir: string;
let path: string;
const running: Running[] = [];
const messages: string[] = [];
const logger: TailLogger = { info: (_o, m) => messages.push(m), warn: (_o, m) => messages.push(m) };

function tail(checkpoints: Checkpoint[], startAt: 'start' | 'end' = 'end'): Running {
  const r = runTail({ patterns: [path], checkpoints, startAt, logger });
  running.push(r);
  return r;
}

/** Runs a first tail over `content` and returns the checkpoint it would have saved, and its lines. */
async function firstRun(content: string, lines: number) {
  await writeFile(path, content);
  const run = tail([], 'start');
  await run.waitForLines(lines);
  await run.source.stop();
  await run.done;
  return { checkpoint: lastCheckpoint(run, path), lines: run.lines };
}

beforeEach(async () => {
  dir = await tempDir();
  path = join(dir, 'access.log');
  messages.length = 0;
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.source.stop()));
  await rm(dir, { recursive: true, force: true });
});

describe('FileTailSource resume', () => {
  it('continues the same file at the checkpoint, numbering lines on from it, with the same keys', async () => {
    const first = await firstRun('a 1\na 2\n', 2);
    expect(first.checkpoint).toMatchObject({ offset: 8, line: 2 });
    await appendFile(path, 'a 3\na 4\n');
    const run = tail([first.checkpoint]); // startAt 'end' must not matter: the checkpoint wins
    await run.waitForLines(2);
    expect(run.texts()).toEqual(['a 3', 'a 4']);
    expect(run.lines[0]?.origin).toMatchObject({ offset: 8, line: 3 });

    // Keys are the same as a fresh read from the start computes: a replay dedups.
    const fresh = tail([], 'start');
    await fresh.waitForLines(4);
    expect(fresh.lines.slice(2).map((l) => fullKey(l))).toEqual(run.lines.map((l) => fullKey(l)));
    expect(fresh.lines.slice(0, 2).map((l) => fullKey(l))).toEqual(first.lines.map((l) => fullKey(l)));
  });

  it('reads the remainder of a file rotated while stopped, then the new file from 0', async () => {
    const first = await firstRun('a 1\na 2\n', 2);
    await appendFile(path, 'a 3\n'); // written after the checkpoint, before the rotation
    await rename(path, `${path}.1`);
    await writeFile(`${path}-20240101.gz`, 'not a match'); // compressed siblings are skipped
    await writeFile(path, 'b 1\nb 2\n');
    const run = tail([first.checkpoint]);
    await run.waitForLines(3);
    expect(run.texts()).toEqual(['a 3', 'b 1', 'b 2']);
    expect(run.lines.map((l) => l.origin.kind === 'file' && l.origin.line)).toEqual([3, 1, 2]);
    expect(messages.join('\n')).toMatch(/rotated while stopped; reading the rest of .*access\.log\.1/);
  });

  it('starts over, and says why, when the file was rewritten with a different first line', async () => {
    const first = await firstRun('a 1\na 2\n', 2);
    await writeFile(`${path}.new`, 'b 1\nb 2\nb 3\n');
    await rename(`${path}.new`, path);
    const run = tail([first.checkpoint]);
    await run.waitForLines(3);
    expect(run.texts()).toEqual(['b 1', 'b 2', 'b 3']);
    expect(messages.join('\n')).toMatch(
      /is a different file than the checkpoint's .* anything written to it after byte 8 cannot be recovered/,
    );
  });

  it('starts over when the same inode now has a different first line', async () => {
    const first = await firstRun('a 1\na 2\n', 2);
    await writeFile(path, 'c 1 is longer\nc 2\n'); // truncate and rewrite in place: same inode
    const run = tail([first.checkpoint]);
    await run.waitForLines(2);
    expect(run.texts()).toEqual(['c 1 is longer', 'c 2']);
    expect(messages.join('\n')).toMatch(
      /rewritten since the checkpoint \(its first line changed\) and no rotated file holds/,
    );
  });

  it('a provisional head (first line incomplete) becomes final without changing identity', async () => {
    await writeFile(path, 'abc');
    const run = tail([], 'start');
    await waitFor('the partial line to be read', () => run.source.stats()[0]?.bytesRead === 3);
    await appendFile(path, 'def\nsecond\n');
    await run.waitForLines(2);
    expect(run.texts()).toEqual(['abcdef', 'second']);
    expect(run.source.stats()[0]?.truncations).toBe(0);
  });
});
