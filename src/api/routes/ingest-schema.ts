/**
 * The ingest API's event (issue #11): one zod schema gives the type, the validation (every string bounded, unknown
 * fields refused) and the OpenAPI schema. A valid event becomes a SensorEvent (src/ingest/sensor), which the
 * runtime turns into an HttpEvent with origin `api` and the sensor's verdict into a Detection.
 */
import * as z from 'zod';
import { MAX_FIELD, SEVERITIES, type Severity } from '../../core/index.js';
import {
  DEFAULT_CONFIDENCE,
  DEFAULT_SEVERITY,
  isSeverityName,
  MAX_THREAT_TYPE,
  normaliseThreatType,
  severityFromNumber,
  type SensorEvent,
} from '../../ingest/index.js';
import { documentAs } from '../request-schema.js';
import { normaliseIp } from '../../net/index.js';
import { ipParam, MAX_IP_LENGTH } from '../params/ip.js';

export const MAX_EVENT_ID = 128;
export const MAX_DESCRIPTION = 1024;
export const MAX_HOST = 253;
export const MAX_METHOD = 32;
export const MAX_USER_AGENT = 2048;
export const MAX_TAGS = 32;
export const MAX_TAG = 64;
/** Events per bulk request. */
export const MAX_BULK_EVENTS = 10_000;
/** Body limits: one event stays small; a bulk of 10,000 ordinary events fits with room. */
export const SINGLE_BODY_LIMIT = 64 * 1024;
export const BULK_BODY_LIMIT = 16 * 1024 * 1024;
/** Events older than this are refused (a unit mistake, seconds read as ms, lands in 1970). */
export const OLDEST_EVENT = Date.UTC(2000, 0, 1);
/** How far ahead of our clock an event's time may be (sensor clocks drift). */
export const MAX_FUTURE_MS = 24 * 3600_000;

const NO_NUL = (s: string) => !s.includes('\u0000');

function text(max: number, description: string) {
  return z.string().min(1).max(max).refine(NO_NUL, 'must not contain NUL').describe(description);
}

/** RFC 9110 token. */
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Printable ASCII without spaces: ids are echoed and logged. */
const EVENT_ID = /^[\x21-\x7e]+$/;
/** A host name or address literal as a Host header carries it. */
const HOST = /^[A-Za-z0-9._:[\]-]+$/;
/** What `threat_type` must be besides its length. */
const THREAT_TYPE = /^[\x20-\x7e]+$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A sensor's severity (1-10 or a name) as ours; null when it is neither. */
function severityOf(v: unknown): Severity | null {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 10) return severityFromNumber(v);
  if (typeof v === 'string' && isSeverityName(v.toLowerCase())) return v.toLowerCase() as Severity;
  return null;
}

const severitySchema = documentAs(
  z.unknown().transform((v, ctx): Severity | undefined => {
    if (v === undefined) return undefined;
    const severity = severityOf(v);
    if (severity !== null) return severity;
    ctx.addIssue({ code: 'custom', message: `must be an integer from 1 to 10 or one of: ${SEVERITIES.join(', ')}` });
    return z.NEVER;
  }),
  {
    description: 'The sensor\'s severity: 1-10 (1-2 info, 3-4 low, 5-6 medium, 7-8 high, 9-10 critical) or a name. Default medium when threat_type is given.',
    oneOf: [
      { type: 'integer', minimum: 1, maximum: 10 },
      { type: 'string', enum: [...SEVERITIES] },
    ],
  },
);

/** A sensor's time as epoch ms, or why it is refused. */
function timestampOf(v: unknown, clock: () => number): number | 'not a time' | 'out of range' {
  let ms: number;
  if (typeof v === 'number' && Number.isFinite(v)) {
    // Epoch seconds (10 digits today) or milliseconds (13 digits): below 1e11 it is seconds (year 5138 in s).
    ms = Math.abs(v) < 1e11 ? v * 1000 : v;
  } else if (typeof v === 'string' && v.length <= 40 && ISO_TIME.test(v)) {
    ms = Date.parse(v.replace(' ', 'T'));
  } else {
    return 'not a time';
  }
  if (!Number.isFinite(ms) || ms < OLDEST_EVENT || ms > clock() + MAX_FUTURE_MS) return 'out of range';
  return Math.floor(ms);
}

