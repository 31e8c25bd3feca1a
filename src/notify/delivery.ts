/**
 * One channel's deliveries: a bounded queue (src/bus/delivery-queue.ts, the oldest dropped and counted when it
 * is full), tried in order, each notification up to `attempts` times with exponential backoff and jitter
 * (backoff.ts); what still fails, or is refused for good (a 4xx, a 5xx SMTP answer), becomes a dead letter.
 * Offering never waits, so a slow or down receiver holds only this queue. On close, what waits is not dropped
 * silently: retries stop, and the notification in hand and those queued go to the dead letters (bounded wait).
 */
import { DeliveryQueue } from '../bus/index.js';
import type { NewDeadLetter } from '../store/index.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { ChannelError, type Channel, type Notification } from './types.js';

export interface DeadLetterSink {
  add(d: NewDeadLetter): Promise<unknown>;
}

export interface DeliveryEvents {
  /** A try failed and another will follow after `delayMs`. */
  retrying?(channel: string, attempt: number, delayMs: number, error: string): void;
  deadLettered?(channel: string, threatId: string, attempts: number, error: string): void;
  /** The dead letter could not be written either (store down): the notification is lost, and said so. */
  lost?(channel: string, threatId: string, error: string): void;
}

export interface ChannelDeliveryOptions {
  attempts: number;
  backoff: BackoffPolicy;
  capacity: number;
  deadLetters: DeadLetterSink | null;
  clock?: () => number;
  random?: () => number;
  events?: DeliveryEvents;
}

export interface ChannelStats {
  sent: number;
  retries: number;
  deadLettered: number;
  /** Dropped from a full queue (the oldest first). */
  dropped: number;
  queued: number;
}

export class ChannelDelivery {
  private readonly queue: DeliveryQueue<Notification>;
  private readonly abort = new AbortController();
  private readonly counts = { sent: 0, retries: 0, deadLettered: 0 };
  private readonly clock: () => number;
  private readonly random: () => number;

  constructor(
    readonly channel: Channel,
    private readonly options: ChannelDeliveryOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
    this.queue = new DeliveryQueue<Notification>((n) => this.deliver(n), { capacity: options.capacity, overflow: 'drop-oldest' });
  }

  /** Never waits, never throws; false when the queue was full (the oldest waiting one was dropped). */
  offer(n: Notification): boolean {
    return this.queue.offer(n);
  }

  get stats(): ChannelStats {
    const q = this.queue.stats;
    return { ...this.counts, dropped: q.dropped, queued: q.queued };
  }

  /** In the shape the pipeline metrics take, counted in notifications: delivered, failed (dead letters), dropped, queued. */
  get sinkCounters(): { delivered: number; failed: number; dropped: number; queued: number } {
    const q = this.queue.stats;
    return { delivered: this.counts.sent, failed: this.counts.deadLettered, dropped: q.dropped, queued: q.queued };
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Stops retrying; what is in hand and queued is dead-lettered, waiting at most `timeoutMs` for that. */
  async close(timeoutMs = 5_000): Promise<void> {
    this.abort.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.queue.idle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs).unref()))]);
    clearTimeout(timer);
    this.queue.close();
    this.channel.close?.();
  }

  private async deliver(n: Notification): Promise<void> {
    const signal = this.abort.signal;
    let attempts = 0;
    let last = 'not sent: shutting down';
    while (!signal.aborted && attempts < this.options.attempts) {
      attempts++;
      try {
        await this.channel.send(n, signal);
        this.counts.sent++;
        return;
      } catch (err) {
        const e = err instanceof ChannelError ? err : new ChannelError(`${this.channel.type} ${this.channel.name}: ${(err as Error).message}`, true);
        // A try cut short by shutdown says nothing new: keep the previous try's answer when there was one.
        if (!signal.aborted || attempts === 1) last = e.message;
        if (!e.retryable || attempts >= this.options.attempts || signal.aborted) break;
        const delay = backoffDelay(attempts, this.options.backoff, this.random, e.retryAfterMs);
        this.counts.retries++;
        this.options.events?.retrying?.(this.channel.name, attempts, delay, last);
        await sleep(delay, signal);
      }
    }
    if (signal.aborted && attempts < this.options.attempts) last = `${last} (stopped before the last attempt: shutting down)`;
    await this.deadLetter(n, last, attempts);
  }

  private async deadLetter(n: Notification, error: string, attempts: number): Promise<void> {
    this.counts.deadLettered++;
    this.options.events?.deadLettered?.(this.channel.name, n.id, attempts, error);
    if (!this.options.deadLetters) return;
    try {
      await this.options.deadLetters.add({
        channel: this.channel.name,
        threatId: n.id,
        notification: n as unknown as Record<string, unknown>,
        error,
        attempts,
        failedAt: this.clock(),
      });
    } catch (err) {
      this.options.events?.lost?.(this.channel.name, n.id, (err as Error).message);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  });
}
