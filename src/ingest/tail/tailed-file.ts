/**
 * One open file being followed: reads complete lines from the byte after the last one it handed out,
 * through the shared LineSplitter (bounded lines, UTF-8 per line, CRLF). It keeps its file handle, so a
 * file renamed or deleted under it is still read to its end. Before reading more it checks the file is
 * still the content it started with: a size below what was read, or a different first line, means the
 * file was truncated (copytruncate) or rewritten, and reading starts again at 0.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Checkpoint, RawLine } from '../types.js';
import { LineSplitter, type LineSink } from '../read/line-splitter.js';
import { eventId } from '../event-id.js';
import { fileIdOf, readHead, sameHead, type Head } from './head.js';

const CHUNK_BYTES = 256 * 1024;
/** How far back `startAt: 'end'` looks for the start of the line being written. */
const END_SCAN_BYTES = 1024 * 1024;

/** Counters shared by every file that has been at one source path. */
export interface PathCounters {
  bytesRead: number;
  lines: number;
  overlong: number;
  truncations: number;
}

export interface StartAt {
  offset: number;
  /** Lines before `offset` (0 when unknown, e.g. tailing began at the end). */
  line: number;
}

export class TailedFile {
  private readonly queue: RawLine[] = [];
  private readonly ends: number[] = [];
  private next = 0;
  private readonly splitter: LineSplitter;
  /** Position just after the last line handed out, and lines handed out up to there. */
  private consumedOffset: number;
  private consumedLines: number;
  /** Lines queued so far (numbers the next line). */
  private queuedLines: number;
  private checkedSize = -1;
  private size = 0;
  /** When the file last gave us bytes (or was opened): a drained file is closed after a quiet spell. */
  lastGrowthAt = Date.now();

  private constructor(
    readonly source: string,
    readonly path: string,
    readonly fileId: string,
    private readonly fh: FileHandle,
    private head: Head,
    start: StartAt,
    private readonly counters: PathCounters,
    private readonly onTruncate: (file: TailedFile, reason: string) => void,
  ) {
    this.splitter = new LineSplitter(start.offset);
    this.consumedOffset = start.offset;
    this.consumedLines = start.line;
    this.queuedLines = start.line;
  }