function timestampSchema(clock: () => number) {
  return documentAs(
    z.unknown().transform((v, ctx): number | undefined => {
      if (v === undefined) return undefined;
      const ms = timestampOf(v, clock);
      if (ms === 'not a time') {
        ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 time with a zone (2026-12-07T19:00:00Z) or epoch seconds or milliseconds' });
        return z.NEVER;
      }
      if (ms === 'out of range') {
        ctx.addIssue({ code: 'custom', message: 'is out of range: from 2000-01-01 to one day ahead of the server clock' });
        return z.NEVER;
      }
      return ms;
    }),
    {
      description: 'When the sensor saw the event: ISO 8601 with a zone, or epoch seconds (below 1e11) or milliseconds. Default: when received.',
      oneOf: [{ type: 'string', format: 'date-time' }, { type: 'number' }],
    },
  );
}

/** One event as a sensor sends it; `clock` gives "now" (default timestamp, the future bound). */
export function sensorEventSchema(clock: () => number) {
  return z
    .object({
      source_ip: ipParam('The client address the sensor saw (IPv4 or IPv6). Required.'),
      destination_ip: ipParam('The address that was attacked.').optional(),
      threat_type: z
        .string()
        .min(1)
        .max(MAX_THREAT_TYPE)
        .regex(THREAT_TYPE, 'must be printable ASCII')
        .refine((s) => normaliseThreatType(s) !== '', 'must contain a letter or digit')
        .optional()
        .describe('What the sensor saw (sqli, xss, brute_force, port_scan, …): the rule id api/<threat_type>, the category from a table (docs/api.md).'),
      severity: severitySchema.optional(),
      confidence: z.number().min(0).max(1).optional().describe(`How sure the sensor is, 0-1 (default ${DEFAULT_CONFIDENCE}).`),
      description: text(MAX_DESCRIPTION, 'Free text, kept as the detection\'s detail.').optional(),
      timestamp: timestampSchema(clock).optional(),
      host: z.string().min(1).max(MAX_HOST).regex(HOST, 'must be a host name or address').optional().describe('Host (site) of the request.'),
      path: text(MAX_FIELD, 'Request target, query string included; our rules run on it.').optional(),
      method: z.string().min(1).max(MAX_METHOD).regex(METHOD, 'must be an HTTP method token').optional().describe('HTTP method.'),
      user_agent: text(MAX_USER_AGENT, 'User-Agent; our rules run on it.').optional(),
      tags: z.array(text(MAX_TAG, 'A tag.')).max(MAX_TAGS).optional().describe(`Up to ${MAX_TAGS} tags of up to ${MAX_TAG} characters.`),
      event_id: z
        .string()
        .min(1)
        .max(MAX_EVENT_ID)
        .regex(EVENT_ID, 'must be printable ASCII without spaces')
        .optional()
        .describe('The sensor\'s id for this event: a retry with the same id is stored once and answers the same id.'),
    })
    .strict()
    .transform((b) => toSensorEvent(b, clock));
}

/** The event's fields once checked (both paths below build the SensorEvent with this). */
interface CheckedFields {
  source_ip: string;
  destination_ip?: string | undefined;
  threat_type?: string | undefined;
  severity?: Severity | undefined;
  confidence?: number | undefined;
  description?: string | undefined;
  timestamp?: number | undefined;
  host?: string | undefined;
  path?: string | undefined;
  method?: string | undefined;
  user_agent?: string | undefined;
  tags?: string[] | undefined;
  event_id?: string | undefined;
}

