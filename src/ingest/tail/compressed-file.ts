/**
 * Reads a gzip-compressed rotation (`access.log.2.gz`) once, from an uncompressed byte offset, with the
 * same line keys as the plain file had (keys are the followed path, the first-line hash and the offset,
 * none of which compression changes): lines read before it was compressed deduplicate.
 *
 * Offsets and checkpoints count uncompressed bytes; resuming from one inflates and skips up to it.
 * Corrupt or cut-off data ends the file and is reported as a loss, never thrown at the other files.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Checkpoint, RawLine } from '../types.js';
import { LineSplitter, type LineSink } from '../read/line-splitter.js';
import { lineKeyPrefix } from './head.js';
import type { LineReader } from './line-reader.js';
import { LineQueue } from './line-queue.js';
import type { PathCounters, StartAt } from './tailed-file.js';

const CHUNK_BYTES = 256 * 1024;

export type LossReport = (bytes: number | null, reason: string) => void;

export class CompressedFile implements LineReader {
  /** A compressed file never grows: once drained it can be closed at once. */
  lastGrowthAt = 0;
  private readonly lines: LineQueue;
  private readonly splitter: LineSplitter;
  private readonly prefix: string;
  /** Uncompressed bytes produced so far, including those skipped before the start offset. */
  private inflated = 0;
  private ended = false;
  private readonly raw;
  private readonly chunks: AsyncIterator<Buffer>;

  constructor(
    private readonly source: string,
    readonly path: string,
    readonly fileId: string,
    private readonly headHash: string,
    private readonly start: StartAt,
    private readonly counters: PathCounters,
    private readonly onLoss: LossReport,
  ) {
    this.splitter = new LineSplitter(start.offset);
    this.prefix = lineKeyPrefix(source, headHash);
    this.lines = new LineQueue(source, start);
    this.raw = createReadStream(path, { highWaterMark: CHUNK_BYTES });
    const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
    this.raw.on('error', (err) => gunzip.destroy(err));
    this.chunks = this.raw.pipe(gunzip)[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  get drained(): boolean {
    return this.ended && this.lines.empty;
  }

  /** Found by its first line's hash: always final. */
  readonly headFinal = true;

  /** At its end the last line is handed out even without a newline: drained is all taken. */
  get allTaken(): boolean {
    return this.drained;
  }

  checkpoint(): Checkpoint {
    return this.lines.checkpoint(this.fileId, this.headHash);
  }

  take(max: number, out: RawLine[]): Promise<number> {
    return this.lines.take(max, out, () => this.fill());
  }

  async close(): Promise<void> {
    this.ended = true;
    this.raw.destroy();
    await this.chunks.return?.().catch(() => undefined);
  }

  private async fill(): Promise<void> {
    while (this.lines.empty && !this.ended) {
      let r: IteratorResult<Buffer>;
      try {
        r = await this.chunks.next();
      } catch (err) {
        this.end(false);
        const at = Math.max(this.inflated, this.start.offset);
        this.onLoss(
          null,
          `${this.path} is corrupt or cut off after ${at} uncompressed bytes (${(err as Error).message})`,
        );
        return;
      }
      if (r.done) {
        this.end(true);
        if (this.inflated < this.start.offset)
          this.onLoss(
            null,
            `${this.path} holds ${this.inflated} bytes, fewer than the offset ${this.start.offset} to resume at`,
          );
        return;
      }
      const chunk = r.value;
      const at = this.inflated;
      this.inflated += chunk.length;
      if (this.inflated <= this.start.offset) continue;
      const part = at < this.start.offset ? chunk.subarray(this.start.offset - at) : chunk;
      this.counters.bytesRead += part.length;
      this.splitter.push(part, this.emit);
    }
  }

  /** At the end of a complete rotation its last line counts even without a newline; not after corrupt data. */
  private end(complete: boolean): void {
    this.ended = true;
    if (complete && this.inflated > this.start.offset) this.splitter.finish(this.emit);
  }

  private readonly emit: LineSink = (text, start, end, overlong) => {
    this.lines.push(text, this.prefix, start, end, overlong);
    if (overlong) this.counters.overlong++;
    this.counters.lines++;
  };
}
