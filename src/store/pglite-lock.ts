/**
 * The lock in front of PGlite's one connection (pglite-worker-client.ts), read-first and bounded both ways.
 *
 * With a plain FIFO lock an API read waited for a write transaction at every one of its statements: a list of
 * threats is four queries (count, page, hits, reputation), and during a catch-up the pipeline queues its next
 * write transaction the moment the previous one commits, before the read's next query is sent. 40,000 lines
 * with `/api/threats?limit=500` every 25 ms: the API p50 went 457 -> 2,987 ms once PGlite ran in a worker.
 *
 * Order here:
 * - Reads (single statements outside a transaction) waiting when the holder lets go run before a waiting
 *   write (a transaction, a script, close): a read waits for at most the one write in progress.
 * - A read that ends with a write waiting hands over one event-loop turn later, not at once: a query the
 *   same caller sends on the read's answer (the next statement of a multi-statement read) is queued by then
 *   and runs in the same read phase instead of behind the write.
 * - Reads go ahead of a waiting write only for `readPhaseMs` after that write started waiting (or after the
 *   previous write ended): under a continuous read load a write waits that long plus the read in progress,
 *   so ingest always progresses. Reads never wait for more than the write in progress plus this phase.
 * Within each kind, first come first served.
 */

export type LockKind = 'read' | 'write';

export interface ReadFirstLockOptions {
  /** How long reads may go ahead of a waiting write (default DEFAULT_READ_PHASE_MS). */
  readPhaseMs?: number;
  /** Clock, ms (tests step it). */
  now?: () => number;
  /** Runs the hand-over after a read one turn later (tests may replace it). */
  defer?: (fn: () => void) => void;
}

/**
 * A read phase ahead of a waiting write: under continuous API reads a catch-up pays at most this (plus one read)
 * per write transaction; a 5,000-line batch's statements took 150-760 ms at load 9 (docs/reliability.md). Not tuned.
 */
export const DEFAULT_READ_PHASE_MS = 250;

export class ReadFirstLock {
  private held = false;
  private handing = false;
  private readonly reads: (() => void)[] = [];
  private readonly writes: (() => void)[] = [];
  /** Since when the first waiting write has waited (or the last write ended, whichever is later). */
  private writeWaitingSince = 0;
  private readonly readPhaseMs: number;
  private readonly now: () => number;
  private readonly defer: (fn: () => void) => void;

  constructor(opts: ReadFirstLockOptions = {}) {
    this.readPhaseMs = opts.readPhaseMs ?? DEFAULT_READ_PHASE_MS;
    this.now = opts.now ?? (() => performance.now());
    this.defer = opts.defer ?? ((fn) => void setImmediate(fn));
  }

  /** Runs fn alone on the connection, once the order above lets it. */
  run<T>(kind: LockKind, fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.held = true;
        let out: Promise<T>;
        try {
          out = fn();
        } catch (err) {
          out = Promise.reject(err);
        }
        // Let go before the caller hears back: what it sends next queues behind what was already waiting.
        out.then(
          (value) => {
            this.release(kind);
            resolve(value);
          },
          (err: unknown) => {
            this.release(kind);
            reject(err);
          },
        );
      };
      if (!this.held && !this.handing && this.reads.length === 0 && this.writes.length === 0) {
        start();
        return;
      }
      if (kind === 'read') this.reads.push(start);
      else {
        if (this.writes.length === 0) this.writeWaitingSince = this.now();
        this.writes.push(start);
      }
    });
  }

  private release(kind: LockKind): void {
    this.held = false;
    if (kind === 'write') this.writeWaitingSince = this.now();
    if (kind === 'read' && this.reads.length === 0 && this.writes.length > 0) {
      this.handing = true;
      this.defer(() => {
        this.handing = false;
        this.next();
      });
      return;
    }
    this.next();
  }

  private next(): void {
    if (this.held) return;
    const readsMayGo = this.writes.length === 0 || this.now() - this.writeWaitingSince < this.readPhaseMs;
    const start = readsMayGo && this.reads.length > 0 ? this.reads.shift() : (this.writes.shift() ?? this.reads.shift());
    start?.();
  }
}
