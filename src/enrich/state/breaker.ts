/**
 * Circuit breaker per provider, state in SharedState so every process agrees. Closed → open after
 * `threshold` consecutive failures, or at once when the provider says its quota is spent. After the
 * cool-down it is half-open: exactly one caller (elected with setIfAbsent) probes; success closes
 * it, failure opens it again.
 */
import type { SharedState } from './types.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  threshold: number;
  cooldownMs: number;
  /** How long a probe may take before another caller may probe. */
  probeTimeoutMs: number;
}

export type Admission = { ok: true; probe: boolean } | { ok: false; retryAfterMs: number };

const FAILS_TTL = 86_400_000;

export class CircuitBreaker {
  constructor(
    private readonly state: SharedState,
    private readonly opts: BreakerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  async status(provider: string): Promise<BreakerState> {
    if (await this.state.get(`cb:${provider}:open`)) return 'open';
    const fails = Number((await this.state.get(`cb:${provider}:fails`)) ?? 0);
    return fails >= this.opts.threshold ? 'half_open' : 'closed';
  }

  async admit(provider: string): Promise<Admission> {
    const until = await this.state.get(`cb:${provider}:open`);
    if (until) return { ok: false, retryAfterMs: Math.max(0, Number(until) - this.now()) };
    const fails = Number((await this.state.get(`cb:${provider}:fails`)) ?? 0);
    if (fails < this.opts.threshold) return { ok: true, probe: false };
    if (await this.state.setIfAbsent(`cb:${provider}:probe`, '1', this.opts.probeTimeoutMs)) return { ok: true, probe: true };
    return { ok: false, retryAfterMs: this.opts.probeTimeoutMs };
  }

  async success(provider: string, wasProbe: boolean): Promise<void> {
    if (wasProbe || (await this.state.get(`cb:${provider}:fails`)) !== null) {
      await this.state.del(`cb:${provider}:fails`);
      await this.state.del(`cb:${provider}:probe`);
    }
  }

  async failure(provider: string): Promise<void> {
    const n = await this.state.incr(`cb:${provider}:fails`, FAILS_TTL);
    if (n >= this.opts.threshold) await this.open(provider, this.opts.cooldownMs);
  }

  /** Opens now for `ms` (quota spent), and stays half-open after it until a probe succeeds. */
  async trip(provider: string, ms: number): Promise<void> {
    await this.state.set(`cb:${provider}:fails`, String(this.opts.threshold), FAILS_TTL);
    await this.open(provider, ms);
  }

  private async open(provider: string, ms: number): Promise<void> {
    await this.state.set(`cb:${provider}:open`, String(this.now() + ms), ms);
    await this.state.del(`cb:${provider}:probe`);
  }
}
