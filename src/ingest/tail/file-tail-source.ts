/**
 * FileTailSource: follows every file matching a set of paths and globs, across rotations
 * (rename-and-create, copytruncate, symlink repointing) and restarts (checkpoints), and yields their
 * lines in batches when the pipeline pulls.
 *
 * Change detection: fs.watch on the parent directories wakes the reader; a stat poll runs beside it as
 * a safety net (every 4 x pollIntervalMs), or at pollIntervalMs when watching fails or usePolling is set.
 * The source reads only inside `batches()` when the consumer pulls, at most one chunk per file ahead.
 */
import { realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Checkpoint, RawLine, Source, SourceBatch } from '../types.js';
import { FollowedPath, type TailFileStats } from './followed-path.js';
import { compilePatterns, expand } from './discovery.js';
import { DirWatcher } from './dir-watcher.js';
import { fileIdOf } from './head.js';
import { findRotatedSibling } from './rotated-sibling.js';
import { TailedFile, type StartAt } from './tailed-file.js';
import { Wakeup } from './wakeup.js';

/** The subset of pino the tailer uses. */
export interface TailLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface FileTailSourceOptions {
  id: string;
  /** Paths or picomatch globs. */
  patterns: string[];
  /** Checkpoints loaded from the store by the caller, keyed by `source`. */
  checkpoints?: Checkpoint[];
  /** Where files without a checkpoint begin, at start-up. Files that appear later are read from 0. */
  startAt: 'end' | 'start';
  /** Stat poll interval, default 250 ms. */
  pollIntervalMs?: number;
  /** Lines per batch, default 5000. */
  batchLines?: number;
  /** A partial batch is yielded this long after its first line, default 100 ms. */
  batchWaitMs?: number;
  logger?: TailLogger;
  /** Poll only (network filesystems, containers where inotify is unreliable). */
  usePolling?: boolean;
  /** A rotated-away file that is drained is closed after it has not grown for this long, default 2 s. */
  drainGraceMs?: number;
}

const noopLogger: TailLogger = { info: () => undefined, warn: () => undefined };

export class FileTailSource implements Source {
  readonly id: string;
  private readonly patterns;
  private readonly paths = new Map<string, FollowedPath>();
  private readonly checkpoints: Map<string, Checkpoint>;
  private readonly log: TailLogger;
  private readonly pollMs: number;
  private readonly batchLines: number;
  private readonly batchWaitMs: number;
  private readonly graceMs: number;
  private readonly wakeup = new Wakeup();
  private readonly watcher: DirWatcher;
  private readonly watchFailuresLogged = new Set<string>();
  private pollTimer: NodeJS.Timeout | null = null;
  private pollTimerMs = 0;
  private rescanDue = true;
  private started = false;
  private stopped = false;
  private inFlight: Promise<unknown> | null = null;
  /** Round-robin start, so one busy file cannot starve the others. */
  private turn = 0;

  constructor(private readonly options: FileTailSourceOptions) {
    this.id = options.id;
    this.patterns = compilePatterns(options.patterns);
    this.checkpoints = new Map((options.checkpoints ?? []).map((c) => [c.source, c]));
    this.log = options.logger ?? noopLogger;
    this.pollMs = options.pollIntervalMs ?? 250;
    this.batchLines = options.batchLines ?? 5000;
    this.batchWaitMs = options.batchWaitMs ?? 100;
    this.graceMs = options.drainGraceMs ?? 2000;
    this.watcher = new DirWatcher(
      (event) => {
        if (event === 'rename') this.rescanDue = true;
        this.wakeup.notify();
      },
      (dir, err) => this.watchFailed(dir, err),
    );
  }

  stats(): TailFileStats[] {
    return [...this.paths.values()].map((p) => p.stats());
  }