function toSensorEvent(b: CheckedFields, clock: () => number): SensorEvent {
  const hasVerdict = b.threat_type !== undefined || b.severity !== undefined;
  return {
    eventId: b.event_id ?? null,
    sourceIp: b.source_ip,
    destinationIp: b.destination_ip ?? null,
    time: b.timestamp ?? clock(),
    host: b.host?.toLowerCase() ?? null,
    path: b.path ?? null,
    method: b.method?.toUpperCase() ?? null,
    userAgent: b.user_agent ?? null,
    tags: b.tags ?? [],
    verdict: hasVerdict
      ? {
          threatType: b.threat_type !== undefined ? normaliseThreatType(b.threat_type) : 'unknown',
          severity: b.severity ?? DEFAULT_SEVERITY,
          confidence: b.confidence ?? DEFAULT_CONFIDENCE,
          description: b.description ?? null,
        }
      : null,
  };
}

/**
 * The same checks as sensorEventSchema, by hand, for the events that pass them all: zod's parse of one event cost
 * about 20 µs and a dozen short-lived objects (measured: 0.2-0.5 s of a 10,000-event bulk, and a large part of its
 * garbage collection, docs/benchmarks.md "Session 9"). Returns null for anything it does not accept, and the caller
 * then asks the zod schema, which stays the reference and alone words the errors; so this may refuse more than the
 * schema, never accept what the schema refuses or build a different event (ingest-schema.test.ts holds them equal).
 */
export function fastSensorEvent(item: unknown, clock: () => number): SensorEvent | null {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return null;
  const b: CheckedFields = { source_ip: '' };
  let sourceIp = false;
  for (const key in item) {
    if (!Object.prototype.hasOwnProperty.call(item, key)) continue;
    const v = (item as Record<string, unknown>)[key];
    switch (key) {
      case 'source_ip':
      case 'destination_ip': {
        if (typeof v !== 'string' || v.length < 1 || v.length > MAX_IP_LENGTH) return null;
        const ip = normaliseIp(v.trim());
        if (ip === null) return null;
        if (key === 'source_ip') {
          b.source_ip = ip;
          sourceIp = true;
        } else b.destination_ip = ip;
        break;
      }
      case 'threat_type':
        if (typeof v !== 'string' || v.length < 1 || v.length > MAX_THREAT_TYPE || !THREAT_TYPE.test(v) || normaliseThreatType(v) === '') return null;
        b.threat_type = v;
        break;
      case 'severity': {
        const severity = severityOf(v);
        if (severity === null) return null;
        b.severity = severity;
        break;
      }
      case 'confidence':
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) return null;
        b.confidence = v;
        break;
      case 'description':
        if (!isText(v, MAX_DESCRIPTION)) return null;
        b.description = v;
        break;
      case 'timestamp': {
        const ms = timestampOf(v, clock);
        if (typeof ms !== 'number') return null;
        b.timestamp = ms;
        break;
      }
      case 'host':
        if (typeof v !== 'string' || v.length < 1 || v.length > MAX_HOST || !HOST.test(v)) return null;
        b.host = v;
        break;
      case 'path':
        if (!isText(v, MAX_FIELD)) return null;
        b.path = v;
        break;
      case 'method':
        if (typeof v !== 'string' || v.length < 1 || v.length > MAX_METHOD || !METHOD.test(v)) return null;
        b.method = v;
        break;
      case 'user_agent':
        if (!isText(v, MAX_USER_AGENT)) return null;
        b.user_agent = v;
        break;
      case 'tags': {
        if (!Array.isArray(v) || v.length > MAX_TAGS) return null;
        for (const tag of v as unknown[]) if (!isText(tag, MAX_TAG)) return null;
        b.tags = [...(v as string[])];
        break;
      }
      case 'event_id':
        if (typeof v !== 'string' || v.length < 1 || v.length > MAX_EVENT_ID || !EVENT_ID.test(v)) return null;
        b.event_id = v;
        break;
      default:
        return null;
    }
  }
  return sourceIp ? toSensorEvent(b, clock) : null;
}

function isText(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length >= 1 && v.length <= max && NO_NUL(v);
}

export type SensorEventSchema = ReturnType<typeof sensorEventSchema>;
