/** Min-heap of live sessions keyed by their next hit's time, so concurrent visits interleave in time order. */
import type { Hit, Session } from './types.js';

export interface QueuedSession {
  hit: Hit;
  readonly session: Session;
  /** Creation order: breaks ties so equal times always come out the same way. */
  readonly order: number;
}

function before(a: QueuedSession, b: QueuedSession): boolean {
  return a.hit.time < b.hit.time || (a.hit.time === b.hit.time && a.order < b.order);
}

export class SessionQueue {
  private readonly heap: QueuedSession[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): QueuedSession | undefined {
    return this.heap[0];
  }

  push(entry: QueuedSession): void {
    const heap = this.heap;
    let i = heap.push(entry) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent] as QueuedSession)) break;
      heap[i] = heap[parent] as QueuedSession;
      i = parent;
    }
    heap[i] = entry;
  }

  /** Removes the earliest session. */
  pop(): void {
    const last = this.heap.pop();
    if (last !== undefined && this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown();
    }
  }

  /** Call after changing the earliest session's `hit` to a later one. */
  siftDown(): void {
    const heap = this.heap;
    const n = heap.length;
    const entry = heap[0] as QueuedSession;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child =
        right < n && before(heap[right] as QueuedSession, heap[left] as QueuedSession) ? right : left;
      if (!before(heap[child] as QueuedSession, entry)) break;
      heap[i] = heap[child] as QueuedSession;
      i = child;
    }
    heap[i] = entry;
  }
}
