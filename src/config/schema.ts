/**
 * The whole configuration, one typed place. Unknown keys are errors (a typo must not be silently
 * ignored). Validation here does no I/O; files and sockets are opened only after it passes.
 */
import * as z from 'zod';
import { decisionsConfigSchema } from '../decide/index.config.js';
import { enrichConfigSchema, ENRICH_SECRET_KEYS } from '../enrich/index.config.js';
import { notifyConfigSchema } from '../notify/index.config.js';
import { crowdsecConfigSchema } from './crowdsec-schema.js';
import { detectConfigSchema } from './detect-schema.js';

const port = z.number().int().min(0).max(65535);

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: port.default(8000),
        /** Trust X-Forwarded-For on API requests (when Rampart's API sits behind a proxy). */
        trustProxy: z.boolean().default(false),
        /**
         * Host names the API answers besides loopback names and IP addresses (against DNS rebinding);
         * `*` for any. Unset on a non-loopback bind: any (src/api/host-check.ts).
         */
        allowedHosts: z.array(z.string().min(1).max(253)).default([]),
        /**
         * A second address serving only GET /metrics, without a key, for a Prometheus scraper on a private
         * network (`127.0.0.1:9464`, `[::1]:9464`, `10.0.0.5:9464`). Unset: /metrics on the API port only.
         */
        metricsListen: z
          .string()
          .max(300)
          .regex(/^(?:\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:9464 or [::1]:9464')
          .optional(),
        /** Browser origins allowed to call the API (CORS), exact `scheme://host[:port]`; none by default (same origin only). */
        corsOrigins: z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'expected scheme://host[:port]').max(300)).default([]),
      })
      .strict()
      .prefault({}),
    store: z
      .object({
        /** postgres://… for a server; unset → embedded PGlite in `dataDir`. */
        databaseUrl: z.string().optional(),
        dataDir: z.string().min(1).default('./data'),
        retentionDays: z.number().positive().max(3650).default(7),
        /**
         * IP windows stored only with at least this many hits, or a threat level other than
         * LEGITIMATE_BROWSER (bounds the table on sites with many one-visit browsers).
         */
        windowMinHits: z.number().int().min(1).max(1_000_000).default(3),
      })
      .strict()
      .prefault({}),
    ingest: z
      .object({
        /** Paths or globs of access logs to follow. */
        logs: z.array(z.string().min(1)).default([]),
        /** combined | common | apache_combined | json, or `custom` with `logFormat`. */
        format: z.string().default('combined'),
        /** An nginx log_format string; when set, a parser is compiled from it. */
        logFormat: z.string().optional(),
        /** IANA zone for formats whose timestamps carry no offset. */
        timezone: z.string().default('UTC'),
        startAt: z.enum(['end', 'start']).default('end'),
        /** CIDRs whose X-Forwarded-For is believed; `cdn` and `private` name built-in sets. */
        trustedProxies: z.array(z.string()).default([]),
        batchLines: z.number().int().min(1).max(100_000).default(5000),
        pollIntervalMs: z.number().int().min(10).max(60_000).default(250),
        /** Where rotated files go when not beside the log as `access.log.1`, `-20240102`, `.2.gz` (README). */
        rotation: z
          .object({ glob: z.array(z.string().min(1)).default([]) })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    demo: z
      .object({
        /** Run the traffic simulator when no log is configured. */
        enabled: z.boolean().default(true),
        ratePerSecond: z.number().positive().max(100_000).default(20),
        seed: z.number().int().default(1),
        out: z.string().optional(),
        /** combined, or ja4: combined plus a quoted JA4, which the demo source then parses (ja4-rotation fires). */
        format: z.enum(['combined', 'ja4']).default('combined'),
      })
      .strict()
      .prefault({}),
    redis: z
      .object({ url: z.string().optional() })
      .strict()
      .prefault({}),
    /** Live alerts over WebSocket and SSE (docs/api.md#live-alerts); across processes through Redis when redis.url is set. */
    live: z
      .object({
        /** Messages kept for clients that reconnect with a resume token. */
        resumeBuffer: z.number().int().min(1).max(1_000_000).default(10_000),
        /** How long a message stays resumable. */
        resumeSeconds: z.number().int().min(1).max(86_400).default(300),
        /** Heartbeat message and WebSocket ping interval; 0 turns them off. */
        heartbeatSeconds: z.number().min(0).max(3600).default(30),
        /** Bytes a client may have waiting to be sent before it is closed as too slow (4008). */
        clientMaxBytes: z.number().int().min(1024).max(1 << 30).default(1 << 20),
        /** Messages a client may have waiting to be sent before it is closed as too slow (4008). */
        clientMaxMessages: z.number().int().min(1).max(1_000_000).default(1_000),
        /** Redis pub/sub channel shared by the API processes of one deployment. */
        redisChannel: z.string().min(1).max(200).default('rampart:live'),
      })
      .strict()
      .prefault({}),
    /** Who may call the API (src/api/auth, README "Access control"). */
    auth: z
      .object({
        /**
         * `keys` (default): every route but /health, /ready and the docs needs a key. `off`: open, with a
         * warning; refused on a non-loopback server.host.
         */
        mode: z.enum(['keys', 'off']).default('keys'),
        /** An admin key given by environment (RAMPART_API_KEY); only its hash is kept in memory. */
        apiKey: z.string().min(16, 'must be at least 16 characters').max(256).optional(),
        /** On a loopback bind with no key at all, create an admin key at start and print it once. */
        firstRunKey: z.boolean().default(true),
        rateLimit: z
          .object({
            /** Requests per window for each key. */
            perKey: z.number().int().min(1).max(10_000_000).default(1200),
            /** Requests per window for each client IP on calls without a key (public routes). */
            perIp: z.number().int().min(1).max(10_000_000).default(600),
            /** Failed authentications per window for each client IP; then 429 until the window ends. */
            failedAuth: z.number().int().min(1).max(100_000).default(10),
            windowSeconds: z.number().int().min(1).max(86_400).default(60),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    log: z
      .object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') })
      .strict()
      .prefault({}),
    /** Rule packs, simulation, allowlists, exclusion profiles, behaviour (src/config/detect-schema.ts, docs/detection.md). */
    detect: detectConfigSchema.prefault({}),
    /** GeoIP/ASN, threat-intel providers, the collector (src/enrich/config.ts, docs/enrichment.md). */
    enrich: enrichConfigSchema.prefault({}),
    /** A CrowdSec LAPI as a source and a sink (src/config/crowdsec-schema.ts, docs/crowdsec.md); off by default. */
    crowdsec: crowdsecConfigSchema.prefault({}),
    /** Webhook, Slack and e-mail notifications of alerts (src/notify/config.ts, docs/notifications.md); off without channels. */
    notify: notifyConfigSchema.prefault({}),
    /** The decision policy: threats to bans, captchas, throttles (src/decide/config.ts, docs/api.md "Decisions and bouncers"). */
    decisions: decisionsConfigSchema.prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
/** What a config file, env or flags may say: any subset, same shape. */
export type ConfigInput = z.input<typeof configSchema>;

/** Dotted paths of values that must never be printed or logged. URLs are masked only in their password. */
export const SECRET_KEYS: ReadonlySet<string> = new Set<string>([...ENRICH_SECRET_KEYS, 'auth.apiKey', 'crowdsec.bouncerKey', 'crowdsec.machine.password']);
export const URL_KEYS: ReadonlySet<string> = new Set(['store.databaseUrl', 'redis.url']);
