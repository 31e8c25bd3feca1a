/**
 * FileTailSource: follows every file matching a set of paths and globs, across rotations
 * (rename-and-create, copytruncate, symlink repointing) and restarts (checkpoints), and yields their
 * lines in batches when the pipeline pulls.
 *
 * Nothing between a checkpoint and the live file is skipped: after a rotation (live or while stopped) the
 * rotated files are found by identity (rotation-chain.ts) and read in order, the checkpointed one from its
 * offset, compressed ones too; after copytruncate the copy's unread part is read before the new content.
 * What really cannot be found is counted (lostBytes, losses), logged at warn, and carried to the pipeline
 * metrics with the next batch.
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
import { CompressedFile } from './compressed-file.js';
import type { LineReader } from './line-reader.js';
import { findChain, type RotatedFile } from './rotation-chain.js';
import { TailedFile, type Rewrite, type StartAt } from './tailed-file.js';
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
  /**
   * A partial batch is yielded this long after its first line, default 25 ms: it bounds what a live line waits
   * before detection (100 ms made it most of the append-to-alert time: p99 177 ms against 76 ms with 25 ms, 1,000
   * lines/s, docs/benchmarks.md); a catch-up fills whole batches and never waits.
   */
  batchWaitMs?: number;
  logger?: TailLogger;
  /** Poll only (network filesystems, containers where inotify is unreliable). */
  usePolling?: boolean;
  /** A rotated-away file that is drained is closed after it has not grown for this long, default 2 s. */
  drainGraceMs?: number;
  /**
   * Globs naming rotated files that do not start with the log's name (logrotate `olddir`, `dateformat`
   * before the extension). Names like `access.log.1`, `access.log-20240102`, `.2.gz` are found without.
   */
  rotationGlobs?: string[];
  /**
   * Called once, when the files are open at their starting positions: a line appended from then on is read.
   * Readiness waits for it, or with `startAt: 'end'` a line written between "ready" and the open would be skipped.
   */
  onOpen?: () => void;
}

const noopLogger: TailLogger = { info: () => undefined, warn: () => undefined };

/** What queueChain did: the file holding the position (null: not found), readers queued, unreadable rotations. */
interface QueuedChain {
  found: RotatedFile | null;
  queued: number;
  unreadable: RotatedFile[];
}

/** Rotations named in a loss warning when the content was not found: they may hold it. */
const MAX_NAMED_UNREADABLE = 3;

