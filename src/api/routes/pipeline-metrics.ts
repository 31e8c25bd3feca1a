/**
 * GET /api/metrics/pipeline: the pipeline's counters, per source, per stage and per sink. The first thing
 * to check when "nothing is detected": are lines read, parsed, stored, and how far behind is ingest?
 * The snapshot goes out as the pipeline names it (camelCase), which `rampart status` reads.
 */
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../errors.js';
import type { ApiDeps } from '../types.js';

const count = { type: 'integer', minimum: 0 } as const;
const nullableNumber = { type: ['number', 'null'] } as const;

const sourceSchema = {
  type: 'object',
  properties: {
    read: { ...count, description: 'Lines read.' },
    parsed: count,
    unparsed: { ...count, description: 'Lines no log format could parse.' },
    overlong: { ...count, description: 'Lines over the maximum length, rejected before parsing.' },
    detected: { ...count, description: 'Events on which a detector fired.' },
    threats: count,
    stored: count,
    dropped: { ...count, description: 'Accepted lines discarded later; should stay 0.' },
    lostBytes: {
      ...count,
      description: 'Bytes of the log that could not be read (truncated before read, no rotated copy found); should stay 0.',
    },
    losses: { ...count, description: 'Times part of the log could not be recovered; lostBytes may not know the size.' },
    batches: count,
    newestEventTime: { ...nullableNumber, description: 'Newest event time processed, epoch ms.' },
    lagMs: { ...nullableNumber, description: 'Ingest lag: now minus newestEventTime, ms.' },
  },
  required: [
    'read',
    'parsed',
    'unparsed',
    'overlong',
    'detected',
    'threats',
    'stored',
    'dropped',
    'lostBytes',
    'losses',
    'batches',
    'newestEventTime',
    'lagMs',
  ],
} as const;

const stageSchema = {
  type: 'object',
  properties: {
    events: count,
    batches: count,
    ms: { type: 'number', description: 'Cumulative time in the stage; ms / batches is the mean latency.' },
    errors: count,
  },
  required: ['events', 'batches', 'ms', 'errors'],
} as const;

const sinkSchema = {
  type: 'object',
  properties: {
    delivered: { ...count, description: 'Batches the sink took.' },
    failed: { ...count, description: 'Batches whose delivery threw or rejected.' },
    dropped: { ...count, description: "Batches dropped because the sink's bounded queue was full." },
    queued: { ...count, description: 'Batches waiting now.' },
  },
  required: ['delivered', 'failed', 'dropped', 'queued'],
} as const;

const metricsSchema = {
  type: 'object',
  properties: {
    startedAt: { type: 'string', format: 'date-time' },
    uptimeS: { type: 'number' },
    sources: { type: 'object', additionalProperties: sourceSchema, description: 'Keyed by source id.' },
    stages: {
      type: 'object',
      properties: { parse: stageSchema, detect: stageSchema, store: stageSchema },
      required: ['parse', 'detect', 'store'],
    },
    sinks: {
      type: 'object',
      additionalProperties: sinkSchema,
      description: 'Outputs after the store (live bus, IOC collector), keyed by name; each has its own bounded queue.',
    },
    totals: sourceSchema,
    linesPerSecond: { type: 'number', description: 'Lines read per second, averaged since start.' },
    storeAvailability: {
      type: 'object',
      properties: {
        outages: { ...count, description: 'Store outages since start (failed writes or connections until a success).' },
        retries: { ...count, description: 'Failed attempts after the first of each outage.' },
        downSince: { ...nullableNumber, description: 'Start of the current outage, epoch ms; null while the store answers.' },
        lastError: { type: ['string', 'null'], description: 'Why the current outage began, e.g. connection refused.' },
      },
      required: ['outages', 'retries', 'downSince', 'lastError'],
    },
  },
  required: ['startedAt', 'uptimeS', 'sources', 'stages', 'totals', 'linesPerSecond'],
} as const;

export function pipelineMetricsRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'pipeline'>): void {
  app.get(
    '/api/metrics/pipeline',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['metrics'],
        summary: 'Pipeline counters per source and per stage, with ingest lag',
        response: { 200: metricsSchema, ...errorResponses },
      },
    },
    async () => deps.pipeline.snapshot(),
  );
}
