/**
 * The hits site knowledge holds back, oldest first, and (once `track()` is called: serve, not a replay) what
 * changed since the last `take()`, so the store can keep the held hits with the batch that held them and a
 * kill -9 does not lose them (restored with `restore()` at start).
 */
import type { ThreatEvent } from '../../core/index.js';

/** What the store must add to and remove from its held hits, with the batch that caused it. */
export interface HeldChanges {
  /** Threats newly held back. */
  hold: ThreatEvent[];
  /** Event ids of threats held earlier and judged since (reported late or dropped as content). */
  settle: string[];
}

export class HeldHits {
  private queue: ThreatEvent[] = [];
  private head = 0;
  private tracking = false;
  /** Held since the last take and still held: a hit held and judged within one batch never reaches the store. */
  private readonly added = new Map<string, ThreatEvent>();
  private settled: string[] = [];

  get size(): number {
    return this.queue.length - this.head;
  }

  /** The oldest held hit, without taking it. */
  peek(): ThreatEvent | undefined {
    return this.queue[this.head];
  }

  push(t: ThreatEvent): void {
    this.queue.push(t);
    if (this.tracking) this.added.set(t.event.id, t);
  }

  /** Takes the oldest held hit, to be judged: it is settled whatever the verdict. */
  shift(): ThreatEvent | undefined {
    if (this.head >= this.queue.length) return undefined;
    const t = this.queue[this.head++]!;
    if (this.tracking && !this.added.delete(t.event.id)) this.settled.push(t.event.id);
    this.compact();
    return t;
  }

  /** From now on, changes are recorded for `take()` (nothing records them otherwise, so a replay costs nothing). */
  track(): void {
    this.tracking = true;
  }

  /** Changes since the last call, or null when there are none. */
  take(): HeldChanges | null {
    if (this.added.size === 0 && this.settled.length === 0) return null;
    const out: HeldChanges = { hold: [...this.added.values()], settle: this.settled };
    this.added.clear();
    this.settled = [];
    return out;
  }

  /**
   * Hits held before a restart (already stored: not recorded as changes), ahead of any held since, oldest first.
   * Each is checked again, as it comes from a store: one that is not a threat's shape is skipped.
   */
  restore(threats: readonly unknown[]): number {
    const valid = threats.filter(isHeldThreat).sort((a, b) => a.event.time - b.event.time);
    this.queue = [...valid, ...this.queue.slice(this.head)];
    this.head = 0;
    return valid.length;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    } else if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
  }
}

function isHeldThreat(v: unknown): v is ThreatEvent {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Partial<ThreatEvent>;
  const e = t.event;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.id === 'string' &&
    typeof e.ip === 'string' &&
    typeof e.path === 'string' &&
    typeof e.status === 'number' &&
    Number.isFinite(e.time) &&
    Array.isArray(t.detections) &&
    t.detections.length > 0 &&
    t.detections.every((d) => typeof d === 'object' && d !== null && typeof d.ruleId === 'string') &&
    typeof t.score === 'number' &&
    typeof t.severity === 'string' &&
    typeof t.category === 'string'
  );
}
