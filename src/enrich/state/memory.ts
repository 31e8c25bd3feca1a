/** In-process SharedState: bounded (LRU), with per-key expiry checked on read. */
import { LRUCache } from 'lru-cache';
import type { SharedState } from './types.js';

interface Entry {
  v: string;
  exp: number;
}

export class MemoryState implements SharedState {
  private readonly map: LRUCache<string, Entry>;

  constructor(
    opts: { maxEntries?: number } = {},
    private readonly now: () => number = Date.now,
  ) {
    this.map = new LRUCache<string, Entry>({ max: opts.maxEntries ?? 100_000 });
  }

  private live(key: string): Entry | undefined {
    const e = this.map.get(key);
    if (e && e.exp <= this.now()) {
      this.map.delete(key);
      return undefined;
    }
    return e;
  }

  get(key: string): Promise<string | null> {
    return Promise.resolve(this.live(key)?.v ?? null);
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    this.map.set(key, { v: value, exp: this.now() + ttlMs });
    return Promise.resolve();
  }

  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(key)) return Promise.resolve(false);
    this.map.set(key, { v: value, exp: this.now() + ttlMs });
    return Promise.resolve(true);
  }

  incr(key: string, ttlMs: number): Promise<number> {
    const e = this.live(key);
    const n = (e ? Number(e.v) : 0) + 1;
    this.map.set(key, { v: String(n), exp: e ? e.exp : this.now() + ttlMs });
    return Promise.resolve(n);
  }

  del(key: string): Promise<void> {
    this.map.delete(key);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.map.clear();
    return Promise.resolve();
  }
}
