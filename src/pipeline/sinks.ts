/**
 * The outputs after the store commits: a list of ThreatSinks, each behind its own bounded delivery
 * queue (src/bus/delivery-queue.ts). `offer` is synchronous and cannot throw or wait, so a slow, stuck
 * or failing sink costs only its own queue; its deliveries, failures, drops and queue depth are in the
 * pipeline metrics under its name.
 */
import { DeliveryQueue, type OverflowPolicy } from '../bus/index.js';
import type { PipelineMetrics } from './metrics.js';
import type { StoredBatch, ThreatSink } from './types.js';

export interface SinkOptions {
  /** Batches that may wait while the sink is busy. Default 256. */
  capacity?: number;
  /** Default drop-oldest: a live consumer wants what is newest. */
  overflow?: OverflowPolicy;
}

export interface SinkEntry {
  sink: ThreatSink;
  options?: SinkOptions;
}

export class ThreatSinks {
  private readonly queues: { name: string; queue: DeliveryQueue<StoredBatch> }[] = [];

  constructor(
    entries: readonly SinkEntry[],
    metrics: PipelineMetrics,
    onError: (sink: string, err: unknown) => void = () => {},
  ) {
    for (const { sink, options = {} } of entries) {
      if (this.queues.some((q) => q.name === sink.name)) throw new Error(`two sinks are named ${JSON.stringify(sink.name)}`);
      const queue = new DeliveryQueue<StoredBatch>((b) => sink.write(b), {
        capacity: options.capacity ?? 256,
        overflow: options.overflow ?? 'drop-oldest',
        onError: (err) => onError(sink.name, err),
      });
      this.queues.push({ name: sink.name, queue });
      metrics.addSink(sink.name, () => queue.stats);
    }
  }

  get names(): string[] {
    return this.queues.map((q) => q.name);
  }

  /** A committed batch; batches without threats are not offered (no sink wants them). */
  offer(batch: StoredBatch): void {
    if (batch.threats.length === 0) return;
    for (const { queue } of this.queues) queue.offer(batch);
  }

  /**
   * Waits until every queue is empty or `timeoutMs` passes (a stuck sink must not hold shutdown), then
   * closes them: what still waits is dropped and counted.
   */
  async close(timeoutMs = 5_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([Promise.all(this.queues.map((q) => q.queue.idle())), deadline]);
    clearTimeout(timer);
    for (const { queue } of this.queues) queue.close();
  }
}
