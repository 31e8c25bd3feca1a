/**
 * Live bus: fans flagged events out to live consumers (WebSocket clients, notifiers).
 * Obligations: publish never blocks the pipeline; a slow or failing subscriber never affects others.
 * Implementations: in-process (embedded mode); Redis pub/sub across API nodes (server mode).
 */
export type Unsubscribe = () => void;

export interface LiveBus<T> {
  publish(message: T): void;
  subscribe(handler: (message: T) => void): Unsubscribe;
  close(): Promise<void>;
}
