/**
 * The resume buffer: the last messages sent, bounded by count and by age, so a client that reconnects
 * with the id of the last message it saw gets what it missed, or learns that it is too late.
 * Sequence numbers are consecutive, so finding a message is arithmetic, not a search.
 */
import type { MatchableAlert } from './filter.js';

import type { LiveMessage } from './message.js';

/** An alert as clients get it, built the first time a client wants it (AlertHub.built). */
export interface BuiltAlert {
  alert: MatchableAlert;
  /** The envelope as sent. */
  text: string;
  bytes: number;
}

/** One alert held for resume: what came from the bus until it is built, then only what was built. */
export interface RingEntry {
  seq: number;
  at: number;
  message: LiveMessage | null;
  built: BuiltAlert | null;
}

export class ResumeRing {
  private readonly slots: (RingEntry | undefined)[];
  private start = 0;
  private count = 0;

  constructor(
    readonly capacity: number,
    private readonly maxAgeMs: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`resume buffer must hold at least 1 message, got ${capacity}`);
    this.slots = new Array<RingEntry | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(e: RingEntry): void {
    if (this.count === this.capacity) {
      this.slots[this.start] = undefined;
      this.start = (this.start + 1) % this.capacity;
      this.count--;
    }
    this.slots[(this.start + this.count) % this.capacity] = e;
    this.count++;
  }

  /** Drops what is older than the age bound. */
  expire(now: number): void {
    while (this.count > 0 && this.slots[this.start]!.at < now - this.maxAgeMs) {
      this.slots[this.start] = undefined;
      this.start = (this.start + 1) % this.capacity;
      this.count--;
    }
  }

  oldest(): RingEntry | undefined {
    return this.count > 0 ? this.slots[this.start] : undefined;
  }

  /**
   * The messages after `seq`, or null when some of them are no longer held (the client missed more than
   * the buffer keeps). `lastSeq` is the newest sequence number handed out.
   */
  after(seq: number, lastSeq: number, now: number): RingEntry[] | null {
    this.expire(now);
    if (seq > lastSeq || seq < 0) return null;
    if (seq === lastSeq) return [];
    const first = this.oldest();
    if (!first || first.seq > seq + 1) return null;
    const out: RingEntry[] = [];
    for (let i = seq + 1 - first.seq; i < this.count; i++) out.push(this.slots[(this.start + i) % this.capacity]!);
    return out;
  }
}
