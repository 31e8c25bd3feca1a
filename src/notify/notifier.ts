/**
 * The notify output: a ThreatSink that turns committed threats into notifications. Per threat: skip one already
 * seen (a replay), pick channels by the routes (routes.ts), let one per channel, IP and rule through per throttle
 * window (throttle.ts), and offer it to the channel's delivery (delivery.ts). `write` is synchronous and cheap:
 * sending happens behind each channel's own queue, so ingest never waits for a receiver.
 */
import { LRUCache } from 'lru-cache';
import type { StoredBatch, ThreatSink } from '../pipeline/index.js';
import { notificationOf } from './alert.js';
import type { NotifyConfig } from './config.js';
import { ChannelDelivery, type DeadLetterSink, type DeliveryEvents } from './delivery.js';
import { effectiveRoutes, matchRoutes } from './routes.js';
import { Throttle, throttleKey } from './throttle.js';
import type { Channel } from './types.js';
import type { RouteConfig } from './config.js';

export interface NotifierOptions {
  config: NotifyConfig;
  channels: ReadonlyMap<string, Channel>;
  deadLetters: DeadLetterSink | null;
  clock?: () => number;
  random?: () => number;
  events?: DeliveryEvents;
}

export interface NotifierStats {
  /** Threats let through to at least one channel's queue, per channel. */
  offered: number;
  throttled: number;
  duplicates: number;
}

/** Event ids seen lately, so a replayed batch is not notified twice. */
const RECENT_IDS = 50_000;

export class Notifier implements ThreatSink {
  readonly name = 'notify';
  readonly deliveries = new Map<string, ChannelDelivery>();
  private readonly routes: RouteConfig[];
  private readonly throttle: Throttle;
  private readonly clock: () => number;
  private readonly recent = new LRUCache<string, true>({ max: RECENT_IDS });
  private readonly counts: NotifierStats = { offered: 0, throttled: 0, duplicates: 0 };

  constructor(o: NotifierOptions) {
    const d = o.config.delivery;
    for (const [name, channel] of o.channels) {
      this.deliveries.set(
        name,
        new ChannelDelivery(channel, {
          attempts: d.attempts,
          backoff: { initialMs: d.initialDelaySeconds * 1000, maxMs: d.maxDelaySeconds * 1000 },
          capacity: d.queueCapacity,
          deadLetters: o.deadLetters,
          ...(o.clock ? { clock: o.clock } : {}),
          ...(o.random ? { random: o.random } : {}),
          ...(o.events ? { events: o.events } : {}),
        }),
      );
    }
    this.routes = effectiveRoutes(o.config.routes, [...o.channels.keys()]);
    this.throttle = new Throttle(o.config.throttle.windowSeconds * 1000, o.config.throttle.maxKeys);
    this.clock = o.clock ?? Date.now;
  }

  write(batch: StoredBatch): void {
    const now = this.clock();
    for (const t of batch.threats) {
      const matches = matchRoutes(this.routes, t);
      if (matches.length === 0) continue;
      if (this.seen(t.event.id)) {
        this.counts.duplicates++;
        continue;
      }
      for (const m of matches) {
        const delivery = this.deliveries.get(m.channel);
        if (!delivery) continue;
        const admission = this.throttle.admit(throttleKey(m.channel, t.event.ip, m.detection.ruleId), now);
        if (!admission.send) {
          this.counts.throttled++;
          continue;
        }
        this.counts.offered++;
        delivery.offer(notificationOf(t, batch.sourceId, m.detection, admission.suppressed));
      }
    }
  }

  get stats(): NotifierStats {
    return { ...this.counts };
  }

  /** Resolves when every channel's queue is empty (tests; a stuck receiver never resolves it). */
  async idle(): Promise<void> {
    await Promise.all([...this.deliveries.values()].map((d) => d.idle()));
  }

  async close(timeoutMs = 5_000): Promise<void> {
    await Promise.all([...this.deliveries.values()].map((d) => d.close(timeoutMs)));
  }

  private seen(id: string): boolean {
    if (this.recent.has(id)) return true;
    this.recent.set(id, true);
    return false;
  }
}
