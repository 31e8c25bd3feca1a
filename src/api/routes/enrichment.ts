/**
 * Indicator lookups and enrichment status:
 *   GET  /api/lookup/:ioc          one indicator (type detected; ?debug=true adds raw provider bodies)
 *   POST /api/lookup/bulk          up to 100 indicators, {"iocs": [...]}
 *   GET  /api/enrichment/status    providers (configured, quota left, breaker), GeoIP databases, collector
 * Registered through the plugin seam (`enrichmentRoutes(enrichment)` in ApiDeps.extraRoutes), so the API
 * core does not depend on the enrichment stage. Input is hostile: the schemas bound every value, and
 * detectIoc refuses what is not an indicator with a 400 naming what was seen.
 */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import type { EnrichmentService, GeoDatabaseInfo } from '../../enrich/index.js';
import { MAX_BULK, MAX_IOC_LENGTH } from '../../enrich/index.js';
import { errorResponses } from '../errors.js';
import type { ApiPlugin } from '../types.js';

/** Bulk bodies: 100 indicators of up to 2 KiB, JSON-escaped, plus the envelope. */
export const BULK_BODY_LIMIT = MAX_BULK * (MAX_IOC_LENGTH * 2 + 16) + 1024;

export interface CollectorStatus {
  enabled: boolean;
  intervalSeconds: number;
  batchSize: number;
  /** The last run's figures, null before the first. */
  lastRun: { at: string; picked: number; enriched: number; sourceErrors: number; failed: number; durationMs: number } | null;
  /** Sums over every run since the process started: a run that found nothing due does not hide earlier work. */
  totals: { runs: number; picked: number; enriched: number; skipped: number; sourceErrors: number; failed: number };
}

export interface EnrichmentApi {
  service: Pick<EnrichmentService, 'lookup' | 'bulk' | 'status'>;
  geoDatabases: readonly GeoDatabaseInfo[];
  geoOnline: boolean;
  collector?: () => CollectorStatus;
}

const providerResultSchema = {
  type: 'object',
  properties: {
    source: { type: 'string' },
    status: { type: 'string', enum: ['ok', 'error', 'skipped'] },
    data: { type: ['object', 'null'], additionalProperties: true, description: "The provider's answer, normalised (docs/enrichment.md)." },
    error: { type: 'string', description: 'Why it failed or was skipped (never contains an API key).' },
    duration_ms: { type: 'number' },
    cached: { type: 'boolean' },
    raw: { description: "The provider's body, with ?debug=true on a fresh answer." },
  },
  required: ['source', 'status', 'data', 'duration_ms'],
} as const;

const geoResultSchema = {
  type: 'object',
  additionalProperties: true,
  description: 'Local GeoIP/ASN answer; private, reserved and bogon addresses carry only kind.',
  properties: {
    ip: { type: 'string' },
    kind: { type: 'string' },
    country: { type: 'object', properties: { iso: { type: 'string' }, name: { type: 'string' } } },
    subdivision: { type: 'string' },
    city: { type: 'string' },
    location: { type: 'object', properties: { lat: { type: 'number' }, lon: { type: 'number' }, accuracyKm: { type: 'number' } } },
    asn: { type: 'object', properties: { number: { type: 'integer' }, org: { type: 'string' } } },
    network: { type: 'string' },
    source: { type: 'string' },
  },
} as const;

const lookupResultSchema = {
  $id: 'LookupResult',
  type: 'object',
  properties: {
    ioc: { type: 'string', description: 'Canonical form of the indicator.' },
    type: { type: 'string', enum: ['ipv4', 'ipv6', 'cidr', 'domain', 'url', 'md5', 'sha1', 'sha256', 'email'] },
    sources: { type: 'array', items: providerResultSchema },
    risk_score: { type: 'integer', minimum: 0, maximum: 100 },
    risk_level: { type: 'string', enum: ['none', 'low', 'medium', 'high', 'critical'] },
    categories: { type: 'array', items: { type: 'string' } },
    geo: geoResultSchema,
  },
  required: ['ioc', 'type', 'sources', 'risk_score', 'risk_level', 'categories'],
} as const;

const bulkItemSchema = {
  anyOf: [
    { $ref: 'LookupResult#' },
    {
      type: 'object',
      properties: { ioc: { type: 'string' }, error: { type: 'string' }, code: { type: 'string' } },
      required: ['ioc', 'error', 'code'],
    },
  ],
} as const;

const databaseSchema = {
  type: 'object',
  properties: {
    file: { type: 'string' },
    role: { type: 'string', enum: ['geo', 'asn'] },
    type: { type: 'string', description: 'The database type from its metadata, checked against the role at start-up.' },
    build_date: { type: ['string', 'null'], format: 'date-time' },
    families: { type: 'array', items: { type: 'integer' } },
    entries: { type: 'integer' },
  },
  required: ['file', 'role', 'type', 'build_date', 'families'],
} as const;

