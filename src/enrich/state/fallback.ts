/**
 * SharedState that survives its Redis going away: while Redis is connected every operation goes there;
 * while it is not (or an operation fails for want of it), operations go to an in-process state, so
 * lookups, quotas and breakers keep working in this process alone instead of failing. ioredis reconnects
 * by itself and the next operation after that uses Redis again.
 *
 * What it costs: during an outage each process counts quotas and opens breakers on its own, and what it
 * learnt then stays in its memory (a quota may be overrun by what the processes spent apart; a breaker
 * opened during the outage closes on Redis's own state when it returns). Reply errors of Redis itself
 * (a wrong type, a refused command) are not outages and still reject.
 */
import type { SharedState } from './types.js';

export interface FallbackPrimary extends SharedState {
  /** Connected now: operations are tried on it. */
  readonly available: boolean;
}

export interface FallbackOptions {
  /**
   * After an operation failed on a primary that looked connected (a Redis that stopped answering: each
   * command waits for its timeout), operations skip it for this long before one tries it again. Default 2 s.
   */
  retryMs?: number;
  now?: () => number;
}

export class FallbackState implements SharedState {
  private usingFallback = false;
  private skipPrimaryUntil = 0;
  private readonly retryMs: number;
  private readonly now: () => number;

  constructor(
    private readonly primary: FallbackPrimary,
    private readonly fallback: SharedState,
    /** Hears each switch (true: now in process), never each operation. */
    private readonly onSwitch?: (inProcess: boolean, cause?: unknown) => void,
    opts: FallbackOptions = {},
  ) {
    this.retryMs = opts.retryMs ?? 2000;
    this.now = opts.now ?? Date.now;
  }

  /** True while operations go to the in-process state. */
  get degraded(): boolean {
    return this.usingFallback;
  }

  get(key: string): Promise<string | null> {
    return this.run((s) => s.get(key));
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    return this.run((s) => s.set(key, value, ttlMs));
  }

  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return this.run((s) => s.setIfAbsent(key, value, ttlMs));
  }

  incr(key: string, ttlMs: number): Promise<number> {
    return this.run((s) => s.incr(key, ttlMs));
  }

  del(key: string): Promise<void> {
    return this.run((s) => s.del(key));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.primary.close(), this.fallback.close()]);
  }

  private async run<T>(op: (s: SharedState) => Promise<T>): Promise<T> {
    let cause: unknown;
    if (this.primary.available && this.now() >= this.skipPrimaryUntil) {
      try {
        const result = await op(this.primary);
        this.switchTo(false);
        return result;
      } catch (err) {
        if ((err as Error | null)?.name === 'ReplyError') throw err;
        cause = err;
        this.skipPrimaryUntil = this.now() + this.retryMs;
      }
    }
    this.switchTo(true, cause);
    return op(this.fallback);
  }

  private switchTo(inProcess: boolean, cause?: unknown): void {
    if (inProcess === this.usingFallback) return;
    this.usingFallback = inProcess;
    this.onSwitch?.(inProcess, cause);
  }
}
