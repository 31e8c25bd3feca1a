import type { LiveBus, Unsubscribe } from './types.js';

/** Embedded-mode bus: synchronous fan-out to handlers in this process; a throwing handler is isolated. */
export class InProcessBus<T> implements LiveBus<T> {
  private readonly handlers = new Set<(m: T) => void>();

  constructor(private readonly onHandlerError: (err: unknown) => void = () => {}) {}

  publish(message: T): void {
    for (const h of this.handlers) {
      try {
        h(message);
      } catch (err) {
        this.onHandlerError(err);
      }
    }
  }

  subscribe(handler: (m: T) => void): Unsubscribe {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
