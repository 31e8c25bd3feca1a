/**
 * POST /api/threats/ingest (one event) and POST /api/threats/bulk-ingest (a JSON array, or NDJSON, of up to
 * 10,000): events from other sensors (issue #11). Each event is validated by one zod schema (ingest-schema.ts);
 * the valid ones enter the pipeline at the detect seam as one batch and are stored in one transaction before the
 * answer, so they are in /api/threats and /api/stats at once. A bulk stores its good items and names, per bad
 * item, its index, the field and the problem.
 */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { CATEGORIES, SEVERITIES } from '../../core/index.js';
import type { IngestedEvent, SensorEvent, SensorIngest } from '../../ingest/index.js';
import { errorResponses } from '../errors.js';
import { compileRequestSchema, describeIssue, documentAs, pathName, toRequestJsonSchema } from '../request-schema.js';
import { routeResponseSchema } from '../response-schema.js';
import type { ApiDeps, ApiPlugin } from '../types.js';
import { BULK_BODY_LIMIT, fastSensorEvent, MAX_BULK_EVENTS, SINGLE_BODY_LIMIT, sensorEventSchema } from './ingest-schema.js';

const ingestedJson = z.object({
  id: z.string().describe('The stored event id (and threat id when flagged); the same for every retry of an event_id.'),
  flagged: z.boolean().describe('Stored as a threat: the sensor\'s verdict or one of our detectors flagged it.'),
  score: z.number().describe('0-1, over the sensor\'s verdict and our detections; 0 when not flagged.'),
  severity: z.enum(SEVERITIES).nullable(),
  category: z.enum(CATEGORIES).nullable(),
});

const bulkItemError = z.object({
  index: z.number().int().min(0).describe('Position of the item in the array (or line number from 0 in NDJSON).'),
  field: z.string().describe('The field that was wrong, or (item) for the item as a whole.'),
  problem: z.string(),
});
export type BulkItemError = z.output<typeof bulkItemError>;

const bulkJson = z.object({
  accepted: z.number().int().min(0),
  rejected: z.number().int().min(0),
  results: z.array(ingestedJson.extend({ index: z.number().int().min(0) })).describe('One per accepted item, in order.'),
  errors: z.array(bulkItemError).describe('One per rejected item, in order.'),
});

/** A 400 for a bulk whose every item was refused: the usual error fields and the per-item errors. */
const bulkRefusedJson = z.object({
  error: z.string(),
  message: z.string(),
  accepted: z.number().int().min(0).optional(),
  rejected: z.number().int().min(0).optional(),
  errors: z.array(bulkItemError).optional(),
});

/** An NDJSON line that is not JSON: refused as its item, the other lines go on. */
class UnparsableLine {
  constructor(readonly problem: string) {}
}

export interface IngestRouteDeps extends Pick<ApiDeps, 'clock'> {
  ingest: SensorIngest;
}

function toJson(r: IngestedEvent) {
  return { id: r.id, flagged: r.flagged, score: r.score, severity: r.severity, category: r.category };
}

