/**
 * Live bus: fans flagged events out to live consumers (WebSocket clients, notifiers).
 *
 * Obligations of an implementation (checked by src/bus/testing/conformance.ts):
 * - `publish` never blocks and never throws: the pipeline calls it after a store commit.
 * - Each subscriber has its own bounded queue: a slow, stuck or throwing subscriber loses its own
 *   oldest messages (counted), never delays or breaks another subscriber or the publisher.
 * - Each subscriber sees messages in publish order (minus the ones dropped for it).
 * - After unsubscribe, or close, a handler is not called with messages published later.
 * Implementations: in-process (embedded and server modes); Redis pub/sub across API nodes (later).
 */
export type Unsubscribe = () => void;

/** A handler may be synchronous or return a promise; its next message waits for the promise to settle. */
export type BusHandler<T> = (message: T) => unknown;

export interface LiveBusStats {
  subscribers: number;
  /** Summed over current subscribers. */
  delivered: number;
  failed: number;
  dropped: number;
}

export interface LiveBus<T> {
  publish(message: T): void;
  subscribe(handler: BusHandler<T>): Unsubscribe;
  stats(): LiveBusStats;
  close(): Promise<void>;
}
