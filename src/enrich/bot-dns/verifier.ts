/**
 * Forward-confirmed reverse DNS (FCrDNS) for crawler claims, the optional proof behind KNOWN_BOT
 * (detect.behaviour.goodBots.verifyDns, off by default, `serve` only). It lives in enrich because it does I/O:
 * detection stays pure and reads the verdicts as data (BotVerdictLookup).
 *
 * - DnsBotVerifier: PTR of the IP must end, on a label boundary, in a domain the bot's vendor documents, and
 *   that name must resolve (A or AAAA, the IP's family) back to the IP.
 * - BotVerdictCache: bounded, expiring verdicts per IP; the detector reads it on the hot path (BotVerdictLookup).
 * - BotVerificationScheduler: turns the detector's claims (BotClaimListener) into verifications, deduplicated
 *   per IP, a few at a time, each under a time budget; never throws and never blocks the caller.
 *
 * The resolver is injected (tests use a fake, no network); systemResolver() wraps node:dns/promises.
 */
import { Resolver } from 'node:dns/promises';
import { ipVersion, normaliseIp } from '../../net/index.js';
import type { BotClaimListener, BotVerdict, BotVerdictLookup, BotVerifier } from '../../detect/index.js';

/** The DNS questions FCrDNS asks. Rejections carry a `code` (ENOTFOUND, ENODATA, ETIMEOUT, ...) as node:dns does. */
export interface DnsResolver {
  reverse(ip: string): Promise<string[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

const GOOGLE = ['googlebot.com', 'google.com', 'googleusercontent.com'];
const BING = ['search.msn.com'];

/**
 * Reverse-DNS domains the vendors document for their crawlers, by lower-cased User-Agent token. An empty list
 * means the vendor publishes IP ranges instead of rDNS (or nothing stable): the verdict is always 'unknown'.
 * Tokens missing from the table are 'unknown' too.
 */
export const BOT_DNS_DOMAINS: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ['googlebot', GOOGLE],
  ['google-inspectiontool', GOOGLE],
  ['storebot-google', GOOGLE],
  ['adsbot-google', GOOGLE],
  ['mediapartners-google', GOOGLE],
  ['bingbot', BING],
  ['bingpreview', BING],
  ['applebot', ['applebot.apple.com']],
  ['yandexbot', ['yandex.ru', 'yandex.net', 'yandex.com']],
  ['baiduspider', ['baidu.com', 'baidu.jp']],
  ['slurp', ['crawl.yahoo.net']],
  ['duckduckbot', []], // published IP list, no rDNS
  ['facebookexternalhit', []], // no stable rDNS
]);

/** A host name is at most 253 characters (254 with the root dot); anything longer is hostile or broken. */
const MAX_NAME_LENGTH = 254;
/** PTR names examined per IP: a genuine crawler has one; a long list is someone's idea of a trick. */
const MAX_PTR_NAMES = 4;
const HOST_NAME = /^[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*$/;

/** Lower-cased name without its root dot, or null when it is not a plausible host name. */
export function cleanHostName(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_NAME_LENGTH) return null;
  const name = (raw.endsWith('.') ? raw.slice(0, -1) : raw).toLowerCase();
  return name.length <= 253 && HOST_NAME.test(name) ? name : null;
}

/** `name` is `domain` or a subdomain of it (suffix on a label boundary: evilgooglebot.com is not googlebot.com). */
export function inDomain(name: string, domain: string): boolean {
  if (name.length === domain.length) return name === domain;
  return (
    name.length > domain.length &&
    name.endsWith(domain) &&
    name.charCodeAt(name.length - domain.length - 1) === 46
  );
}

/** A definitive "no such record" answer, as opposed to a failure to get an answer. */
function isNoData(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOTFOUND' || code === 'ENODATA';
}

export class DnsBotVerifier implements BotVerifier {
  constructor(
    private readonly resolver: DnsResolver,
    private readonly domains: ReadonlyMap<string, readonly string[]> = BOT_DNS_DOMAINS,
  ) {}