export function ingestRoutes(app: FastifyInstance, deps: IngestRouteDeps): void {
  const clock = deps.clock ?? Date.now;
  const eventSchema = sensorEventSchema(clock);
  const eventJsonSchema = toRequestJsonSchema(eventSchema);
  const known = Object.keys(eventJsonSchema.properties as object);

  // Only this scope's routes read NDJSON; a line that is not JSON is that item's error, not the request's.
  app.addContentTypeParser('application/x-ndjson', { parseAs: 'string', bodyLimit: BULK_BODY_LIMIT }, (_request, body, done) => {
    const items: unknown[] = [];
    for (const line of (body as string).split('\n')) {
      const trimmed = line.trim();
      if (trimmed === '') continue;
      if (items.length > MAX_BULK_EVENTS) break;
      try {
        items.push(JSON.parse(trimmed));
      } catch (err) {
        items.push(new UnparsableLine(`is not JSON: ${(err as Error).message.slice(0, 100)}`));
      }
    }
    done(null, items);
  });

  app.post<{ Body: SensorEvent }>(
    '/api/threats/ingest',
    {
      bodyLimit: SINGLE_BODY_LIMIT,
      config: { scope: 'ingest' },
      // The hand-written twin of the schema first (ingest-schema.ts); what it does not accept goes to the schema.
      validatorCompiler: (route) => {
        const bySchema = compileRequestSchema(route);
        return (data: unknown) => {
          const event = fastSensorEvent(data, clock);
          return event !== null ? { value: event } : bySchema(data);
        };
      },
      schema: {
        tags: ['ingest'],
        summary: 'Ingest one event from another sensor',
        description:
          'Validated, enriched (GeoIP/ASN), detected (the sensor\'s verdict as detection api/<threat_type>, our rules on path and ' +
          'User-Agent) and stored with origin api before the answer. Unknown fields are refused. A retry with the same event_id ' +
          `is stored once and answers the same id. Body at most ${SINGLE_BODY_LIMIT} bytes.`,
        body: eventSchema,
        response: { 200: routeResponseSchema(ingestedJson), ...errorResponses },
      },
    },
    async (request) => {
      const [result] = await deps.ingest.submit([request.body]);
      return toJson(result!);
    },
  );

  const bulkBody = documentAs(z.array(z.unknown()).min(1).max(MAX_BULK_EVENTS), {
    type: 'array',
    minItems: 1,
    maxItems: MAX_BULK_EVENTS,
    items: eventJsonSchema,
    description: `Up to ${MAX_BULK_EVENTS} events as a JSON array (application/json) or one per line (application/x-ndjson).`,
  });

  app.post<{ Body: unknown[] }>(
    '/api/threats/bulk-ingest',
    {
      bodyLimit: BULK_BODY_LIMIT,
      config: { scope: 'ingest' },
      schema: {
        tags: ['ingest'],
        summary: `Ingest up to ${MAX_BULK_EVENTS} events from another sensor`,
        description:
          'Each item as in /api/threats/ingest. Good items are stored in one transaction before the answer; each bad item is ' +
          'refused alone, named by its index, field and problem. Nothing accepted answers 400 with the same errors. ' +
          `Body at most ${BULK_BODY_LIMIT} bytes.`,
        body: bulkBody,
        response: { 200: routeResponseSchema(bulkJson), 400: routeResponseSchema(bulkRefusedJson), ...errorResponses },
      },
    },
    async (request, reply) => {
      const good: SensorEvent[] = [];
      const goodIndex: number[] = [];
      const errors: BulkItemError[] = [];
      request.body.forEach((item, index) => {
        if (item instanceof UnparsableLine) {
          errors.push({ index, field: '(item)', problem: item.problem });
          return;
        }
        const fast = fastSensorEvent(item, clock);
        if (fast !== null) {
          good.push(fast);
          goodIndex.push(index);
          return;
        }
        const parsed = eventSchema.safeParse(item);
        if (parsed.success) {
          good.push(parsed.data);
          goodIndex.push(index);
        } else errors.push(itemError(index, parsed.error.issues[0], known));
      });
      if (good.length === 0) {
        const first = errors[0]!;
        return reply.code(400).send({
          error: 'bad_request',
          message: `no event accepted: item ${first.index}: ${first.field === '(item)' ? 'the item' : `field "${first.field}"`} ${first.problem}`,
          accepted: 0,
          rejected: errors.length,
          errors,
        });
      }
      const results = await deps.ingest.submit(good);
      return {
        accepted: good.length,
        rejected: errors.length,
        results: results.map((r, i) => ({ index: goodIndex[i]!, ...toJson(r) })),
        errors,
      };
    },
  );
}

function itemError(index: number, issue: z.core.$ZodIssue | undefined, known: readonly string[]): BulkItemError {
  if (!issue) return { index, field: '(item)', problem: 'is invalid' };
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.slice(0, 20);
    return { index, field: keys.join(','), problem: `${keys.length > 1 ? 'are unknown fields' : 'is an unknown field'}; valid: ${known.join(', ')}` };
  }
  const field = issue.path.length > 0 ? pathName(issue.path) : '(item)';
  return { index, field, problem: describeIssue(issue) };
}

/** The routes as a route group for `extraRoutes`, over the runtime's way into the pipeline. */
export function ingestApi(ingest: SensorIngest): ApiPlugin {
  return (app, deps) => ingestRoutes(app, { ingest, ...(deps.clock ? { clock: deps.clock } : {}) });
}
