import { describe, expect, it } from 'vitest';
import { FallbackState, type FallbackPrimary } from './fallback.js';
import { MemoryState } from './memory.js';

/** A primary whose connection the test turns off and on, and which can fail while "connected". */
class Switchable extends MemoryState implements FallbackPrimary {
  available = true;
  failNext: Error | null = null;
  override async get(key: string): Promise<string | null> {
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = null;
      throw e;
    }
    return super.get(key);
  }
}

describe('FallbackState', () => {
  it('uses the primary while connected, the in-process state while not, and switches back, telling each switch once', async () => {
    const primary = new Switchable();
    const switches: boolean[] = [];
    const s = new FallbackState(primary, new MemoryState(), (inProcess) => switches.push(inProcess));
    await s.set('k', 'shared', 10_000);
    primary.available = false;
    expect(await s.get('k')).toBeNull();
    await s.set('k', 'local', 10_000);
    expect(await s.incr('n', 10_000)).toBe(1);
    expect(await s.get('k')).toBe('local');
    expect(s.degraded).toBe(true);
    primary.available = true;
    expect(await s.get('k')).toBe('shared');
    expect(s.degraded).toBe(false);
    expect(switches).toEqual([true, false]);
  });

  it('answers from the in-process state when a connected primary fails, skips it for a while, but rethrows Redis reply errors', async () => {
    const primary = new Switchable();
    const fallback = new MemoryState();
    await fallback.set('k', 'local', 10_000);
    await primary.set('k', 'shared', 10_000);
    let now = 0;
    const s = new FallbackState(primary, fallback, undefined, { retryMs: 2000, now: () => now });
    primary.failNext = new Error('Command timed out');
    expect(await s.get('k')).toBe('local');
    // A Redis that stopped answering would make every operation wait for its timeout: skipped until retryMs passed.
    now = 1999;
    expect(await s.get('k')).toBe('local');
    now = 2000;
    expect(await s.get('k')).toBe('shared');
    const reply = Object.assign(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), { name: 'ReplyError' });
    primary.failNext = reply;
    await expect(s.get('k')).rejects.toBe(reply);
  });
});
