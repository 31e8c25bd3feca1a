/**
 * Per-provider quota: fixed per-minute and per-day (UTC) windows kept in SharedState, plus blocks
 * learnt from the provider itself (Retry-After, X-RateLimit-Remaining: 0 until X-RateLimit-Reset).
 * It never waits: a request over quota is refused at once with the time it may retry, so a lookup
 * answers promptly with that source as `error`.
 */
import type { SharedState } from './types.js';

export interface Quota {
  perMinute?: number;
  perDay?: number;
}

export type Permit = { ok: true } | { ok: false; retryAfterMs: number; reason: string };

const DAY_MS = 86_400_000;

export class QuotaLimiter {
  constructor(
    private readonly state: SharedState,
    private readonly quotas: Readonly<Record<string, Quota>>,
    private readonly now: () => number = Date.now,
  ) {}

  private dayKey(provider: string, t: number): string {
    return `rl:${provider}:d:${Math.floor(t / DAY_MS)}`;
  }

  async acquire(provider: string): Promise<Permit> {
    const t = this.now();
    const blocked = Number((await this.state.get(`rl:${provider}:block`)) ?? 0);
    if (blocked > t) return { ok: false, retryAfterMs: blocked - t, reason: 'provider asked to back off' };
    const q = this.quotas[provider] ?? {};
    if (q.perMinute !== undefined) {
      const n = await this.state.incr(`rl:${provider}:m:${Math.floor(t / 60_000)}`, 61_000);
      if (n > q.perMinute) return { ok: false, retryAfterMs: 60_000 - (t % 60_000), reason: `local quota of ${q.perMinute}/min used` };
    }
    if (q.perDay !== undefined) {
      const n = await this.state.incr(this.dayKey(provider, t), DAY_MS + 60_000);
      if (n > q.perDay) return { ok: false, retryAfterMs: DAY_MS - (t % DAY_MS), reason: `daily budget of ${q.perDay} used` };
    }
    return { ok: true };
  }

  /** The provider said to stop until `untilMs` (429 Retry-After, or remaining 0 until reset). */
  async block(provider: string, untilMs: number): Promise<void> {
    const ttl = untilMs - this.now();
    if (ttl > 0) await this.state.set(`rl:${provider}:block`, String(untilMs), ttl);
  }

  /** Records the provider's own view of what is left (X-RateLimit-Remaining), until its reset. */
  async noteRemaining(provider: string, remaining: number, resetAtMs: number | undefined): Promise<void> {
    const until = resetAtMs ?? this.now() + DAY_MS;
    const ttl = until - this.now();
    if (ttl <= 0) return;
    await this.state.set(`rl:${provider}:remaining`, String(remaining), ttl);
    if (remaining <= 0) await this.block(provider, until);
  }

  /** Requests left today: the smaller of the local budget and what the provider last reported. */
  async remainingToday(provider: string): Promise<number | null> {
    const q = this.quotas[provider] ?? {};
    const reported = await this.state.get(`rl:${provider}:remaining`);
    let local: number | null = null;
    if (q.perDay !== undefined) {
      const used = Number((await this.state.get(this.dayKey(provider, this.now()))) ?? 0);
      local = Math.max(0, q.perDay - used);
    }
    if (reported === null) return local;
    return local === null ? Number(reported) : Math.min(local, Number(reported));
  }
}