const statusSchema = {
  type: 'object',
  properties: {
    providers: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          configured: { type: 'boolean' },
          reason: { type: 'string', description: 'Why the provider is skipped (no API key).' },
          remaining_today: { type: ['integer', 'null'], description: 'Local daily budget left; null when unlimited.' },
          breaker: { type: 'string', enum: ['closed', 'open', 'half_open'] },
          counters: {
            type: 'object',
            properties: { calls: { type: 'integer' }, ok: { type: 'integer' }, error: { type: 'integer' }, skipped: { type: 'integer' }, cached: { type: 'integer' } },
          },
        },
        required: ['name', 'configured', 'remaining_today', 'breaker'],
      },
    },
    geoip: {
      type: 'object',
      properties: { databases: { type: 'array', items: databaseSchema }, online_fallback: { type: 'boolean' } },
      required: ['databases', 'online_fallback'],
    },
    collector: {
      type: 'object',
      additionalProperties: true,
      properties: {
        enabled: { type: 'boolean' },
        interval_seconds: { type: 'integer' },
        batch_size: { type: 'integer' },
        last_run: { type: ['object', 'null'], additionalProperties: true },
        totals: {
          type: 'object',
          properties: Object.fromEntries(['runs', 'picked', 'enriched', 'skipped', 'source_errors', 'failed'].map((k) => [k, { type: 'integer' }])),
        },
      },
    },
  },
  required: ['providers', 'geoip'],
} as const;

const debugQuery = z
  .object({
    debug: z
      .enum(['true', 'false', '1', '0'])
      .default('false')
      .transform((v) => v === 'true' || v === '1')
      .describe("Add each provider's raw body."),
  })
  .strict();

const iocParams = z
  .object({ ioc: z.string().min(1).max(MAX_IOC_LENGTH).describe('The indicator; percent-encode URLs.') })
  .strict();

const bulkBody = z
  .object({ iocs: z.array(z.string().max(MAX_IOC_LENGTH)).min(1).max(MAX_BULK) })
  .strict();

export function databasesToJson(dbs: readonly GeoDatabaseInfo[]) {
  return dbs.map((d) => ({ file: d.file, role: d.role, type: d.type, build_date: d.buildDate, families: d.families, ...(d.entries !== undefined ? { entries: d.entries } : {}) }));
}

export function enrichmentRoutes(enrichment: EnrichmentApi): ApiPlugin {
  return (app: FastifyInstance) => {
    app.addSchema(lookupResultSchema);

    app.get<{ Params: z.output<typeof iocParams>; Querystring: z.output<typeof debugQuery> }>(
      '/api/lookup/:ioc',
      {
        config: { scope: 'read' },
        schema: {
          tags: ['enrichment'],
          summary: 'Look up one indicator in every configured provider, plus GeoIP for addresses',
          description:
            'Detects the type (ipv4, ipv6, cidr, domain, url, md5, sha1, sha256, email; defanged input accepted). ' +
            'Anything else is 400 unsupported_ioc naming what was seen. Percent-encode URLs. Providers without an API key are `skipped`.',
          params: iocParams,
          querystring: debugQuery,
          response: { 200: { $ref: 'LookupResult#' }, ...errorResponses },
        },
      },
      async (request) => enrichment.service.lookup(request.params.ioc, { debug: request.query.debug, signal: abortOnClose(request.raw) }),
    );

    app.post<{ Body: z.output<typeof bulkBody>; Querystring: z.output<typeof debugQuery> }>(
      '/api/lookup/bulk',
      {
        config: { scope: 'read' },
        bodyLimit: BULK_BODY_LIMIT,
        schema: {
          tags: ['enrichment'],
          summary: `Look up to ${MAX_BULK} indicators`,
          description: 'Answers in input order; an indicator that is not one gets its own error item and does not fail the rest.',
          querystring: debugQuery,
          body: bulkBody,
          response: {
            200: { type: 'object', properties: { items: { type: 'array', items: bulkItemSchema } }, required: ['items'] },
            ...errorResponses,
          },
        },
      },
      async (request) => ({ items: await enrichment.service.bulk(request.body.iocs, { debug: request.query.debug, signal: abortOnClose(request.raw) }) }),
    );

    app.get(
      '/api/enrichment/status',
      {
        config: { scope: 'read' },
        schema: {
          tags: ['enrichment'],
          summary: 'Providers (configured, quota left, breaker), GeoIP databases (type, build date), collector',
          response: { 200: statusSchema, ...errorResponses },
        },
      },
      async () => {
        const c = enrichment.collector?.();
        return {
          providers: await enrichment.service.status(),
          geoip: { databases: databasesToJson(enrichment.geoDatabases), online_fallback: enrichment.geoOnline },
          ...(c
            ? {
                collector: {
                  enabled: c.enabled,
                  interval_seconds: c.intervalSeconds,
                  batch_size: c.batchSize,
                  last_run: c.lastRun,
                  totals: {
                    runs: c.totals.runs,
                    picked: c.totals.picked,
                    enriched: c.totals.enriched,
                    skipped: c.totals.skipped,
                    source_errors: c.totals.sourceErrors,
                    failed: c.totals.failed,
                  },
                },
              }
            : {}),
        };
      },
    );
  };
}

/** Provider calls stop when the client goes away (bounded anyway by the provider deadline). */
function abortOnClose(req: import('node:http').IncomingMessage): AbortSignal {
  const ac = new AbortController();
  req.socket?.once('close', () => ac.abort());
  return ac.signal;
}
