/**
 * The Source conformance suite: the obligations of src/ingest/types.ts, the same assertions for every
 * source that reads lines (file tail and file read today; the next implementations run it too).
 * The suite writes each input to a fresh file and asks the implementation for a source over it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_LINE } from '../../core/index.js';
import type { Checkpoint, RawLine, Source, SourceBatch } from '../types.js';

export interface SourceUnderTest {
  /** A source over `file`, in batches of at most `batchLines`, resuming from `checkpoints`. */
  open(file: string, opts: { batchLines: number; checkpoints: Checkpoint[] }): Source;
  /** `follows`: reads until stopped (a tail); `finishes`: ends at the end of its input (a batch read). */
  kind: 'follows' | 'finishes';
  /** Whether batches carry resume points (a batch read keeps none: its checkpoints stay empty). */
  resumes: boolean;
}

interface Collected {
  batches: SourceBatch[];
  lines: RawLine[];
  /** Settles when the iteration has ended. */
  done: Promise<void>;
}

/** Pulls batches in the background, as the pipeline does; `onBatch` runs after each one is taken. */
function collect(source: Source, onBatch: (c: Collected) => void = () => {}): Collected {
  const c: Collected = { batches: [], lines: [], done: Promise.resolve() };
  c.done = (async () => {
    for await (const b of source.batches()) {
      c.batches.push(b);
      c.lines.push(...b.lines);
      onBatch(c);
    }
  })();
  return c;
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  const ok = await Promise.race([p.then(() => true), late]);
  clearTimeout(timer);
  return ok;
}

const numbered = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `line ${from + i} ${'x'.repeat((from + i) % 7)}`);

export function describeSourceConformance(name: string, sut: SourceUnderTest): void {
  describe(`Source conformance: ${name}`, () => {
    let dir: string;
    let file: string;
    const sources: Source[] = [];
    const open = (batchLines: number, checkpoints: Checkpoint[] = []) => {
      const s = sut.open(file, { batchLines, checkpoints });
      sources.push(s);
      return s;
    };
    /** Reads until `n` lines came, then stops a following source; resolves once the iteration ended. */
    const readLines = async (source: Source, n: number): Promise<Collected> => {
      const c = collect(source);
      await waitFor(`${n} lines`, () => c.lines.length >= n);
      if (sut.kind === 'follows') await source.stop();
      await c.done;
      return c;
    };

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'rampart-source-conformance-'));
      file = join(dir, 'access.log');
    });
    afterEach(async () => {
      await Promise.all(sources.splice(0).map((s) => s.stop()));
      await rm(dir, { recursive: true, force: true });
    });

    it('yields every line once, in order and intact, in batches of at most batchLines', async () => {
      const texts = numbered(25);
      await writeFile(file, texts.join('\n') + '\n');
      const c = await readLines(open(10), 25);
      expect(c.lines.map((l) => l.text)).toEqual(texts);
      for (const b of c.batches) {
        expect(b.lines.length).toBeGreaterThan(0);
        expect(b.lines.length).toBeLessThanOrEqual(10);
      }
      expect(new Set(c.lines.map((l) => `${l.key}|${l.keyOffset ?? ''}`)).size).toBe(25);
      expect(c.lines.every((l) => l.overlong !== true)).toBe(true);
    });

    it('flags and cuts an over-long line; the lines around it are untouched', async () => {
      await writeFile(file, ['before', 'y'.repeat(MAX_LINE + 5000), 'after'].join('\n') + '\n');
      const c = await readLines(open(10), 3);
      expect(c.lines.map((l) => l.text.slice(0, 6))).toEqual(['before', 'yyyyyy', 'after']);
      expect(c.lines.map((l) => l.overlong === true)).toEqual([false, true, false]);
      expect(c.lines[1]!.text.length).toBeLessThanOrEqual(MAX_LINE);
    });

    it('stop() ends the iteration after the batch in flight', async () => {
      await writeFile(file, numbered(2000).join('\n') + '\n');
      const source = open(10);
      let stopping: Promise<void> | null = null;
      let batchesAtStop = 0;
      const c = collect(source, (got) => {
        if (!stopping) {
          batchesAtStop = got.batches.length;
          stopping = source.stop();
        }
      });
      expect(await settlesWithin(c.done, 5_000)).toBe(true);
      await stopping;
      // At most the batch that was being read when stop() came.
      expect(c.batches.length - batchesAtStop).toBeLessThanOrEqual(1);
      expect(c.lines.length).toBeLessThan(2000);
    });

    if (!sut.resumes) {
      it('carries no checkpoint (it keeps no position to resume from)', async () => {
        await writeFile(file, numbered(25).join('\n') + '\n');
        const c = await readLines(open(10), 25);
        for (const b of c.batches) expect(b.checkpoints).toEqual([]);
      });
      return;
    }

    it("a batch's checkpoint is true once that batch is stored: it ends exactly after its last line", async () => {
      const texts = numbered(25);
      await writeFile(file, texts.join('\n') + '\n');
      const c = await readLines(open(10), 25);
      let end = 0;
      let lineNo = 0;
      for (const b of c.batches) {
        for (const l of b.lines) {
          end += Buffer.byteLength(l.text) + 1;
          lineNo++;
        }
        expect(b.checkpoints).toHaveLength(1);
        expect(b.checkpoints[0]).toMatchObject({ offset: end, line: lineNo });
      }
    });

    it('resumes after the last stored batch: nothing lost, nothing twice', async () => {
      const texts = numbered(45);
      await writeFile(file, texts.join('\n') + '\n');
      // Only the first two batches reach the store; the process dies.
      const first = collect(open(10));
      await waitFor('two batches', () => first.batches.length >= 2);
      const stored = first.batches.slice(0, 2);
      await sources[0]!.stop();
      await first.done;
      const storedLines = stored.flatMap((b) => b.lines.map((l) => l.text));
      const checkpoint = stored[1]!.checkpoints.at(-1)!;
      const rest = await readLines(open(10, [checkpoint]), texts.length - storedLines.length);
      expect([...storedLines, ...rest.lines.map((l) => l.text)]).toEqual(texts);
    });
  });
}