  /**
   * 'verified' when a PTR name in the bot's domains resolves back to `ip`; 'fake' when DNS answered and nothing
   * matched (no PTR, PTR elsewhere, forward mismatch); 'unknown' when the bot has no rDNS to check, the lookup
   * failed or timed out, or `signal` aborted. Never rejects.
   */
  async verify(ip: string, bot: string, signal?: AbortSignal): Promise<BotVerdict | 'unknown'> {
    const domains = this.domains.get(bot.toLowerCase());
    const canon = normaliseIp(ip);
    const version = canon === null ? null : ipVersion(canon);
    if (!domains || domains.length === 0 || canon === null || version === null) return 'unknown';
    let names: string[];
    try {
      names = await this.resolver.reverse(canon);
    } catch (err) {
      return isNoData(err) ? 'fake' : 'unknown';
    }
    if (signal?.aborted) return 'unknown';
    let inconclusive = false;
    const count = Array.isArray(names) ? Math.min(names.length, MAX_PTR_NAMES) : 0;
    for (let i = 0; i < count; i++) {
      const name = cleanHostName(names[i]);
      if (name === null || !domains.some((d) => inDomain(name, d))) continue;
      let addresses: string[];
      try {
        addresses = await (version === 4 ? this.resolver.resolve4(name) : this.resolver.resolve6(name));
      } catch (err) {
        if (!isNoData(err)) inconclusive = true;
        continue;
      }
      if (signal?.aborted) return 'unknown';
      if (
        Array.isArray(addresses) &&
        addresses.some((a) => typeof a === 'string' && normaliseIp(a) === canon)
      )
        return 'verified';
    }
    return inconclusive ? 'unknown' : 'fake';
  }
}

/** node:dns/promises with a per-query timeout and one try: the scheduler's budget bounds the whole check. */
export function systemResolver(timeoutMs: number): DnsResolver & { cancel(): void } {
  const r = new Resolver({ timeout: Math.max(50, Math.floor(timeoutMs / 2)), tries: 1 });
  return {
    reverse: (ip) => r.reverse(ip),
    resolve4: (name) => r.resolve4(name),
    resolve6: (name) => r.resolve6(name),
    cancel: () => r.cancel(),
  };
}

export interface BotVerdictCacheOptions {
  /** Entries kept; past it the oldest insertion goes. */
  maxEntries: number;
  /** Lifetime of 'verified' and 'fake'. */
  ttlMs: number;
  /** Lifetime of 'unknown' (inconclusive): the IP is verified again after it. */
  retryMs: number;
  now?: () => number;
}

interface CacheEntry {
  verdict: BotVerdict | 'unknown';
  expires: number;
}

/** Size-capped, expiring verdicts per IP. get() reports only conclusive verdicts; has() any fresh one. */
export class BotVerdictCache implements BotVerdictLookup {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly now: () => number;