/** `; access.log.1.xz may hold it (compressed with xz, which cannot be read)`, or nothing. */
function unreadableNote(chain: QueuedChain | null): string {
  const files = chain?.unreadable ?? [];
  if (files.length === 0) return '';
  const named = files
    .slice(-MAX_NAMED_UNREADABLE)
    .map((f) => `${f.path} (${f.unreadable ?? '?'})`)
    .join(', ');
  const more = files.length > MAX_NAMED_UNREADABLE ? ` and ${files.length - MAX_NAMED_UNREADABLE} more` : '';
  return `; ${named}${more} may hold it, compressed in a format that cannot be read (only gzip can)`;
}

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
  /** Losses not yet reported in a batch. */
  private unreported = { bytes: 0, count: 0 };

  constructor(private readonly options: FileTailSourceOptions) {
    this.id = options.id;
    this.patterns = compilePatterns(options.patterns);
    this.checkpoints = new Map((options.checkpoints ?? []).map((c) => [c.source, c]));
    this.log = options.logger ?? noopLogger;
    this.pollMs = options.pollIntervalMs ?? 250;
    this.batchLines = options.batchLines ?? 5000;
    this.batchWaitMs = options.batchWaitMs ?? 25;
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
      this.options.onOpen?.();
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
      if (lines.length === 0 && this.unreported.count === 0) {
        await this.wakeup.wait(null);
        continue;
      }
      firstLineAt ||= Date.now();
      const left = this.batchWaitMs - (Date.now() - firstLineAt);
      if (left <= 0) break;
      await this.wakeup.wait(left);
    }
    if (lines.length === 0 && this.unreported.count === 0) return null;
    const checkpoints: Checkpoint[] = [];
    for (const p of advanced) {
      const c = p.checkpoint();
      if (c) checkpoints.push(c);
    }
    const batch: SourceBatch = { sourceId: this.id, lines, checkpoints };
    if (this.unreported.count > 0) {
      batch.lost = { ...this.unreported };
      this.unreported = { bytes: 0, count: 0 };
    }
    return batch;
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
    // A configured path stays known while absent: when a file appears there again, the walk from the
    // last file seen finds any rotated in between. Glob matches that are gone are forgotten.
    for (const [source, p] of this.paths)
      if (p.idle && !this.isConfiguredPath(source)) this.paths.delete(source);
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
    if (initial) await this.resumeMissing(seen);
    for (const [path, followed] of this.paths) {
      if (seen.has(path)) continue;
      if (followed.current) {
        this.log.info({ source: path }, `file tail ${this.id}: ${path} is gone; reading the rest of it`);
        followed.retireCurrent();
      }
      // While no file is at the path, a file created there and rotated away before we looked would be
      // skipped: look for files newer than the last one seen (a directory listing, a few first lines).
      const last = followed.newest();
      if (last) await this.tryQueueChain(followed, last, null, 'between');
    }
    if (!this.stopped && !this.options.usePolling) this.watcher.sync(dirs);
  }

  /**
   * A checkpointed path with no file at start (rotated away, the new file not created yet): its
   * rotated files are read now, from the checkpoint on, rather than skipped when the new file appears.
   */
  private async resumeMissing(seen: Set<string>): Promise<void> {
    for (const [path, checkpoint] of this.checkpoints) {
      if (seen.has(path) || !this.patterns.some((p) => (p.isGlob ? p.match(path) : p.pattern === path)))
        continue;
      this.checkpoints.delete(path);
      const followed = new FollowedPath(path);
      const chain = await this.tryQueueChain(followed, checkpoint, null, 'resume');
      if (chain?.found) this.paths.set(path, followed);
      else if (this.isConfiguredPath(path))
        this.recordLoss(
          followed,
          null,
          `file tail ${this.id}: ${path} is missing and no rotated file holds its checkpointed content${unreadableNote(chain)}; anything written to it after byte ${checkpoint.offset} cannot be recovered`,
        );
    }
  }

  private isConfiguredPath(path: string): boolean {
    return this.patterns.some((p) => !p.isGlob && p.pattern === path);
  }

  /** Opens the file now at `path`: a new file, or the successor of a rotated one. */
  private async follow(followed: FollowedPath, path: string, initial: boolean): Promise<void> {
    const onRewrite = (file: TailedFile, rewrite: Rewrite) => this.rewritten(followed, file, rewrite);
    const previous = followed.newest();
    if (followed.current || followed.draining.length > 0) {
      followed.rotations++;
      this.log.info(
        { source: path },
        `file tail ${this.id}: ${path} was rotated; finishing the old file, then reading the new one from the start`,
      );
    }
    followed.retireCurrent();
    // A checkpoint applies to the first file followed at its path, at start or later (see resumeMissing).
    const checkpoint = this.checkpoints.get(path);
    this.checkpoints.delete(path);
    if (!checkpoint) {
      const start = initial && this.options.startAt === 'end' ? 'end' : { offset: 0, line: 0 };
      const file = await TailedFile.open(path, path, start, followed.counters, onRewrite);
      // Rotated twice between two looks: the files between the old one (still open) and this one.
      if (previous) await this.tryQueueChain(followed, previous, file.fileId, 'between');
      followed.current = file;
      return;
    }
    const file = await TailedFile.open(path, path, { offset: 0, line: 0 }, followed.counters, onRewrite);
    if (
      file.fileId === checkpoint.fileId &&
      file.headHash === checkpoint.headHash &&
      file.fileSize >= checkpoint.offset
    ) {
      await file.close();
      const at = { offset: checkpoint.offset, line: checkpoint.line };
      followed.current = await TailedFile.open(path, path, at, followed.counters, onRewrite);
      return;
    }
    // Rotated, copytruncated or rewritten while stopped: read what is left from the checkpoint on first.
    const chain = await this.tryQueueChain(followed, checkpoint, file.fileId, 'resume');
    if (!chain?.found) {
      const what =
        file.fileId !== checkpoint.fileId
          ? `is a different file than the checkpoint's (${checkpoint.fileId})`
          : file.headHash !== checkpoint.headHash
            ? 'was rewritten since the checkpoint (its first line changed)'
            : `was truncated since the checkpoint (${file.fileSize} bytes, below the checkpoint offset ${checkpoint.offset})`;
      this.recordLoss(
        followed,
        null,
        `file tail ${this.id}: ${path} ${what} and no rotated file holds the checkpointed content${unreadableNote(chain)}; anything written to it after byte ${checkpoint.offset} cannot be recovered; reading ${path} from the start`,
      );
    }
    followed.current = file;
  }

  /**
   * Queues, after the files already draining, the rotated files from `from` to the live file: with
   * 'resume' the one holding `from` (read from its offset) and every newer one; with 'between' only the
   * newer ones (the old file is still open). `found` is null when the file holding `from` was not found
   * (`unreadable` then lists rotations that may hold it but cannot be read). Newer rotations that cannot
   * be read are counted as losses, each once.
   * `copies`: the files are copies that will not grow (copytruncate), closed as soon as they are read.
   */
  private async queueChain(
    followed: FollowedPath,
    from: Checkpoint,
    liveFileId: string | null,
    mode: 'resume' | 'between',
    copies = false,
  ): Promise<QueuedChain> {
    const path = followed.source;
    // A rotation running while we look (logrotate shifting .1 to .2) can move a file between the
    // listing and the open: look again.
    for (let attempt = 1; ; attempt++) {
      const chain = await findChain({ path, globs: this.options.rotationGlobs, liveFileId }, from);
      if (!chain.found) return { found: null, queued: 0, unreadable: chain.unreadable };
      const files = mode === 'resume' ? [chain.found, ...chain.newer] : chain.newer;
      const readers: LineReader[] = [];
      try {
        for (const f of files) {
          const start = f === chain.found ? { offset: from.offset, line: from.line } : { offset: 0, line: 0 };
          if (f === chain.found && !f.compressed && f.size === from.offset) continue; // nothing unread
          readers.push(await this.openRotated(followed, f, start));
        }
      } catch (err) {
        await Promise.all(readers.map((r) => r.close()));
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && attempt < 3) continue;
        throw err;
      }
      for (const reader of readers) {
        if (copies) reader.lastGrowthAt = 0;
        followed.queueRotated(reader);
        if (!copies) followed.rotations++;
        const start = reader.checkpoint().offset;
        this.log.info(
          { source: path, rotated: reader.path, from: start },
          copies
            ? `file tail ${this.id}: ${path} was truncated; reading the rest of it from its copy ${reader.path} from byte ${start}, then the file again from the start`
            : `file tail ${this.id}: ${path} was rotated${mode === 'resume' ? ' while stopped' : ''}; reading the rest of ${reader.path} from byte ${start} before the live file`,
        );
      }
      for (const f of chain.unreadable) {
        if (!followed.firstReportOfUnreadable(f.fileId)) continue;
        this.recordLoss(
          followed,
          null,
          `file tail ${this.id}: ${path} was rotated to ${f.path}, compressed with ${f.unreadable ?? '?'}, which cannot be read (only gzip can); its lines are lost`,
        );
      }
      return { found: chain.found, queued: readers.length, unreadable: chain.unreadable };
    }
  }

  /** queueChain, with a failure (a rotated file unreadable) logged and taken as not found (null). */
  private tryQueueChain(...args: Parameters<FileTailSource['queueChain']>): Promise<QueuedChain | null> {
    return this.queueChain(...args).catch((err: unknown) => {
      this.log.warn(
        { source: args[0].source, err },
        `file tail ${this.id}: cannot open the rotated files of ${args[0].source}`,
      );
      return null;
    });
  }

  private async openRotated(followed: FollowedPath, f: RotatedFile, start: StartAt): Promise<LineReader> {
    const source = followed.source;
    if (f.compressed) {
      return new CompressedFile(
        source,
        f.path,
        f.fileId,
        f.head.hash,
        start,
        followed.counters,
        (bytes, why) =>
          this.recordLoss(followed, bytes, `file tail ${this.id}: ${why}; lines of ${source} may be missing`),
      );
    }
    // A rotated file is only read to its end: a rewrite of it has no copy to look for.
    return TailedFile.open(source, f.path, start, followed.counters, (file, r) =>
      this.rewritten(followed, file, r),
    );
  }

  /**
   * The current file of `followed` was truncated or rewritten (copytruncate): read the rest of the old
   * content from its copy, and count what no copy holds. True when the copy was queued.
   */
  private async rewritten(followed: FollowedPath, file: TailedFile, r: Rewrite): Promise<boolean> {
    const path = followed.source;
    const unread = Math.max(0, r.knownSize - r.consumed.offset);
    const chain =
      file === followed.current
        ? await this.tryQueueChain(followed, r.consumed, file.fileId, 'resume', true)
        : null;
    if (!chain?.found) {
      if (unread > 0)
        this.recordLoss(
          followed,
          unread,
          `file tail ${this.id}: ${file.path} was truncated or rewritten (${r.reason}) with ${unread} bytes unread after byte ${r.consumed.offset}, and no rotated copy holds them${unreadableNote(chain)}`,
        );
      else
        this.log.info(
          { source: path, reason: r.reason },
          `file tail ${this.id}: ${file.path} was truncated or rewritten (${r.reason}) after everything in it was read; reading it again from the start`,
        );
      return false;
    }
    // Written after the copy was taken and before the truncation: no file holds these bytes.
    const copy = chain.found;
    const copySize = copy.compressed && r.knownSize >= 2 ** 32 ? r.knownSize : copy.size;
    if (r.knownSize > copySize)
      this.recordLoss(
        followed,
        r.knownSize - copySize,
        `file tail ${this.id}: ${path} held ${r.knownSize} bytes but its copy ${copy.path} only ${copySize}; the ${r.knownSize - copySize} bytes written between the copy and the truncation cannot be recovered`,
      );
    return chain.queued > 0;
  }

  private recordLoss(followed: FollowedPath, bytes: number | null, message: string): void {
    followed.counters.losses++;
    followed.counters.lostBytes += bytes ?? 0;
    this.unreported.count++;
    this.unreported.bytes += bytes ?? 0;
    this.log.warn({ source: followed.source, lostBytes: bytes }, message);
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
