/** A one-slot signal: notify() wakes the current wait(), or the next one if nobody is waiting. */
export class Wakeup {
  private pending = false;
  private release: (() => void) | null = null;

  notify(): void {
    if (this.release) this.release();
    else this.pending = true;
  }

  /** Resolves on notify() or after `ms` (never, when null). */
  wait(ms: number | null): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = ms === null ? null : setTimeout(() => done(), ms);
      const done = () => {
        if (timer) clearTimeout(timer);
        this.release = null;
        resolve();
      };
      this.release = done;
    });
  }
}
