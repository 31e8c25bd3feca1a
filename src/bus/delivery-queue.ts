/**
 * A bounded, ordered delivery queue in front of one consumer (a live-bus subscriber, a pipeline sink),
 * so that a slow, stuck or failing consumer costs only its own queue: the producer never waits and
 * never sees its errors.
 *
 * Items go to the consumer one at a time, in order. A consumer that returns synchronously is called at
 * once (no queue, no allocation); one that returns a promise gets the next item after it settles. When
 * `capacity` items wait, `drop-oldest` discards the oldest waiting item, `drop-new` the one offered;
 * either way `dropped` counts it. A throw or a rejection counts as `failed` and goes to `onError`.
 */
export type OverflowPolicy = 'drop-oldest' | 'drop-new';

export interface DeliveryQueueOptions {
  /** Items that may wait while the consumer is busy (at least 1). */
  capacity: number;
  overflow: OverflowPolicy;
  onError?: (err: unknown) => void;
}

export interface DeliveryStats {
  delivered: number;
  failed: number;
  dropped: number;
  /** Waiting now (not counting the one being delivered). */
  queued: number;
}

export class DeliveryQueue<T> {
  private items: T[] = [];
  private head = 0;
  private busy = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly counts = { delivered: 0, failed: 0, dropped: 0 };

  constructor(
    private readonly deliver: (item: T) => unknown,
    private readonly options: DeliveryQueueOptions,
  ) {
    if (!Number.isInteger(options.capacity) || options.capacity < 1) {
      throw new RangeError(`delivery queue capacity must be a whole number of at least 1, got ${options.capacity}`);
    }
  }

  get stats(): DeliveryStats {
    return { ...this.counts, queued: this.items.length - this.head };
  }

  /** Never throws, never waits. Returns false when an item was dropped to make room (or this one was). */
  offer(item: T): boolean {
    if (this.closed) {
      this.counts.dropped++;
      return false;
    }
    let kept = true;
    if (this.items.length - this.head >= this.options.capacity) {
      this.counts.dropped++;
      kept = false;
      if (this.options.overflow === 'drop-new') return false;
      this.items[this.head++] = undefined as T;
    }
    // A stuck consumer keeps `busy` set, so the array is compacted here rather than only in pump().
    if (this.head >= 64 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.items.push(item);
    if (!this.busy) this.pump();
    return kept;
  }

  /** Resolves when nothing waits and nothing is being delivered (a stuck consumer never resolves it). */
  idle(): Promise<void> {
    if (!this.busy && this.head === this.items.length) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops what waits (counted) and refuses further items; a delivery in progress is left to finish. */
  close(): void {
    this.closed = true;
    this.counts.dropped += this.items.length - this.head;
    this.items = [];
    this.head = 0;
    if (!this.busy) this.wakeIdle();
  }

  private pump(): void {
    this.busy = true;
    while (this.head < this.items.length) {
      const item = this.items[this.head] as T;
      this.items[this.head++] = undefined as T; // let it be collected
      let result: unknown;
      try {
        result = this.deliver(item);
      } catch (err) {
        this.fail(err);
        continue;
      }
      if (isThenable(result)) {
        result.then(
          () => {
            this.counts.delivered++;
            this.pump();
          },
          (err: unknown) => {
            this.fail(err);
            this.pump();
          },
        );
        return;
      }
      this.counts.delivered++;
    }
    // Compact: the array only grows while busy.
    this.items = [];
    this.head = 0;
    this.busy = false;
    this.wakeIdle();
  }

  private fail(err: unknown): void {
    this.counts.failed++;
    try {
      this.options.onError?.(err);
    } catch {
      // An error reporter that throws must not stop delivery.
    }
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}
