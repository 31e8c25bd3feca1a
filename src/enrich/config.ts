/**
 * Enrichment configuration: the `enrich` section, to be mounted in src/config/schema.ts, with its
 * env bindings and secret keys. Validation does no I/O; files and sockets open in createEnrichment.
 */
import * as z from 'zod';
import { SEVERITIES } from '../core/index.js';

const ms = (def: number) => z.number().int().min(1).max(600_000).default(def);

const provider = (baseUrl: string, quota: { perMinute?: number; perDay?: number }) =>
  z
    .object({
      /** Empty (`ABUSEIPDB_API_KEY=` in a .env) means not set: the provider is skipped. */
      apiKey: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
      baseUrl: z.url().default(baseUrl),
      perMinute: z.number().int().positive().optional().default(quota.perMinute as number),
      perDay: z.number().int().positive().optional().default(quota.perDay as number),
    })
    .strict()
    .prefault({});

export const enrichConfigSchema = z
  .object({
    http: z
      .object({
        connectTimeoutMs: ms(3000),
        readTimeoutMs: ms(8000),
        /** Whole provider call, retries included. */
        deadlineMs: ms(10_000),
        retries: z.number().int().min(0).max(5).default(2),
        backoffMs: z.number().int().min(0).max(10_000).default(200),
        /** Sockets per provider (quotas, not sockets, bound the free tiers). */
        connections: z.number().int().min(1).max(256).default(32),
      })
      .strict()
      .prefault({}),
    providers: z
      .object({
        abuseipdb: provider('https://api.abuseipdb.com/api/v2', { perDay: 1000 }),
        virustotal: provider('https://www.virustotal.com/api/v3', { perMinute: 4, perDay: 500 }),
        otx: provider('https://otx.alienvault.com/api/v1', { perMinute: 100 }),
      })
      .strict()
      .prefault({}),
    breaker: z
      .object({ threshold: z.number().int().min(1).max(100).default(5), cooldownMs: ms(60_000) })
      .strict()
      .prefault({}),
    cache: z
      .object({
        /** How long a provider's answer is reused (no request) — per provider, same TTL. */
        ttlSeconds: z.number().int().min(0).max(30 * 86_400).default(86_400),
        /** In-process entries when Redis is not configured. */
        maxEntries: z.number().int().min(100).max(10_000_000).default(50_000),
      })
      .strict()
      .prefault({}),
    geoip: z
      .object({
        /** City .mmdb files (MaxMind GeoLite2/GeoIP2-City, or an ip-location-db ipv4 + ipv6 pair). */
        cityFiles: z.array(z.string().min(1)).default([]),
        /** Country .mmdb files: used after the City files, for addresses those do not cover. */
        countryFiles: z.array(z.string().min(1)).default([]),
        /** ASN files: GeoLite2-ASN .mmdb, or ip-location-db CSV (asn-ipv4.csv, asn-ipv6.csv). */
        asnFiles: z.array(z.string().min(1)).default([]),
        /**
         * Use the shipped @ip-location-db files for a role (geo, ASN) no file is configured for.
         * Off: only configured files are opened.
         */
        bundled: z.boolean().default(true),
        cacheSize: z.number().int().min(0).max(10_000_000).default(100_000),
        maxAgeDays: z.number().int().min(1).max(3650).default(60),
        online: z
          .object({
            enabled: z.boolean().default(false),
            baseUrl: z.url().default('http://ip-api.com'),
            perMinute: z.number().int().min(1).max(10_000).default(45),
            timeoutMs: ms(3000),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    collector: z
      .object({
        enabled: z.boolean().default(false),
        intervalSeconds: z.number().int().min(1).max(86_400).default(60),
        batchSize: z.number().int().min(1).max(100).default(20),
        /** Re-enrich an IOC when its last enrichment is older than this. */
        ttlSeconds: z.number().int().min(60).max(90 * 86_400).default(86_400),
        /** Sooner retry when a source failed (outage, quota). */
        retrySeconds: z.number().int().min(10).max(86_400).default(900),
        /** Threat sources at or above this severity are added as IOCs automatically. */
        minSeverity: z.enum(SEVERITIES).default('high'),
      })
      .strict()
      .prefault({}),
    reputation: z
      .object({
        /** Threats whose source IP has an IOC summary at or above this risk score carry it as `reputation`. */
        minScore: z.number().int().min(0).max(100).default(25),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type EnrichConfig = z.infer<typeof enrichConfigSchema>;

/**
 * Env → config key, for src/config/env.ts (keys relative to the root config). Aliases are read when the
 * first name is not set: names documented earlier, and those of the services Rampart replaces.
 * HTTP_* and SOURCE_TIMEOUT are in seconds (decimals allowed), for keys kept in milliseconds.
 */
export const ENRICH_ENV_BINDINGS: readonly { env: string; key: string; kind: 'string' | 'number' | 'boolean' | 'list' | 'seconds-ms'; aliases?: readonly string[] }[] = [
  { env: 'ABUSEIPDB_API_KEY', key: 'enrich.providers.abuseipdb.apiKey', kind: 'string' },
  { env: 'VIRUSTOTAL_API_KEY', key: 'enrich.providers.virustotal.apiKey', kind: 'string' },
  { env: 'OTX_API_KEY', key: 'enrich.providers.otx.apiKey', kind: 'string' },
  { env: 'ABUSEIPDB_BASE_URL', key: 'enrich.providers.abuseipdb.baseUrl', kind: 'string' },
  { env: 'VIRUSTOTAL_BASE_URL', key: 'enrich.providers.virustotal.baseUrl', kind: 'string' },
  { env: 'OTX_BASE_URL', key: 'enrich.providers.otx.baseUrl', kind: 'string' },
  { env: 'HTTP_CONNECT_TIMEOUT', key: 'enrich.http.connectTimeoutMs', kind: 'seconds-ms', aliases: ['HTTP_TIMEOUT'] },
  { env: 'HTTP_READ_TIMEOUT', key: 'enrich.http.readTimeoutMs', kind: 'seconds-ms', aliases: ['HTTP_TIMEOUT'] },
  { env: 'SOURCE_TIMEOUT', key: 'enrich.http.deadlineMs', kind: 'seconds-ms' },
  // RAMPART_GEOIP_CITY / _ASN were documented first; the GEOIP_*_DB names (the issue's) win when both are set.
  { env: 'GEOIP_CITY_DB', key: 'enrich.geoip.cityFiles', kind: 'list', aliases: ['RAMPART_GEOIP_CITY'] },
  { env: 'GEOIP_COUNTRY_DB', key: 'enrich.geoip.countryFiles', kind: 'list' },
  { env: 'GEOIP_ASN_DB', key: 'enrich.geoip.asnFiles', kind: 'list', aliases: ['RAMPART_GEOIP_ASN'] },
  { env: 'GEOIP_BUNDLED', key: 'enrich.geoip.bundled', kind: 'boolean' },
  { env: 'RAMPART_GEOIP_ONLINE', key: 'enrich.geoip.online.enabled', kind: 'boolean' },
  { env: 'COLLECTOR_ENABLED', key: 'enrich.collector.enabled', kind: 'boolean' },
  { env: 'COLLECTOR_INTERVAL_SECONDS', key: 'enrich.collector.intervalSeconds', kind: 'number', aliases: ['COLLECTOR_INTERVAL'] },
  { env: 'COLLECTOR_BATCH_SIZE', key: 'enrich.collector.batchSize', kind: 'number' },
  { env: 'ENRICH_TTL_SECONDS', key: 'enrich.collector.ttlSeconds', kind: 'number', aliases: ['COLLECTOR_TTL_SECONDS'] },
  { env: 'COLLECTOR_RETRY_SECONDS', key: 'enrich.collector.retrySeconds', kind: 'number' },
  { env: 'COLLECTOR_MIN_SEVERITY', key: 'enrich.collector.minSeverity', kind: 'string' },
  { env: 'REPUTATION_MIN_SCORE', key: 'enrich.reputation.minScore', kind: 'number' },
];

/** Values never printed or logged. */
export const ENRICH_SECRET_KEYS = ['enrich.providers.abuseipdb.apiKey', 'enrich.providers.virustotal.apiKey', 'enrich.providers.otx.apiKey'] as const;
