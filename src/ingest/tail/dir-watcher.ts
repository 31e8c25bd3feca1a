/**
 * fs.watch on directories (not files: a watch on a file follows its inode and goes deaf after a
 * rename-and-create rotation). Watching is an accelerator only; a failed watch just reports itself so
 * the source polls at full rate.
 */
import { watch, type FSWatcher } from 'node:fs';

export type WatchEvent = 'rename' | 'change';

export class DirWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private failures = 0;

  constructor(
    private readonly onEvent: (event: WatchEvent) => void,
    private readonly onFailure: (dir: string, err: unknown) => void,
  ) {}

  /** True when every wanted directory is watched. */
  get healthy(): boolean {
    return this.failures === 0;
  }

  /** Watches exactly `dirs`: starts missing watches, closes ones no longer wanted. */
  sync(dirs: Iterable<string>): void {
    const wanted = new Set(dirs);
    for (const [dir, w] of this.watchers) {
      if (!wanted.has(dir)) {
        w.close();
        this.watchers.delete(dir);
      }
    }
    this.failures = 0;
    for (const dir of wanted) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, (event) =>
          this.onEvent(event === 'change' ? 'change' : 'rename'),
        );
        w.on('error', (err) => {
          // The directory went away or the watch broke: forget it, the next sync retries.
          w.close();
          this.watchers.delete(dir);
          this.onFailure(dir, err);
        });
        this.watchers.set(dir, w);
      } catch (err) {
        this.failures++;
        this.onFailure(dir, err);
      }
    }
  }

  close(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}
