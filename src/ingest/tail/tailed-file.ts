/**
 * One open file being followed: reads complete lines from the byte after the last one it handed out,
 * through the shared LineSplitter (bounded lines, UTF-8 per line, CRLF). It keeps its file handle, so a
 * file renamed or deleted under it is still read to its end. Before reading more it checks the file is
 * still the content it started with: a size below what was read, or a different first line, means the
 * file was truncated (copytruncate) or rewritten; the owner is told what was read of the old content
 * (so it can find the rotated copy and read the rest from there), and reading starts again at 0.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Checkpoint, RawLine } from '../types.js';
import { LineSplitter, type LineSink } from '../read/line-splitter.js';
import type { LineReader } from './line-reader.js';
import { LineQueue } from './line-queue.js';
import { fileIdOf, lineKeyPrefix, readHead, sameHead, type Head } from './head.js';

const CHUNK_BYTES = 256 * 1024;
/** How far back `startAt: 'end'` looks for the start of the line being written. */
const END_SCAN_BYTES = 1024 * 1024;

/** Counters shared by every file that has been at one source path. */
export interface PathCounters {
  bytesRead: number;
  lines: number;
  overlong: number;
  truncations: number;
  /** Bytes known to have been in the log and never read (truncated before read, no copy found). */
  lostBytes: number;
  /** Times part of the log could not be recovered (the byte count may be unknown, e.g. while stopped). */
  losses: number;
}

/** What a file held before it was truncated or rewritten, as far as this reader knows. */
export interface Rewrite {
  reason: string;
  /** Position in the old content: offset and lines handed out, with the old content's head hash. */
  consumed: Checkpoint;
  /** Largest size seen of the old content: bytes past `consumed.offset` up to it were never handed out. */
  knownSize: number;
}

/** Told of a rewrite before reading restarts at 0; true when it queued the old content's copy to be read first. */
export type RewriteHandler = (file: TailedFile, rewrite: Rewrite) => Promise<boolean>;

export interface StartAt {
  offset: number;
  /** Lines before `offset` (0 when unknown, e.g. tailing began at the end). */
  line: number;
}

export class TailedFile implements LineReader {
  private readonly lines: LineQueue;
  private readonly splitter: LineSplitter;
  private checkedSize = -1;
  private size = 0;
  /** Largest size seen of the current content (reset by a rewrite). */
  private seenSize = 0;
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
    private readonly onRewrite: RewriteHandler,
  ) {
    this.splitter = new LineSplitter(start.offset);
    this.lines = new LineQueue(source, start);
  }

  /** Opens `path`; the file id comes from the opened handle, so a rename racing the open cannot confuse it. */
  static async open(
    source: string,
    path: string,
    start: StartAt | 'end',
    counters: PathCounters,
    onRewrite: RewriteHandler,
  ): Promise<TailedFile> {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat({ bigint: true });
      const head = await readHead(fh);
      const at = start === 'end' ? await endStart(fh, Number(st.size)) : start;
      const file = new TailedFile(source, path, fileIdOf(st), fh, head, at, counters, onRewrite);
      file.size = Number(st.size);
      file.seenSize = file.size;
      return file;
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  get headFinal(): boolean {
    return this.head.final;
  }

  get headHash(): string {
    return this.head.hash;
  }

  get offset(): number {
    return this.lines.offset;
  }

  get fileSize(): number {
    return this.size;
  }

  /** True when every byte of the file has been read and every complete line handed out. */
  get drained(): boolean {
    return this.lines.empty && this.splitter.position >= this.size;
  }

  /** Drained, with no partial last line waiting for its newline. */
  get allTaken(): boolean {
    return this.drained && this.lines.offset >= this.size;
  }

  checkpoint(): Checkpoint {
    return this.lines.checkpoint(this.fileId, this.head.hash);
  }

  /** Moves up to `max` complete lines into `out`, reading only when nothing is queued. Returns how many. */
  take(max: number, out: RawLine[]): Promise<number> {
    return this.lines.take(max, out, () => this.fill());
  }

  close(): Promise<void> {
    return this.fh.close().catch(() => undefined);
  }

  /**
   * Reads chunks until at least one line is complete or the end of the file is reached. After a rewrite
   * whose old content's copy was queued, reads nothing: the copy's lines come first.
   */
  private async fill(): Promise<void> {
    if (await this.checkIdentity()) return;
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    while (this.lines.empty && this.splitter.position < this.size) {
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
      if (!this.head.final) {
        const now = await readHead(this.fh);
        if (sameHead(this.head, now)) this.head = now;
        else if (await this.restart('its first line changed')) return;
        else continue; // the chunk just read is stale
      }
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
      this.prefix = lineKeyPrefix(this.source, this.head.hash);
    }
    return this.prefix;
  }

  private readonly emit: LineSink = (text, start, end, overlong) => {
    this.lines.push(text, this.keyPrefix(), start, end, overlong);
    if (overlong) this.counters.overlong++;
    this.counters.lines++;
  };

  /** Called only with an empty queue, so nothing read from the old content is still pending. */
  private async checkIdentity(): Promise<boolean> {
    const st = await this.fh.stat();
    let queued = false;
    if (st.size < this.splitter.position) {
      queued = await this.restart(`size ${st.size} is below the read offset ${this.splitter.position}`);
    } else if (st.size !== this.checkedSize) {
      const now = await readHead(this.fh);
      if (!sameHead(this.head, now)) queued = await this.restart('its first line changed');
    }
    this.size = st.size;
    this.seenSize = Math.max(this.seenSize, st.size);
    this.checkedSize = st.size;
    return queued;
  }

  /** Starts again at 0 after telling the owner what the old content was; true when its copy was queued. */
  private async restart(reason: string): Promise<boolean> {
    const rewrite: Rewrite = {
      reason,
      consumed: this.checkpoint(),
      knownSize: Math.max(this.seenSize, this.splitter.position),
    };
    this.counters.truncations++;
    this.splitter.reset(0);
    this.lines.restartAt({ offset: 0, line: 0 });
    this.seenSize = 0;
    // The head is re-read before the first new line is keyed.
    this.head = { hash: this.head.hash, bytes: Buffer.alloc(0), final: false };
    return this.onRewrite(this, rewrite);
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
