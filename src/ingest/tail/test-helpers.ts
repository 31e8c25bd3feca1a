/** Shared by the tail tests: run a source in the background and wait for conditions with a deadline. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Checkpoint, RawLine, SourceBatch } from '../types.js';
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

/**
 * A tail pulled by hand, batch by batch, the way the pipeline pulls it: the source reads only when a
 * batch is asked for, so a test decides exactly how much was read before it rotates the file.
 */
export interface Pulled {
  source: FileTailSource;
  lines: RawLine[];
  /** Sum of the batches' `lost` reports. */
  lost: { count: number; bytes: number };
  /** Pulls batches until at least `n` lines in all (or throws after `timeoutMs`). */
  until(n: number, timeoutMs?: number): Promise<void>;
  /** The checkpoint of `path` the pipeline would have saved with the last batch pulled. */
  checkpoint(path: string): Checkpoint;
  /** Pulls nothing more and ends the iteration, like a clean shutdown after the last stored batch. */
  stop(): Promise<void>;
}

export function pullTail(
  options: Partial<FileTailSourceOptions> & Pick<FileTailSourceOptions, 'patterns'>,
): Pulled {
  const source = new FileTailSource({
    id: 'tail',
    startAt: 'start',
    pollIntervalMs: 50,
    batchWaitMs: 5,
    drainGraceMs: 0,
    ...options,
  });
  const it = source.batches()[Symbol.asyncIterator]();
  const lines: RawLine[] = [];
  const lost = { count: 0, bytes: 0 };
  const checkpoints = new Map<string, Checkpoint>();
  return {
    source,
    lines,
    lost,
    async until(n, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (lines.length < n) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`timed out waiting for ${n} lines (have ${lines.length})`)),
            Math.max(1, deadline - Date.now()),
          );
        });
        const r = await Promise.race([it.next(), timeout]).finally(() => clearTimeout(timer));
        if (r.done) throw new Error(`the tail ended with ${lines.length} of ${n} lines`);
        lines.push(...r.value.lines);
        for (const c of r.value.checkpoints) checkpoints.set(c.source, c);
        if (r.value.lost) {
          lost.count += r.value.lost.count;
          lost.bytes += r.value.lost.bytes;
        }
      }
    },
    checkpoint(path) {
      const c = checkpoints.get(path);
      if (!c) throw new Error(`no checkpoint for ${path}`);
      return c;
    },
    async stop() {
      await source.stop();
      await it.return?.(undefined);
    },
  };
}

/** Numbered log lines `${tag} ${i}` padded to about `width` bytes, and their texts. */
export function logLines(
  tag: string,
  from: number,
  to: number,
  width = 100,
): { text: string; texts: string[] } {
  const texts: string[] = [];
  for (let i = from; i < to; i++) {
    const t = `${tag} ${i} `;
    texts.push(t + 'x'.repeat(Math.max(0, width - t.length - 1)));
  }
  return { text: texts.map((t) => t + '\n').join(''), texts };
}

/**
 * Lines lost and duplicated, by line id, over everything pulled by successive runs: `want` every
 * line text expected once; a duplicate is a line id (or a text) seen more than once.
 */
export function tally(
  want: readonly string[],
  runs: readonly RawLine[][],
): { lost: number; duplicated: number } {
  const all = runs.flat();
  const keys = new Set(all.map((l) => fullKey(l)));
  const texts = new Set(all.map((l) => l.text));
  const lost = want.filter((t) => !texts.has(t)).length;
  return { lost, duplicated: all.length - Math.min(keys.size, texts.size) };
}
