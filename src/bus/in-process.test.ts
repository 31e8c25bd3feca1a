import { describe, expect, it } from 'vitest';
import { InProcessBus } from './index.js';

describe('InProcessBus', () => {
  it('delivers to every subscriber, isolates a throwing one, and stops after unsubscribe', () => {
    const errors: unknown[] = [];
    const bus = new InProcessBus<number>((e) => errors.push(e));
    const a: number[] = [];
    const b: number[] = [];
    const offA = bus.subscribe((m) => a.push(m));
    bus.subscribe(() => {
      throw new Error('boom');
    });
    bus.subscribe((m) => b.push(m));
    bus.publish(1);
    offA();
    bus.publish(2);
    expect(a).toEqual([1]);
    expect(b).toEqual([1, 2]);
    expect(errors).toHaveLength(2);
  });
});
