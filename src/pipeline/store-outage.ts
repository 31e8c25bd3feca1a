/**
 * Store availability as the pipeline sees it: an outage starts at the first failed write (or start-up
 * connection attempt) and ends at the next success. It is logged at warn once when it starts and at info when
 * it ends, not per retry; outages and retries are counted in the pipeline metrics, and /ready reads the state.
 */
import { connectionLoss } from '../store/index.js';
import type { StoreAvailability } from './metrics.js';

export interface OutageLogger {
  warn(o: object, msg: string): void;
  info(o: object, msg: string): void;
  error(o: object, msg: string): void;
}

export interface ReadinessCheckLike {
  ok: boolean;
  detail?: string;
}

export class StoreOutage {
  private nextRetryAt: number | null = null;

  constructor(
    /** The store's name in messages (`postgres`, `pglite`). */
    private readonly storeName: string,
    private readonly logger: OutageLogger,
    /** Mutated in place: the pipeline metrics' storeAvailability. */
    private readonly counters: StoreAvailability,
    private readonly now: () => number = Date.now,
  ) {}

  get down(): boolean {
    return this.counters.downSince !== null;
  }

  /**
   * A write or connection attempt failed; `retryInMs` is when the caller tries again. A lost connection opens an
   * outage (one warn); a statement the store rejected is logged at error each time, since waiting will not fix it.
   */
  failed(err: unknown, what: string, retryInMs: number): void {
    const loss = connectionLoss(err);
    this.nextRetryAt = this.now() + retryInMs;
    this.counters.lastError = loss ?? 'statement rejected';
    if (this.down) this.counters.retries++;
    else {
      this.counters.outages++;
      this.counters.downSince = this.now();
      if (loss) this.logger.warn({ err, store: this.storeName, what }, `${this.storeName} unavailable (${loss}): ${what} paused, retrying until it is back`);
    }
    if (!loss) this.logger.error({ err, store: this.storeName, what }, `${what} failed; retrying in ${Math.round(retryInMs / 1000)} s`);
  }

  /** A write or connection attempt succeeded: ends the outage, if any. */
  succeeded(what: string): void {
    const since = this.counters.downSince;
    if (since === null) return;
    this.counters.downSince = null;
    this.counters.lastError = null;
    this.nextRetryAt = null;
    this.logger.info(
      { store: this.storeName, what, downMs: this.now() - since, retries: this.counters.retries },
      `${this.storeName} available again: ${what} resumed`,
    );
  }

  /** /ready's store and migrations checks while an outage lasts (no ping: it would fail and log per request); null otherwise. */
  checks(): { store: ReadinessCheckLike; migrations: ReadinessCheckLike } | null {
    if (!this.down) return null;
    return { store: this.readiness(), migrations: { ok: false, detail: 'unknown until the store answers' } };
  }

  /** For /ready while an outage lasts: names the store, how long it has been down, why, and the next retry. */
  readiness(): ReadinessCheckLike {
    const since = this.counters.downSince;
    if (since === null) return { ok: true };
    const now = this.now();
    const retry = this.nextRetryAt === null ? '' : `; next retry in ${Math.max(0, Math.ceil((this.nextRetryAt - now) / 1000))} s`;
    return {
      ok: false,
      detail: `${this.storeName} unavailable for ${Math.round((now - since) / 1000)} s (${this.counters.lastError ?? 'unknown'}); retrying${retry}`,
    };
  }
}

export { backoffDelay } from '../core/index.js';