  /** Opens `path`; the file id comes from the opened handle, so a rename racing the open cannot confuse it. */
  static async open(
    source: string,
    path: string,
    start: StartAt | 'end',
    counters: PathCounters,
    onTruncate: (file: TailedFile, reason: string) => void,
  ): Promise<TailedFile> {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat({ bigint: true });
      const head = await readHead(fh);
      const at = start === 'end' ? await endStart(fh, Number(st.size)) : start;
      const file = new TailedFile(source, path, fileIdOf(st), fh, head, at, counters, onTruncate);
      file.size = Number(st.size);
      return file;
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  get headHash(): string {
    return this.head.hash;
  }

  get offset(): number {
    return this.consumedOffset;
  }

  get fileSize(): number {
    return this.size;
  }

  /** True when every byte of the file has been read and every complete line handed out. */
  get drained(): boolean {
    return this.next >= this.queue.length && this.splitter.position >= this.size;
  }

  checkpoint(): Checkpoint {
    return {
      source: this.source,
      fileId: this.fileId,
      offset: this.consumedOffset,
      line: this.consumedLines,
      headHash: this.head.hash,
    };
  }

  /** Moves up to `max` complete lines into `out`, reading only when nothing is queued. Returns how many. */
  async take(max: number, out: RawLine[]): Promise<number> {
    if (this.next >= this.queue.length) {
      this.queue.length = 0;
      this.ends.length = 0;
      this.next = 0;
      await this.fill();
    }
    const n = Math.min(max, this.queue.length - this.next);
    for (let i = 0; i < n; i++) out.push(this.queue[this.next + i] as RawLine);
    if (n > 0) {
      this.next += n;
      this.consumedOffset = this.ends[this.next - 1] as number;
      this.consumedLines += n;
    }
    return n;
  }

  close(): Promise<void> {
    return this.fh.close().catch(() => undefined);
  }

  /** Reads chunks until at least one line is complete or the end of the file is reached. */
  private async fill(): Promise<void> {
    await this.checkIdentity();
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    while (this.queue.length === 0 && this.splitter.position < this.size) {
      const position = this.splitter.position;
      const { bytesRead } = await this.fh.read(buf, 0, Math.min(CHUNK_BYTES, this.size - position), position);
      if (bytesRead === 0) {
        // Shrunk between fstat and read: the next fill's identity check sees it.
        this.size = position;
        break;
      }
      this.counters.bytesRead += bytesRead;
      this.lastGrowthAt = Date.now();
      // The key of every line carries the head hash: make it final before the first line is keyed.
      if (!this.head.final && !(await this.refreshHead())) continue;
      this.splitter.push(buf.subarray(0, bytesRead), this.emit);
    }
  }

  private prefixFor = '';
  private prefix = '';

  /**
   * Key prefix of this file's lines: a hash of the followed path (stable across rotation) and the head
   * hash, so two files whose first lines are identical never share event ids. Hashed once per head,
   * not once per line: keys stay short, and the event id hashes only a few characters per line.
   */
  private keyPrefix(): string {
    if (this.prefixFor !== this.head.hash) {
      this.prefixFor = this.head.hash;
      this.prefix = eventId(`${this.source}|${this.head.hash}`) + ':';
    }
    return this.prefix;
  }

  private readonly emit: LineSink = (text, start, end, overlong) => {
    // Key = prefix + offset, carried apart (see RawLine.keyOffset): same ids, no string per line.
    const raw: RawLine = {
      text,
      key: this.keyPrefix(),
      keyOffset: start,
      origin: { kind: 'file', source: this.source, offset: start, line: ++this.queuedLines },
      overlong,
    };
    if (overlong) this.counters.overlong++;
    this.counters.lines++;
    this.queue.push(raw);
    this.ends.push(end);
  };

  /** Called only with an empty queue, so nothing read from the old content is still pending. */
  private async checkIdentity(): Promise<void> {
    const st = await this.fh.stat();
    this.size = st.size;
    if (st.size < this.splitter.position) {
      this.restart(`size ${st.size} is below the read offset ${this.splitter.position}`);
    } else if (st.size !== this.checkedSize) {
      const now = await readHead(this.fh);
      if (!sameHead(this.head, now)) this.restart('its first line changed');
    }
    this.checkedSize = this.size;
  }

  /** False when the head changed and reading restarted at 0 (the chunk just read is stale). */
  private async refreshHead(): Promise<boolean> {
    const now = await readHead(this.fh);
    if (sameHead(this.head, now)) {
      this.head = now;
      return true;
    }
    this.restart('its first line changed');
    return false;
  }

  private restart(reason: string): void {
    this.counters.truncations++;
    this.onTruncate(this, reason);
    this.splitter.reset(0);
    this.consumedOffset = 0;
    this.consumedLines = 0;
    this.queuedLines = 0;
    // The head is re-read before the first new line is keyed.
    this.head = { hash: this.head.hash, bytes: Buffer.alloc(0), final: false };
  }
}

/**
 * Where a live tail of an existing file begins: after the last newline, so a line being written as we
 * start is read whole rather than from its middle.
 */
async function endStart(fh: FileHandle, size: number): Promise<StartAt> {
  const len = Math.min(size, END_SCAN_BYTES);
  const buf = Buffer.alloc(len);
  const { bytesRead } = await fh.read(buf, 0, len, size - len);
  const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
  if (nl !== -1) return { offset: size - len + nl + 1, line: 0 };
  return { offset: size <= END_SCAN_BYTES ? 0 : size, line: 0 };
}
