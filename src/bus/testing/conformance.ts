/**
 * The LiveBus conformance suite: the obligations of src/bus/types.ts, the same assertions for every
 * implementation (in-process today; Redis pub/sub next). `open` returns a fresh bus whose subscribers
 * each have a queue of `capacity` messages.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveBus } from '../types.js';

export type OpenTestBus = (opts: { capacity: number }) => Promise<LiveBus<number>> | LiveBus<number>;

/** Settles pending deliveries (a networked bus needs real time; an in-process one needs a tick). */
async function eventually(cond: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

export function describeLiveBusConformance(name: string, open: OpenTestBus): void {
  describe(`LiveBus conformance: ${name}`, () => {
    const buses: LiveBus<number>[] = [];
    const bus = async (capacity = 16) => {
      const b = await open({ capacity });
      buses.push(b);
      return b;
    };
    afterEach(async () => {
      await Promise.all(buses.splice(0).map((b) => b.close()));
    });

    it('delivers every message to every subscriber, in publish order', async () => {
      const b = await bus();
      const got: number[][] = [[], [], []];
      got.forEach((into) => b.subscribe((m) => void into.push(m)));
      for (const m of range(1, 10)) b.publish(m);
      await eventually(() => got.every((g) => g.length === 10), 'every delivery');
      expect(got).toEqual([range(1, 10), range(1, 10), range(1, 10)]);
    });

    it('a throwing subscriber and a stuck one neither delay the publisher nor the others', async () => {
      const b = await bus(1024);
      const healthy: number[] = [];
      b.subscribe(() => {
        throw new Error('subscriber bug');
      });
      b.subscribe(() => new Promise<void>(() => {}));
      b.subscribe(async (m) => void healthy.push(m));
      const t0 = performance.now();
      for (const m of range(1, 1000)) expect(() => b.publish(m)).not.toThrow();
      expect(performance.now() - t0).toBeLessThan(1_000);
      await eventually(() => healthy.length === 1000, 'the healthy subscriber');
      expect(healthy).toEqual(range(1, 1000));
    });

    it("a slow subscriber's queue is bounded: it loses its oldest messages, counted, and sees the rest in order", async () => {
      const b = await bus(4);
      const slow: number[] = [];
      let release: () => void = () => {};
      let gate = new Promise<void>((r) => (release = r));
      b.subscribe(async (m) => {
        slow.push(m);
        await gate;
      });
      for (const m of range(1, 20)) b.publish(m);
      await eventually(() => slow.length === 1, 'the first delivery');
      expect(b.stats()).toMatchObject({ subscribers: 1, dropped: 20 - 1 - 4 });
      release();
      gate = Promise.resolve();
      await eventually(() => slow.length === 5, 'the queued messages');
      expect(slow).toEqual([1, 17, 18, 19, 20]);
      expect(b.stats()).toMatchObject({ delivered: 5, dropped: 15 });
    });

    it('stops delivering to a subscriber after unsubscribe, and to everyone after close', async () => {
      const b = await bus();
      const a: number[] = [];
      const c: number[] = [];
      const off = b.subscribe((m) => void a.push(m));
      b.subscribe((m) => void c.push(m));
      b.publish(1);
      await eventually(() => a.length === 1 && c.length === 1, 'the first message');
      off();
      b.publish(2);
      await eventually(() => c.length === 2, 'the second message');
      await b.close();
      b.publish(3);
      await new Promise((r) => setTimeout(r, 20));
      expect(a).toEqual([1]);
      expect(c).toEqual([1, 2]);
    });
  });
}
