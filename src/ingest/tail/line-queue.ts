/**
 * Lines read from one file but not yet handed out, and the position of what has been handed out: the
 * byte just after the last line taken and how many lines that makes. A checkpoint records that position,
 * never the read position, so lines read but not yet taken are read again after a restart.
 * Shared by TailedFile and CompressedFile, which differ only in how they read bytes.
 */
import type { Checkpoint, RawLine } from '../types.js';
import type { StartAt } from './tailed-file.js';

export class LineQueue {
  private readonly queue: RawLine[] = [];
  /** Byte offset just after each queued line. */
  private readonly ends: number[] = [];
  private next = 0;
  private takenOffset: number;
  private takenLines: number;
  /** Lines queued so far (numbers the next line). */
  private queuedLines: number;

  constructor(
    private readonly source: string,
    start: StartAt,
  ) {
    this.takenOffset = start.offset;
    this.takenLines = start.line;
    this.queuedLines = start.line;
  }

  /** True when every queued line has been taken. */
  get empty(): boolean {
    return this.next >= this.queue.length;
  }

  /** Byte offset just after the last line taken. */
  get offset(): number {
    return this.takenOffset;
  }

  /** Queues the line at bytes [start, end) of the file; `key` is the file's key prefix. */
  push(text: string, key: string, start: number, end: number, overlong: boolean): void {
    // Key = prefix + offset, carried apart (see RawLine.keyOffset): same ids, no string per line.
    this.queue.push({
      text,
      key,
      keyOffset: start,
      origin: { kind: 'file', source: this.source, offset: start, line: ++this.queuedLines },
      overlong,
    });
    this.ends.push(end);
  }

  /**
   * Moves up to `max` queued lines into `out`; when none is queued, first forgets the taken ones and
   * awaits `refill`. Returns how many.
   */
  async take(max: number, out: RawLine[], refill: () => Promise<void>): Promise<number> {
    if (this.empty) {
      this.queue.length = 0;
      this.ends.length = 0;
      this.next = 0;
      await refill();
    }
    const n = Math.min(max, this.queue.length - this.next);
    for (let i = 0; i < n; i++) out.push(this.queue[this.next + i] as RawLine);
    if (n > 0) {
      this.next += n;
      this.takenOffset = this.ends[this.next - 1] as number;
      this.takenLines += n;
    }
    return n;
  }

  /** Starts the count again at `start` (the file was rewritten); nothing queued is kept. */
  restartAt(start: StartAt): void {
    this.queue.length = 0;
    this.ends.length = 0;
    this.next = 0;
    this.takenOffset = start.offset;
    this.takenLines = start.line;
    this.queuedLines = start.line;
  }

  checkpoint(fileId: string, headHash: string): Checkpoint {
    return { source: this.source, fileId, offset: this.takenOffset, line: this.takenLines, headHash };
  }
}
