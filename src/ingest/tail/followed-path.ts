/**
 * One source path (a configured path or a glob match) and the files that have been at it: the current
 * file, and older ones (renamed away by a rotation, or deleted) still being read to their end, oldest
 * first. Lines come out in that order, so a rotation loses and reorders nothing.
 */
import type { Checkpoint, RawLine } from '../types.js';
import type { LineReader } from './line-reader.js';
import type { PathCounters, TailedFile } from './tailed-file.js';

export interface TailFileStats extends PathCounters {
  source: string;
  /** `${dev}:${ino}` of the file now at the path, null while there is none. */
  fileId: string | null;
  rotations: number;
  /** Offset just after the last line handed out, in the current file. */
  offset: number;
  /** Size of the current file when last checked: size - offset is the lag in bytes. */
  size: number;
  /** Rotated, copied or deleted files still being read. */
  draining: number;
}

const MAX_UNREADABLE_REMEMBERED = 1024;

export class FollowedPath {
  current: TailedFile | null = null;
  readonly draining: LineReader[] = [];
  readonly counters: PathCounters = {
    bytesRead: 0,
    lines: 0,
    overlong: 0,
    truncations: 0,
    lostBytes: 0,
    losses: 0,
  };
  rotations = 0;
  /** Bumped when a file is queued ahead of the current one, so a read in progress starts over with it. */
  private queued = 0;
  /** The newest file that was at this path, once every file is closed (the next rotation walks from it). */
  private lastClosed: Checkpoint | null = null;
  /** Rotations that cannot be read (`.xz`) already reported lost: each search finds them again. */
  private readonly unreadableReported = new Set<string>();

  constructor(readonly source: string) {}

  /** Retires the current file (renamed away, replaced or deleted): it is read to its end, then closed. */
  retireCurrent(): void {
    if (!this.current) return;
    this.current.lastGrowthAt = Date.now();
    this.draining.push(this.current);
    this.current = null;
  }

  /** Queues a rotated file (or a copytruncate copy) to be read after the files already draining. */
  queueRotated(file: LineReader): void {
    this.draining.push(file);
    this.queued++;
  }

  /** Identity of the newest file known at this path: where a walk to the next live file starts. */
  newest(): Checkpoint | null {
    return this.current?.checkpoint() ?? this.draining.at(-1)?.checkpoint() ?? this.lastClosed;
  }

  /** True the first time `fileId` (an unreadable rotation) is asked about, so its loss is counted once. */
  firstReportOfUnreadable(fileId: string): boolean {
    if (this.unreadableReported.has(fileId)) return false;
    // Bounded: a path rotated for years must not grow this; forgetting old ids only risks a repeat warning.
    if (this.unreadableReported.size >= MAX_UNREADABLE_REMEMBERED) this.unreadableReported.clear();
    this.unreadableReported.add(fileId);
    return true;
  }

  get idle(): boolean {
    return this.current === null && this.draining.length === 0;
  }

  /**
   * Reads up to `max` lines into `out`, oldest file first. A retired file that is drained and has not
   * grown for `graceMs` is closed: its writer has moved on to the new file.
   */
  async read(out: RawLine[], max: number, graceMs: number): Promise<number> {
    let total = 0;
    let queued: number;
    do {
      queued = this.queued;
      for (const file of [...this.draining, ...(this.current ? [this.current] : [])]) {
        let n: number;
        while (total < max && (n = await file.take(max - total, out)) > 0) total += n;
        if (total >= max || this.queued !== queued) break;
        if (file !== this.current && file.drained && Date.now() - file.lastGrowthAt >= graceMs) {
          this.draining.splice(this.draining.indexOf(file), 1);
          if (this.draining.length === 0 && !this.current) this.lastClosed = file.checkpoint();
          await file.close();
        }
      }
    } while (total < max && this.queued !== queued);
    return total;
  }

  /**
   * Where to resume: the oldest file with lines not yet handed out, from its last line handed out; when
   * every file is read to its end, the newest. A rotated file read to its end but still open (in its
   * grace, in case the writer adds a last line) must not hold the checkpoint: when rotations come faster
   * than the grace, it would stay there across rotations, and once logrotate deletes that file a restart
   * finds nothing to resume from and skips every file after it. If the writer does add to it, the file
   * holds the checkpoint again until those lines are handed out; only lines added and not yet read when
   * the process dies are not found again (the restart walks forward from a newer file).
   */
  checkpoint(): Checkpoint | null {
    const files = [...this.draining, ...(this.current ? [this.current] : [])];
    let i = files.findIndex((f) => !f.allTaken);
    if (i === -1) i = files.length - 1;
    // A new file whose first line is not complete yet (just created, often empty) has no identity to
    // resume by: its checkpoint's head would match no file once written to. Nothing of it was handed
    // out, so the file before it, read to its end, says the same and can be found.
    while (i > 0 && !files[i]!.headFinal) i--;
    return files[i]?.checkpoint() ?? null;
  }

  stats(): TailFileStats {
    return {
      source: this.source,
      fileId: this.current?.fileId ?? null,
      ...this.counters,
      rotations: this.rotations,
      offset: this.current?.offset ?? 0,
      size: this.current?.fileSize ?? 0,
      draining: this.draining.length,
    };
  }

  async close(): Promise<void> {
    const files = [...this.draining, ...(this.current ? [this.current] : [])];
    this.draining.length = 0;
    this.current = null;
    await Promise.all(files.map((f) => f.close()));
  }
}
