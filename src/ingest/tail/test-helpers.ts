/** Shared by the tail tests: run a source in the background and wait for conditions with a deadline. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawLine, SourceBatch } from '../types.js';
import { FileTailSource, type FileTailSourceOptions } from './file-tail-source.js';

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'rampart-tail-'));
}

export async function waitFor(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface Running {
  source: FileTailSource;
  batches: SourceBatch[];
  lines: RawLine[];
  texts(): string[];
  /** Resolves when the iteration has ended. */
  done: Promise<void>;
  waitForLines(n: number, timeoutMs?: number): Promise<void>;
}

export function runTail(
  options: Partial<FileTailSourceOptions> & Pick<FileTailSourceOptions, 'patterns'>,
): Running {
  const source = new FileTailSource({
    id: 'tail',
    startAt: 'start',
    pollIntervalMs: 50,
    batchWaitMs: 5,
    ...options,
  });
  const batches: SourceBatch[] = [];
  const lines: RawLine[] = [];
  const done = (async () => {
    for await (const b of source.batches()) {
      batches.push(b);
      lines.push(...b.lines);
    }
  })();
  return {
    source,
    batches,
    lines,
    done,
    texts: () => lines.map((l) => l.text),
    waitForLines: (n, timeoutMs) =>
      waitFor(`${n} lines (have ${lines.length})`, () => lines.length >= n, timeoutMs),
  };
}

/** The checkpoint for `source` carried by the last batch that had one. */
export function lastCheckpoint(run: Running, source: string) {
  for (let i = run.batches.length - 1; i >= 0; i--) {
    const c = run.batches[i]?.checkpoints.find((cp) => cp.source === source);
    if (c) return c;
  }
  throw new Error(`no checkpoint for ${source}`);
}

/** A line's whole stable key: the prefix and the offset the reader carries apart (RawLine.keyOffset). */
export function fullKey(line: RawLine | undefined): string | undefined {
  return line === undefined ? undefined : line.key + (line.keyOffset ?? '');
}