  async *batches(): AsyncGenerator<SourceBatch> {
    if (this.started) throw new Error(`file tail ${this.id}: batches() can be iterated only once`);
    this.started = true;
    try {
      await this.track(this.rescan(true));
      this.schedulePolling();
      while (!this.stopped) {
        const batch = await this.track(this.collect());
        if (batch) yield batch;
      }
    } finally {
      await this.shutdown();
    }
  }

  /** Stops watching and polling; the iteration ends after the batch in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeup.notify();
    await this.inFlight?.catch(() => undefined);
    await this.shutdown();
  }

  private async track<T>(work: Promise<T>): Promise<T> {
    this.inFlight = work;
    try {
      return await work;
    } finally {
      this.inFlight = null;
    }
  }

  private async shutdown(): Promise<void> {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    this.watcher.close();
    await Promise.all([...this.paths.values()].map((p) => p.close()));
  }

  private async collect(): Promise<SourceBatch | null> {
    const lines: RawLine[] = [];
    const advanced = new Set<FollowedPath>();
    let firstLineAt = 0;
    while (!this.stopped) {
      if (this.rescanDue) {
        this.rescanDue = false;
        await this.rescan(false);
        this.schedulePolling();
      }
      await this.readInto(lines, advanced);
      if (lines.length >= this.batchLines || this.stopped) break;
      if (lines.length === 0) {
        await this.wakeup.wait(null);
        continue;
      }
      firstLineAt ||= Date.now();
      const left = this.batchWaitMs - (Date.now() - firstLineAt);
      if (left <= 0) break;
      await this.wakeup.wait(left);
    }
    if (lines.length === 0) return null;
    const checkpoints: Checkpoint[] = [];
    for (const p of advanced) {
      const c = p.checkpoint();
      if (c) checkpoints.push(c);
    }
    return { sourceId: this.id, lines, checkpoints };
  }

  private async readInto(lines: RawLine[], advanced: Set<FollowedPath>): Promise<void> {
    const all = [...this.paths.values()];
    this.turn = (this.turn + 1) % Math.max(1, all.length);
    for (let i = 0; i < all.length && lines.length < this.batchLines; i++) {
      const p = all[(this.turn + i) % all.length] as FollowedPath;
      try {
        if ((await p.read(lines, this.batchLines - lines.length, this.graceMs)) > 0) advanced.add(p);
      } catch (err) {
        // An unreadable file (I/O error, revoked permission) must not stop the others.
        this.log.warn(
          { source: p.source, err },
          `file tail ${this.id}: reading ${p.source} failed; dropping it`,
        );
        await p.close();
      }
    }
    for (const [source, p] of this.paths) if (p.idle) this.paths.delete(source);
  }

  /** Matches the patterns again and reconciles each path with the file now at it. */
  private async rescan(initial: boolean): Promise<void> {
    const { paths, dirs } = await expand(this.patterns);
    const seen = new Set<string>();
    for (const path of paths) {
      const st = await stat(path, { bigint: true }).catch(() => null);
      if (!st?.isFile()) continue;
      seen.add(path);
      const followed = this.paths.get(path) ?? new FollowedPath(path);
      this.paths.set(path, followed);
      const id = fileIdOf(st);
      if (followed.current?.fileId === id) continue;
      try {
        await this.follow(followed, path, initial);
      } catch (err) {
        this.log.warn({ source: path, err }, `file tail ${this.id}: cannot open ${path}`);
      }
      // Writes to a symlink's target show up in the target's directory.
      const real = await realpath(path).catch(() => path);
      if (real !== path) dirs.push(dirname(real));
    }
    for (const [path, followed] of this.paths) {
      if (!seen.has(path) && followed.current) {
        this.log.info({ source: path }, `file tail ${this.id}: ${path} is gone; reading the rest of it`);
        followed.retireCurrent();
      }
    }
    if (!this.stopped && !this.options.usePolling) this.watcher.sync(dirs);
  }

