import { DeliveryQueue, type OverflowPolicy } from './delivery-queue.js';
import type { BusHandler, LiveBus, LiveBusStats, Unsubscribe } from './types.js';

export interface InProcessBusOptions {
  /** Messages that may wait per subscriber while it is busy; the oldest goes first. Default 1024. */
  capacityPerSubscriber?: number;
  overflow?: OverflowPolicy;
}

/**
 * Embedded-mode bus: fan-out to handlers in this process, each behind its own bounded delivery queue.
 * A synchronous handler is called during publish (nothing queued); an async one gets the next message
 * once it settles. A throwing handler is isolated and reported to onHandlerError.
 */
export class InProcessBus<T> implements LiveBus<T> {
  private readonly queues = new Set<DeliveryQueue<T>>();
  private readonly capacity: number;
  private readonly overflow: OverflowPolicy;

  constructor(
    private readonly onHandlerError: (err: unknown) => void = () => {},
    options: InProcessBusOptions = {},
  ) {
    this.capacity = options.capacityPerSubscriber ?? 1024;
    this.overflow = options.overflow ?? 'drop-oldest';
  }

  publish(message: T): void {
    for (const q of this.queues) q.offer(message);
  }

  subscribe(handler: BusHandler<T>): Unsubscribe {
    const queue = new DeliveryQueue<T>(handler, { capacity: this.capacity, overflow: this.overflow, onError: this.onHandlerError });
    this.queues.add(queue);
    return () => {
      if (this.queues.delete(queue)) queue.close();
    };
  }

  stats(): LiveBusStats {
    const s: LiveBusStats = { subscribers: this.queues.size, delivered: 0, failed: 0, dropped: 0 };
    for (const q of this.queues) {
      const { delivered, failed, dropped } = q.stats;
      s.delivered += delivered;
      s.failed += failed;
      s.dropped += dropped;
    }
    return s;
  }

  async close(): Promise<void> {
    for (const q of this.queues) q.close();
    this.queues.clear();
  }
}
