/**
 * The live bus across API processes: Redis pub/sub. Each process delivers its own messages to its own
 * subscribers directly (as the in-process bus does) and publishes them on the channel; what arrives
 * from the channel is delivered unless this process published it, so every subscriber of every process
 * sees each message exactly once, and local delivery does not depend on Redis.
 *
 * Publishing never waits and never grows memory: with Redis unreachable (ioredis's offline queue is off)
 * or more than `maxInFlight` publishes unanswered, a message is not sent to the other processes and is
 * counted. ioredis reconnects by itself (and resubscribes); the loss and the return are logged once each.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { DeliveryQueue, type OverflowPolicy } from './delivery-queue.js';
import type { BusHandler, LiveBus, LiveBusStats, Unsubscribe } from './types.js';

export interface RedisBusLog {
  warn(message: string): void;
  info(message: string): void;
}

export interface RedisBusOptions {
  url: string;
  /** The pub/sub channel; every process of one deployment uses the same. Default `rampart:live`. */
  channel?: string;
  /** Messages that may wait per subscriber while it is busy. Default 1024. */
  capacityPerSubscriber?: number;
  overflow?: OverflowPolicy;
  /** Publishes awaiting Redis's answer beyond which further ones are not sent (counted). Default 10,000. */
  maxInFlight?: number;
  log?: RedisBusLog;
  onHandlerError?: (err: unknown) => void;
}

export interface RedisBusStats extends LiveBusStats {
  /** Messages sent to the channel, and those not sent (Redis down, or too many unanswered). */
  published: number;
  notPublished: number;
  /** Messages from other processes delivered here. */
  received: number;
  /** Both connections up and subscribed. */
  connected: boolean;
}

export const DEFAULT_LIVE_CHANNEL = 'rampart:live';
const MAX_MESSAGE = 4 << 20;

export class RedisBus<T> implements LiveBus<T> {
  private readonly queues = new Set<DeliveryQueue<T>>();
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly origin = randomBytes(8).toString('hex');
  private readonly channel: string;
  private readonly capacity: number;
  private readonly overflow: OverflowPolicy;
  private readonly maxInFlight: number;
  private readonly log: RedisBusLog;
  private inFlight = 0;
  private closed = false;
  private subscribed = false;
  private down = false;
  private readonly counts = { published: 0, notPublished: 0, received: 0 };
  private readonly readyPromise: Promise<void>;

  constructor(private readonly options: RedisBusOptions) {
    this.channel = options.channel ?? DEFAULT_LIVE_CHANNEL;
    this.capacity = options.capacityPerSubscriber ?? 1024;
    this.overflow = options.overflow ?? 'drop-oldest';
    this.maxInFlight = options.maxInFlight ?? 10_000;
    this.log = options.log ?? { warn: () => {}, info: () => {} };
    const common = {
      // Reconnect forever, backing off to 5 s: the API keeps serving local alerts meanwhile.
      retryStrategy: (times: number) => Math.min(100 * times, 5_000),
      maxRetriesPerRequest: null,
      connectTimeout: 5_000,
    };
    this.pub = new Redis(options.url, { ...common, enableOfflineQueue: false, connectionName: 'rampart-live-pub' });
    this.sub = new Redis(options.url, { ...common, connectionName: 'rampart-live-sub' });
    for (const conn of [this.pub, this.sub]) {
      conn.on('error', (err: Error) => this.lost(err.message));
      conn.on('close', () => this.lost('connection closed'));
    }
    this.pub.on('ready', () => this.maybeBack());
    this.sub.on('ready', () => this.maybeBack());
    this.sub.on('messageBuffer', (_channel: Buffer, message: Buffer) => this.onRemote(message));
    const subscribed = this.sub.subscribe(this.channel).then(() => {
      this.subscribed = true;
    });
    const publisherReady = new Promise<void>((resolve) => this.pub.once('ready', () => resolve()));
    this.readyPromise = Promise.all([subscribed, publisherReady]).then(() => {});
    // The first subscribe fails only when the bus closes before Redis answered.
    this.readyPromise.catch(() => {});
  }

  /**
   * Resolves once subscribed and able to publish (tests and start-up; publishing does not wait for it:
   * what is published before goes to this process's subscribers only, counted as not published).
   */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  publish(message: T): void {
    if (this.closed) return;
    for (const q of this.queues) q.offer(message);
    if (this.pub.status !== 'ready' || this.inFlight >= this.maxInFlight) {
      this.counts.notPublished++;
      return;
    }
    let text: string;
    try {
      text = JSON.stringify({ o: this.origin, m: message });
    } catch {
      this.counts.notPublished++;
      return;
    }
    this.inFlight++;
    this.pub.publish(this.channel, text).then(
      () => {
        this.inFlight--;
        this.counts.published++;
      },
      () => {
        this.inFlight--;
        this.counts.notPublished++;
      },
    );
  }

  subscribe(handler: BusHandler<T>): Unsubscribe {
    const queue = new DeliveryQueue<T>(handler, { capacity: this.capacity, overflow: this.overflow, onError: this.options.onHandlerError ?? (() => {}) });
    this.queues.add(queue);
    return () => {
      if (this.queues.delete(queue)) queue.close();
    };
  }

  stats(): RedisBusStats {
    const s: RedisBusStats = {
      subscribers: this.queues.size,
      delivered: 0,
      failed: 0,
      dropped: 0,
      ...this.counts,
      connected: this.pub.status === 'ready' && this.sub.status === 'ready' && this.subscribed,
    };
    for (const q of this.queues) {
      const { delivered, failed, dropped } = q.stats;
      s.delivered += delivered;
      s.failed += failed;
      s.dropped += dropped;
    }
    return s;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const q of this.queues) q.close();
    this.queues.clear();
    // disconnect, not quit: quit would wait for an unreachable server.
    this.pub.disconnect();
    this.sub.disconnect();
  }

  private onRemote(raw: Buffer): void {
    if (this.closed || raw.length > MAX_MESSAGE) return;
    let parsed: { o?: unknown; m?: unknown };
    try {
      parsed = JSON.parse(raw.toString('utf8')) as { o?: unknown; m?: unknown };
    } catch {
      return;
    }
    // Our own messages were delivered here when published.
    if (parsed.o === this.origin || parsed.m === undefined) return;
    this.counts.received++;
    for (const q of this.queues) q.offer(parsed.m as T);
  }

  private lost(why: string): void {
    if (this.closed || this.down) return;
    this.down = true;
    this.log.warn(`live bus: Redis connection lost (${why}); this process's alerts still reach its own clients, other processes' do not until it reconnects (retrying)`);
  }

  private maybeBack(): void {
    if (this.closed || !this.down) return;
    if (this.pub.status === 'ready' && this.sub.status === 'ready') {
      this.down = false;
      this.log.info('live bus: Redis reconnected; alerts from other processes flow again');
    }
  }
}