  /** Opens the file now at `path`: a new file, or the successor of a rotated one. */
  private async follow(followed: FollowedPath, path: string, initial: boolean): Promise<void> {
    const onTruncate = (file: TailedFile, reason: string) =>
      this.log.info(
        { source: path, fileId: file.fileId, reason },
        `file tail ${this.id}: ${path} was truncated or rewritten (${reason}); reading it again from the start`,
      );
    if (followed.current || followed.draining.length > 0) {
      followed.rotations++;
      this.log.info(
        { source: path },
        `file tail ${this.id}: ${path} was rotated; finishing the old file, then reading the new one from the start`,
      );
    }
    followed.retireCurrent();
    if (!initial) {
      followed.current = await TailedFile.open(
        path,
        path,
        { offset: 0, line: 0 },
        followed.counters,
        onTruncate,
      );
      return;
    }
    const checkpoint = this.checkpoints.get(path);
    if (!checkpoint) {
      const start = this.options.startAt === 'end' ? 'end' : { offset: 0, line: 0 };
      followed.current = await TailedFile.open(path, path, start, followed.counters, onTruncate);
      return;
    }
    const file = await TailedFile.open(path, path, { offset: 0, line: 0 }, followed.counters, onTruncate);
    const resumeAt = await this.resumePoint(file, checkpoint, followed);
    if (resumeAt.offset === 0 && resumeAt.line === 0) {
      followed.current = file;
      return;
    }
    await file.close();
    followed.current = await TailedFile.open(path, path, resumeAt, followed.counters, onTruncate);
  }

  /** Where to continue `file` given its checkpoint; may queue the rotated predecessor to be read first. */
  private async resumePoint(file: TailedFile, cp: Checkpoint, followed: FollowedPath): Promise<StartAt> {
    const path = cp.source;
    if (file.fileId === cp.fileId) {
      if (file.headHash === cp.headHash && file.fileSize >= cp.offset)
        return { offset: cp.offset, line: cp.line };
      const why =
        file.headHash !== cp.headHash
          ? 'its first line changed'
          : `it is shorter (${file.fileSize}) than the checkpoint offset ${cp.offset}`;
      this.log.info(
        { source: path, checkpoint: cp },
        `file tail ${this.id}: ${path} was rewritten since the checkpoint (${why}); reading it from the start`,
      );
      return { offset: 0, line: 0 };
    }
    const sibling = await findRotatedSibling(path, cp);
    if (sibling) {
      this.log.info(
        { source: path, rotatedTo: sibling },
        `file tail ${this.id}: ${path} was rotated while stopped; reading the rest of ${sibling} first`,
      );
      const old = await TailedFile.open(
        path,
        sibling,
        { offset: cp.offset, line: cp.line },
        followed.counters,
        () => undefined,
      );
      followed.draining.push(old);
      followed.rotations++;
    } else {
      this.log.info(
        { source: path, checkpoint: cp },
        `file tail ${this.id}: ${path} is a different file than the checkpoint's and the old one was not found beside it; reading it from the start`,
      );
    }
    return { offset: 0, line: 0 };
  }

  private schedulePolling(): void {
    if (this.stopped) return;
    const fast = this.options.usePolling || !this.watcher.healthy;
    const ms = fast ? this.pollMs : Math.max(4 * this.pollMs, 1000);
    if (this.pollTimer && this.pollTimerMs === ms) return;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimerMs = ms;
    this.pollTimer = setInterval(() => {
      this.rescanDue = true;
      this.wakeup.notify();
    }, ms);
  }

  private watchFailed(dir: string, err: unknown): void {
    if (!this.watchFailuresLogged.has(dir)) {
      this.watchFailuresLogged.add(dir);
      this.log.warn(
        { dir, err },
        `file tail ${this.id}: cannot watch ${dir}; polling every ${this.pollMs} ms`,
      );
    }
    this.rescanDue = true;
    this.wakeup.notify();
  }
}
