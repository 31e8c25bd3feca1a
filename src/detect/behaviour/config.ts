/**
 * Behaviour detector configuration: one strict zod schema, every key defaulted. Validation does no I/O;
 * unknown keys are errors (a misspelt capacity must not silently fall back to the default).
 */
import * as z from 'zod';
import { ConfigError, SEVERITIES } from '../../core/index.js';

const positiveInt = z.number().int().positive();
const severity = z.enum(SEVERITIES);
const statusList = z.array(z.number().int().min(100).max(599)).max(32);

/**
 * A leaky bucket: overflows when more than `capacity` tokens are held; leaks one token every `leakMs`.
 * `everyEvent`: while it overflows, every event that pours a token is flagged (each failed login, each flood request
 * is an attack line); otherwise it re-alerts at most once per cooldownMs, with an updated count.
 */
function bucket(capacity: number, leakMs: number, sev: (typeof SEVERITIES)[number], everyEvent = false) {
  return {
    enabled: z.boolean().default(true),
    capacity: z.number().positive().default(capacity),
    leakMs: positiveInt.default(leakMs),
    severity: severity.default(sev),
    everyEvent: z.boolean().default(everyEvent),
  };
}

/** A bucket of a keyed scenario (keyed/scenarios.ts): capacity 0 flags every candidate request. */
function keyedBucket(capacity: number, leakMs: number, sev: (typeof SEVERITIES)[number]) {
  return {
    enabled: z.boolean().default(true),
    capacity: z.number().min(0).default(capacity),
    leakMs: positiveInt.default(leakMs),
    severity: severity.default(sev),
  };
}

/** Path endings of well-known login endpoints (segment-aligned: each starts with '/'). */
export const DEFAULT_LOGIN_SUFFIXES = [
  '/wp-login.php',
  '/xmlrpc.php',
  '/login',
  '/login.php',
  '/user/login',
  '/users/sign_in',
  '/api/auth',
  '/api/login',
  '/api/auth/login',
  '/api/v1/auth/login',
  '/auth/login',
  '/signin',
  '/sign-in',
  '/admin/login',
  '/administrator/index.php',
  '/session',
  '/sessions',
  '/oauth/token',
  '/j_security_check',
  // Admin-session endpoints of common apps (their login forms post here).
  '/j_spring_security_check',
  '/j_acegi_security_check',
  '/admin',
  '/admin.php',
  '/admin/index.php',
  '/admin/login.php',
  '/index.php/admin',
  '/phpmyadmin/index.php',
  '/pma/index.php',
  '/login.aspx',
  '/account/login',
  '/accounts/login',
  '/users/login',
  '/auth',
  '/signin.php',
  '/login.jsp',
];

/** Extensions that are sub-resources whatever the status (lower case, with the dot). */
export const DEFAULT_ASSET_EXTENSIONS = [
  '.css',
  '.js',
  '.mjs',
  '.map',
  '.png',
  '.jpg',
  '.jpeg',
  '.gif',
  '.svg',
  '.ico',
  '.webp',
  '.avif',
  '.bmp',
  '.woff',
  '.woff2',
  '.ttf',
  '.otf',
  '.eot',
  '.mp4',
  '.webm',
  '.mp3',
  '.ogg',
  '.m4a',
  '.wav',
  '.webmanifest',
];
// Not .json/.txt/.xml: scanners probe /composer.json, /readme.txt, /sitemap.xml, and their 404s must count.

const boundedStrings = (max: number) => z.array(z.string().min(1).max(256)).max(max);
/** Login paths start with '/' so that suffix matching stays segment-aligned ('/login' never matches '/mylogin'). */
const pathList = (max: number) => z.array(z.string().startsWith('/').max(256)).max(max);