  constructor(private readonly opts: BotVerdictCacheOptions) {
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Hot path: no allocation. */
  get(ip: string): BotVerdict | undefined {
    const e = this.fresh(ip);
    return e === undefined || e.verdict === 'unknown' ? undefined : e.verdict;
  }

  /** A fresh entry exists, conclusive or not: no need to ask again yet. */
  has(ip: string): boolean {
    return this.fresh(ip) !== undefined;
  }

  set(ip: string, verdict: BotVerdict | 'unknown'): void {
    const ttl = verdict === 'unknown' ? this.opts.retryMs : this.opts.ttlMs;
    this.entries.delete(ip); // re-inserted last: the newest verdict is the last evicted
    this.entries.set(ip, { verdict, expires: this.now() + ttl });
    while (this.entries.size > this.opts.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  private fresh(ip: string): CacheEntry | undefined {
    const e = this.entries.get(ip);
    if (e === undefined) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(ip);
      return undefined;
    }
    return e;
  }
}

export interface SchedulerOptions {
  /** Verifications in flight at once. */
  concurrency: number;
  /** Budget of one verification; past it the verdict is 'unknown'. */
  timeoutMs: number;
  /** Claims waiting for a slot; further ones are dropped (and asked again by a later event). */
  maxPending: number;
}

export interface BotVerificationStats {
  requested: number;
  verified: number;
  fake: number;
  unknown: number;
  dropped: number;
  pending: number;
  inFlight: number;
  cached: number;
}

/** Runs a BotVerifier for the claims the detector reports, filling a BotVerdictCache. */
export class BotVerificationScheduler {
  /** Give this to the detector (BehaviourDeps.onBotClaim): bound, cheap, never throws. */
  readonly onBotClaim: BotClaimListener = (ip, bot) => {
    this.request(ip, bot);
  };
  private readonly queue = new Map<string, string>();
  private readonly inFlight = new Map<string, AbortController>();
  private readonly waiters: (() => void)[] = [];
  private closed = false;
  private readonly counts = { requested: 0, verified: 0, fake: 0, unknown: 0, dropped: 0 };

  constructor(
    private readonly verifier: BotVerifier,
    readonly cache: BotVerdictCache,
    private readonly opts: SchedulerOptions,
  ) {}

  /** Queues a verification unless one is cached, queued or running for `ip`. True when queued. */
  request(ip: string, bot: string): boolean {
    if (this.closed || this.inFlight.has(ip) || this.queue.has(ip) || this.cache.has(ip)) return false;
    if (this.queue.size >= this.opts.maxPending) {
      this.counts.dropped++;
      return false;
    }
    this.counts.requested++;
    this.queue.set(ip, bot);
    this.pump();
    return true;
  }

  stats(): BotVerificationStats {
    return {
      ...this.counts,
      pending: this.queue.size,
      inFlight: this.inFlight.size,
      cached: this.cache.size,
    };
  }

  /** Resolves once nothing is queued or running (tests, shutdown). */
  idle(): Promise<void> {
    if (this.queue.size === 0 && this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Drops the queue and aborts running verifications; later claims are ignored. */
  close(): Promise<void> {
    this.closed = true;
    this.queue.clear();
    for (const ac of this.inFlight.values()) ac.abort();
    return this.idle();
  }

  private pump(): void {
    while (this.inFlight.size < this.opts.concurrency && this.queue.size > 0) {
      const next = this.queue.entries().next();
      if (next.done) break;
      const [ip, bot] = next.value;
      this.queue.delete(ip);
      const ac = new AbortController();
      this.inFlight.set(ip, ac);
      void this.run(ip, bot, ac);
    }
    if (this.queue.size === 0 && this.inFlight.size === 0) {
      for (const w of this.waiters.splice(0)) w();
    }
  }

  private async run(ip: string, bot: string, ac: AbortController): Promise<void> {
    const timer = setTimeout(() => ac.abort(), this.opts.timeoutMs);
    timer.unref?.();
    const aborted = new Promise<'unknown'>((resolve) =>
      ac.signal.addEventListener('abort', () => resolve('unknown'), { once: true }),
    );
    let verdict: BotVerdict | 'unknown';
    try {
      verdict = await Promise.race([this.verifier.verify(ip, bot, ac.signal), aborted]);
    } catch {
      verdict = 'unknown';
    } finally {
      clearTimeout(timer);
    }
    if (verdict !== 'verified' && verdict !== 'fake') verdict = 'unknown';
    if (!this.closed) {
      this.cache.set(ip, verdict);
      this.counts[verdict]++;
    }
    this.inFlight.delete(ip);
    this.pump();
  }
}

/** The goodBots config the DNS verification reads (detect.behaviour.goodBots). */
export interface DnsVerificationConfig {
  dns: {
    cacheSize: number;
    ttlMs: number;
    retryMs: number;
    concurrency: number;
    timeoutMs: number;
    maxPending: number;
  };
}

/** What the pipeline plugs into the behaviour detector, and how it stops it. */
export interface BotVerification {
  /** BehaviourDeps.botVerdicts */
  readonly botVerdicts: BotVerdictLookup;
  /** BehaviourDeps.onBotClaim */
  readonly onBotClaim: BotClaimListener;
  readonly scheduler: BotVerificationScheduler;
  stats(): BotVerificationStats;
  close(): Promise<void>;
}

export function createDnsBotVerification(
  goodBots: DnsVerificationConfig,
  deps: { resolver?: DnsResolver & { cancel?(): void }; verifier?: BotVerifier; now?: () => number } = {},
): BotVerification {
  const { dns } = goodBots;
  const resolver = deps.resolver ?? systemResolver(dns.timeoutMs);
  const verifier = deps.verifier ?? new DnsBotVerifier(resolver);
  const cache = new BotVerdictCache({
    maxEntries: dns.cacheSize,
    ttlMs: dns.ttlMs,
    retryMs: dns.retryMs,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const scheduler = new BotVerificationScheduler(verifier, cache, {
    concurrency: dns.concurrency,
    timeoutMs: dns.timeoutMs,
    maxPending: dns.maxPending,
  });
  return {
    botVerdicts: cache,
    onBotClaim: scheduler.onBotClaim,
    scheduler,
    stats: () => scheduler.stats(),
    close: async () => {
      const done = scheduler.close();
      resolver.cancel?.();
      await done;
    },
  };
}
