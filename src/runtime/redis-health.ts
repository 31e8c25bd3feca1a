/**
 * Redis as this process sees it, for GET /health/redis, the Redis line of /ready and the metrics: a small
 * connection of its own that PINGs every few seconds, so a change (gone, back) is logged once when it
 * happens rather than per request, and a check on demand times one PING. The parts that use Redis keep
 * their own connections and degrade by themselves (the enrichment's FallbackState); this only watches
 * and tells. Reasons never carry the address (/ready is unauthenticated).
 */
import type { RedisHealthApi, RedisHealthCounts, RedisHealthReport, ReadinessCheck } from '../api/index.js';
import { newRedisClient } from '../enrich/index.js';

export interface RedisMonitorLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface RedisMonitorOptions {
  /** Between background PINGs. Default 2 s: a return is seen within about 2 s plus the reconnect delay (≤ 1 s). */
  intervalMs?: number;
  /** A PING not answered within this is a failed check. Default 1 s (under /ready's 2 s budget). */
  timeoutMs?: number;
  now?: () => number;
}

/** The part of an ioredis client the monitor uses (a test may pass one). */
export interface PingClient {
  ping(): Promise<unknown>;
  readonly status: string;
  on(event: 'error', listener: (err: Error) => void): unknown;
  connect(): Promise<void>;
  disconnect(): void;
}

export class RedisMonitor implements RedisHealthApi {
  private up: boolean | null = null;
  private since: number | null = null;
  private lastError: string | null = null;
  private latencyMs: number | null = null;
  private outages = 0;
  /** The connection's last error code, a better reason than "stream not writeable". */
  private connectionError: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly timeoutMs: number;

  constructor(
    private readonly client: PingClient,
    /** What degrades while Redis is unreachable, e.g. "enrichment cache, quotas and breakers". */
    private readonly usedBy: string[],
    private readonly log: RedisMonitorLog,
    private readonly opts: RedisMonitorOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.timeoutMs = opts.timeoutMs ?? 1000;
    client.on('error', (err: Error & { code?: string }) => {
      this.connectionError = reasonOf(err);
    });
  }

  /** Over its own connection to `url` (the caller checked the URL: the enrichment connected to it already). */
  static async open(url: string, usedBy: string[], log: RedisMonitorLog, opts: RedisMonitorOptions = {}): Promise<RedisMonitor> {
    return new RedisMonitor(await newRedisClient(url, opts.timeoutMs ?? 1000), usedBy, log, opts);
  }

  /** Connects (without failing: the first check says whether it answered) and starts the background PINGs. */
  async start(): Promise<void> {
    await this.client.connect().catch(() => undefined);
    await this.check();
    this.timer = setInterval(() => void this.check(), this.opts.intervalMs ?? 2000);
    this.timer.unref();
  }

  /** Registers another user (rate limits, live fan-out) for the report. */
  addUser(what: string): void {
    if (!this.usedBy.includes(what)) this.usedBy.push(what);
  }

  /** One PING, timed, and the state it leaves. */
  async check(): Promise<RedisHealthReport> {
    const t0 = performance.now();
    let error: string | null = null;
    try {
      if (this.client.status !== 'ready') throw Object.assign(new Error('not connected'), { code: this.connectionError ?? 'not connected' });
      await withTimeout(this.client.ping(), this.timeoutMs);
    } catch (err) {
      error = reasonOf(err as Error & { code?: string });
    }
    const latencyMs = error === null ? Math.round((performance.now() - t0) * 100) / 100 : null;
    this.record(error, latencyMs);
    return this.report(latencyMs);
  }

  /** The Redis line of /ready: never a failed check (Rampart works without Redis), but says it is degraded. */
  async readiness(): Promise<ReadinessCheck> {
    const r = await this.check();
    const users = this.usedBy.join('; ');
    if (r.reachable) return { ok: true, detail: `reachable, PING ${r.latency_ms} ms; used for ${users}` };
    const since = r.since ? `since ${r.since}` : '';
    return { ok: true, detail: `degraded: unreachable ${since} (${r.last_error}); ${users} run in this process until it returns` };
  }

  counts(): RedisHealthCounts {
    return { up: this.up === true, latencyMs: this.latencyMs, outages: this.outages };
  }

  close(): void {
    clearInterval(this.timer);
    this.client.disconnect();
  }

  private record(error: string | null, latencyMs: number | null): void {
    const up = error === null;
    this.latencyMs = latencyMs ?? this.latencyMs;
    this.lastError = error;
    if (up === this.up) return;
    const was = this.up;
    const downFor = this.since === null ? null : this.now() - this.since;
    this.up = up;
    this.since = this.now();
    if (!up) {
      this.outages++;
      this.log.warn({ reason: error, usedBy: this.usedBy }, `Redis unreachable (${error}): ${this.usedBy.join('; ')} run in this process until it returns`);
    } else if (was === false) {
      this.log.info({ downMs: downFor, pingMs: latencyMs }, `Redis reachable again after ${Math.round((downFor ?? 0) / 100) / 10} s: back on shared state`);
    }
  }

  private report(latencyMs: number | null): RedisHealthReport {
    return {
      configured: true,
      reachable: this.up === true,
      latency_ms: latencyMs,
      since: this.since === null ? null : new Date(this.since).toISOString(),
      last_error: this.lastError,
      used_by: [...this.usedBy],
      outages: this.outages,
    };
  }
}

/** A short reason without the address: the error code (ECONNREFUSED…), a timeout, or Redis's own reply. */
function reasonOf(err: Error & { code?: string }): string {
  if (typeof err.code === 'string' && err.code !== '') return err.code;
  if (/timed? ?out/i.test(err.message)) return 'timeout';
  if (err.name === 'ReplyError') return err.message.slice(0, 120);
  return 'connection lost';
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