export const behaviourConfigSchema = z
  .object({
    /** Cap on tracked source IPs; the least recently seen is evicted beyond it. */
    maxTrackedIps: positiveInt.max(10_000_000).default(100_000),
    /** Tumbling feature window, aligned to multiples of itself since the epoch. */
    windowMs: positiveInt.default(60_000),
    /** Grace for out-of-order events (several files interleaved): a window closes this long after its end. */
    maxSkewMs: z.number().int().min(0).default(30_000),
    /**
     * Events up to this much older than the latest one are late arrivals and count at the latest time seen;
     * older ones mean a new timeline (another replay): the IP's state (or, globally, all open windows) restarts.
     */
    rewindMs: positiveInt.default(3_600_000),
    /** After a bucket overflowed, re-alert at most this often, and only with an updated count. */
    cooldownMs: positiveInt.default(600_000),
    /** Closed windows kept until drained; the oldest are dropped (and counted) beyond it. */
    maxClosedWindows: positiveInt.default(10_000),
    /**
     * Windows of ordinary browsers (threat level LEGITIMATE_BROWSER) with fewer hits are counted but not queued:
     * a one-request visit says nothing about behaviour, and such visits are most windows of a busy site.
     * 1 queues every window.
     */
    windowMinHits: positiveInt.default(2),
    /**
     * Keep an IP's first event as a 20-byte parked record until the IP sends a second (ip-table.ts), instead of a
     * 188-byte full record at once: detections and windows are the same either way; most IPs of a busy log send
     * one request, so tracking them costs a fraction of the memory. false gives every new IP a full record.
     */
    compactFirstHit: z.boolean().default(true),
    scenarios: z
      .object({
        httpProbing: z
          .object({ ...bucket(10, 10_000, 'medium'), statuses: statusList.default([403, 404]) })
          .strict()
          .prefault({}),
        /**
         * The slow tail of httpProbing: the same tokens (good bots exempt), a slow leak. Defaults: more than 15 new
         * 4xx paths with one leaking per 5 minutes, i.e. a scanner sustaining more than 12 misses an hour, which
         * one at 12-20 s between requests does within its first 17 or so. Its bucket is one byte of whole tokens
         * (ip-table.ts), hence an integer capacity below 127. Muted while httpProbing overflows (same client).
         */
        slowProbing: z
          .object({
            ...bucket(15, 300_000, 'low'),
            capacity: z.number().int().min(1).max(126).default(15),
          })
          .strict()
          .prefault({}),
        aggressiveCrawl: z
          .object(bucket(60, 2_000, 'low'))
          .strict()
          .prefault({}),
        bruteforce: z
          .object({
            ...bucket(6, 30_000, 'high', true),
            /** Login POST answers that mean "failed": 401/403, and 200 (a failure page; success usually redirects). */
            statuses: statusList.default([200, 401, 403]),
            /** Answers to any request, on any path, that count as a failed login (HTTP basic auth challenges). */
            authStatuses: statusList.default([401]),
            pathSuffixes: pathList(256).default(DEFAULT_LOGIN_SUFFIXES),
            pathPrefixes: pathList(256).default([]),
          })
          .strict()
          .prefault({}),
        requestFlood: z
          .object({ ...bucket(60, 100, 'high', true), assetWeight: z.number().min(0).max(1).default(0.2) })
          .strict()
          .prefault({}),
        uaRotation: z
          // Capacity above a busy NAT's burst of first sightings; a request with the previous request's UA credits
          // tokens back. switchWeight: tokens for switching back to a UA already seen in the window, which catches a
          // client cycling through a few UAs but also flags a NAT whose users interleave; 0 (default) where NATs
          // front the clients, e.g. 0.5 for an API whose clients each have their own address.
          .object({
            ...bucket(20, 30_000, 'medium'),
            reuseCredit: z.number().min(0).max(1).default(0.25),
            switchWeight: z.number().min(0).max(1).default(0),
          })
          .strict()
          .prefault({}),
        ja4Rotation: z
          .object({ ...bucket(12, 30_000, 'medium'), reuseCredit: z.number().min(0).max(1).default(0.25) })
          .strict()
          .prefault({}),
        headless: z
          .object({ ...bucket(20, 60_000, 'medium'), minSiteAssetSightings: positiveInt.default(50) })
          .strict()
          .prefault({}),
        recurrence: z
          .object(bucket(1, 6 * 3_600_000, 'high'))
          .strict()
          .prefault({}),
        // Keyed scenarios (keyed/scenarios.ts): their state is touched only by the requests that pour into them.
        userEnumeration: z.object(keyedBucket(1, 60_000, 'medium')).strict().prefault({}),
        cacheBusting: z.object(keyedBucket(40, 200, 'high')).strict().prefault({}),
        notFoundFlood: z.object(keyedBucket(100, 50, 'high')).strict().prefault({}),
        malformedRequest: z.object(keyedBucket(0, 60_000, 'low')).strict().prefault({}),
      })
      .strict()
      .prefault({}),
    assets: z
      .object({
        extensions: boundedStrings(256).default(DEFAULT_ASSET_EXTENSIONS),
        /** Responses at least this large, on paths without a page-like extension, are downloads or media. */
        largeResponseBytes: positiveInt.default(1 << 20),
        /** A request whose referer is the page this IP fetched at most this long ago is a sub-resource candidate. */
        subresourceGapMs: positiveInt.default(3_000),
        /** Distinct voting IPs before a path family is learned as an asset of its site. */
        minVoters: z.number().int().min(1).max(32).default(3),
        maxHosts: positiveInt.max(100_000).default(1_000),
        maxFamiliesPerHost: positiveInt.max(100_000).default(4_096),
      })
      .strict()
      .prefault({}),
    goodBots: z
      .object({
        /** Case-insensitive User-Agent tokens; defaults to KNOWN_BOT_TOKENS. */
        tokens: boundedStrings(512).optional(),
        /** Only IPs the BotVerifier confirmed count as known bots (default: a claim suffices unless proven fake). */
        requireVerified: z.boolean().default(false),
        /**
         * Forward-confirmed reverse DNS of crawler claims (`serve` only; `analyze` stays offline): PTR of the IP must
         * end in the bot's documented domain and that name must resolve back to the IP. Off by default (DNS I/O).
         */
        verifyDns: z.boolean().default(false),
        /** Bounds of the DNS verifier: verdict cache, how long verdicts last, how many lookups run at once. */
        dns: z
          .object({
            /** Verdicts kept (one per IP); the oldest is evicted first. */
            cacheSize: positiveInt.max(1_000_000).default(10_000),
            /** How long a verified/fake verdict is trusted. */
            ttlMs: positiveInt.max(7 * 86_400_000).default(86_400_000),
            /** How long an inconclusive lookup (timeout, server failure, bot without rDNS) waits before a retry. */
            retryMs: positiveInt.max(86_400_000).default(3_600_000),
            /** Lookups in flight at once. */
            concurrency: positiveInt.max(64).default(4),
            /** Per-verification budget (PTR plus forward lookup); past it the verdict is inconclusive. */
            timeoutMs: positiveInt.min(100).max(30_000).default(2_000),
            /** Claims waiting for a free lookup slot; further claims are dropped until the queue drains. */
            maxPending: positiveInt.max(100_000).default(1_000),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type BehaviourConfigInput = z.input<typeof behaviourConfigSchema>;
export type BehaviourConfig = z.output<typeof behaviourConfigSchema>;

/** Validates without I/O; throws ConfigError naming the first bad key. */
export function parseBehaviourConfig(input: unknown = {}): BehaviourConfig {
  // Once per start: zod's JIT would cost more than it saves (as validateConfig in src/config/load.ts).
  const result = behaviourConfigSchema.safeParse(input, { jitless: true });
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = ['behaviour', ...(issue?.path ?? []).map(String)].join('.');
    throw new ConfigError(key, issue?.message ?? 'invalid');
  }
  return result.data;
}
