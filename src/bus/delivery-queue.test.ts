import { describe, expect, it } from 'vitest';
import { DeliveryQueue, type OverflowPolicy } from './delivery-queue.js';

/** A consumer whose deliveries stay pending until released, one at a time. */
function gate() {
  const got: number[] = [];
  const pending: (() => void)[] = [];
  return {
    got,
    consume: (n: number) => {
      got.push(n);
      return new Promise<void>((resolve) => pending.push(resolve));
    },
    release: async () => {
      pending.shift()?.();
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe('DeliveryQueue', () => {
  it('calls a synchronous consumer at once, in order, counting each delivery', () => {
    const got: number[] = [];
    const q = new DeliveryQueue<number>((n) => void got.push(n), { capacity: 2, overflow: 'drop-oldest' });
    for (let i = 1; i <= 5; i++) q.offer(i);
    expect(got).toEqual([1, 2, 3, 4, 5]);
    expect(q.stats).toEqual({ delivered: 5, failed: 0, dropped: 0, queued: 0 });
  });

  it.each<[OverflowPolicy, number[]]>([
    // 1 is in delivery; capacity 2 keeps two of 2..5 waiting.
    ['drop-oldest', [1, 4, 5]],
    ['drop-new', [1, 2, 3]],
  ])('a busy consumer holds at most capacity items; %s decides which go', async (overflow, delivered) => {
    const g = gate();
    const q = new DeliveryQueue<number>(g.consume, { capacity: 2, overflow });
    const kept = [1, 2, 3, 4, 5].map((n) => q.offer(n));
    expect(kept).toEqual([true, true, true, false, false]);
    expect(q.stats).toEqual({ delivered: 0, failed: 0, dropped: 2, queued: 2 });
    for (let i = 0; i < 3; i++) await g.release();
    expect(g.got).toEqual(delivered);
    expect(q.stats).toEqual({ delivered: 3, failed: 0, dropped: 2, queued: 0 });
  });

  it('counts a throw and a rejection as failed, reports them, and goes on', async () => {
    const errors: string[] = [];
    const got: number[] = [];
    const q = new DeliveryQueue<number>(
      (n) => {
        if (n === 1) throw new Error('sync boom');
        if (n === 2) return Promise.reject(new Error('async boom'));
        got.push(n);
      },
      { capacity: 4, overflow: 'drop-oldest', onError: (e) => errors.push((e as Error).message) },
    );
    [1, 2, 3].forEach((n) => q.offer(n));
    await q.idle();
    expect(got).toEqual([3]);
    expect(errors).toEqual(['sync boom', 'async boom']);
    expect(q.stats).toMatchObject({ delivered: 1, failed: 2 });
  });

  it('keeps its memory bounded behind a consumer that never returns', () => {
    const q = new DeliveryQueue<number>(() => new Promise<void>(() => {}), { capacity: 8, overflow: 'drop-oldest' });
    for (let i = 0; i < 100_000; i++) q.offer(i);
    expect(q.stats).toEqual({ delivered: 0, failed: 0, dropped: 100_000 - 1 - 8, queued: 8 });
    // The backing array is compacted: it never holds much more than capacity.
    expect((q as unknown as { items: unknown[] }).items.length).toBeLessThan(200);
  });

  it('close drops what waits (counted) and refuses more', async () => {
    const g = gate();
    const q = new DeliveryQueue<number>(g.consume, { capacity: 4, overflow: 'drop-oldest' });
    [1, 2, 3].forEach((n) => q.offer(n));
    q.close();
    expect(q.offer(4)).toBe(false);
    await g.release();
    expect(g.got).toEqual([1]);
    expect(q.stats).toMatchObject({ dropped: 3, queued: 0 });
  });

  it('rejects a capacity below 1, naming it', () => {
    expect(() => new DeliveryQueue(() => {}, { capacity: 0, overflow: 'drop-new' })).toThrow(/capacity .* at least 1, got 0/);
  });
});
