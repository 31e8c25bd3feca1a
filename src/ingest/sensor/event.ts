/**
 * A sensor's event (validated by the ingest API, src/api/routes/ingest-schema.ts) as an HttpEvent with origin
 * `api`. The id is stable when the sensor gives an `event_id` (derived from it, as a line's id is from its key), so
 * a retry is stored once (`ON CONFLICT DO NOTHING`); without one, each call is a new event.
 */
import { randomFillSync } from 'node:crypto';
import type { Category, HttpEvent, Severity } from '../../core/index.js';
import { eventId } from '../event-id.js';
import type { SensorVerdict } from './verdict.js';

/** The per-source counters' key and the origin's source of every API event. */
export const INGEST_API_SOURCE = 'ingest-api';

export interface SensorEvent {
  /** The client's id for idempotent retries, or null. */
  eventId: string | null;
  /** Normalised (IPv4-mapped IPv6 folded, RFC 5952). */
  sourceIp: string;
  destinationIp: string | null;
  /** Epoch ms. */
  time: number;
  host: string | null;
  /** The request target as the sensor saw it, query string included; null when it saw no HTTP request. */
  path: string | null;
  method: string | null;
  userAgent: string | null;
  tags: readonly string[];
  /** What the sensor concluded; null when it only reports the request. */
  verdict: SensorVerdict | null;
}

/** The stored id of an event with a client id: the same for every retry of it. */
export function sensorEventId(clientId: string): string {
  // The prefix keeps these ids apart from file lines' keys (a path, a hash and an offset).
  return eventId(`api\u0000${clientId}`);
}

/** Random ids drawn 512 at a time: one crypto call per event was 60 ms of a 10,000-event bulk (as randomUUID caches). */
const POOL_BYTES = 8 * 512;
const pool = Buffer.alloc(POOL_BYTES);
let poolAt = POOL_BYTES;

/** 16 hex digits (64 random bits), the id of an event that came without a client id. */
export function randomEventId(): string {
  if (poolAt === POOL_BYTES) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const id = pool.toString('hex', poolAt, poolAt + 8);
  poolAt += 8;
  return id;
}

export function toHttpEvent(e: SensorEvent, receivedAt: number): HttpEvent {
  const target = e.path ?? '';
  const q = target.indexOf('?');
  return {
    id: e.eventId !== null ? sensorEventId(e.eventId) : randomEventId(),
    time: e.time,
    ip: e.sourceIp,
    peerIp: null,
    // A target without a method is most likely a GET (a '-' method would read as a malformed request to our
    // behaviour scenarios); no target at all is what a log line without a request has: '-'.
    method: e.method ?? (e.path !== null ? 'GET' : '-'),
    host: e.host,
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? '' : target.slice(q + 1),
    protocol: '',
    status: 0,
    bytes: 0,
    referer: null,
    userAgent: e.userAgent,
    requestTime: null,
    ja4: null,
    ja4h: null,
    headers: null,
    origin: { kind: 'api', source: INGEST_API_SOURCE, receivedAt },
  };
}

/** What became of one submitted event: its stored id and our verdict over the sensor's and our detections. */
export interface IngestedEvent {
  id: string;
  /** Stored as a threat (the sensor's verdict, or one of our detectors, flagged it). */
  flagged: boolean;
  /** 0..1; 0 when not flagged. */
  score: number;
  severity: Severity | null;
  category: Category | null;
}

/**
 * The ingest API's way into the pipeline (implemented by the runtime): the events enter at detect, are stored in
 * one transaction, then offered to the sinks. Resolves once they are stored; rejects with a store_unavailable
 * RampartError when they could not be.
 */
export interface SensorIngest {
  submit(events: readonly SensorEvent[]): Promise<IngestedEvent[]>;
}
