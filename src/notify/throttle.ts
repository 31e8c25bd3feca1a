/**
 * At most one notification per key (channel, IP, rule) per window. Alerts left out are counted; the next
 * notification for the key, after the window, carries that count and when the first was seen. Pure: the
 * caller passes the time. Memory is bounded by `maxKeys`: the least recently seen keys are forgotten first
 * (lru-cache: evicting a Map's first key over and over costs time in the holes deletions leave, measured
 * 55 µs a threat with 200,000 keys passing through; bench/notify.ts).
 */
import { LRUCache } from 'lru-cache';
import type { Suppressed } from './alert.js';

interface KeyState {
  /** When the last notification for the key was let through. */
  sentAt: number;
  suppressed: number;
  firstSuppressedAt: number | null;
}

export type Admission = { send: true; suppressed: Suppressed } | { send: false };

export class Throttle {
  private readonly keys: LRUCache<string, KeyState>;

  constructor(
    private readonly windowMs: number,
    maxKeys: number,
  ) {
    this.keys = new LRUCache<string, KeyState>({ max: maxKeys });
  }

  admit(key: string, now: number): Admission {
    if (this.windowMs <= 0) return { send: true, suppressed: { count: 0, since: null } };
    const s = this.keys.get(key);
    if (s && now - s.sentAt < this.windowMs) {
      s.suppressed++;
      s.firstSuppressedAt ??= now;
      return { send: false };
    }
    const suppressed: Suppressed = { count: s?.suppressed ?? 0, since: s?.firstSuppressedAt ?? null };
    this.keys.set(key, { sentAt: now, suppressed: 0, firstSuppressedAt: null });
    return { send: true, suppressed };
  }

  get size(): number {
    return this.keys.size;
  }
}

export function throttleKey(channel: string, ip: string, rule: string): string {
  return `${channel}\u0000${ip}\u0000${rule}`;
}
