/**
 * A sensor's event (validated by the ingest API, src/api/routes/ingest-schema.ts) as an HttpEvent with origin
 * `api`. The id is stable when the sensor gives an `event_id` (derived from it, as a line's id is from its key), so
 * a retry is stored once (`ON CONFLICT DO NOTHING`); without one, each call is a new event.
 */
import { randomBytes } from 'node:crypto';
import type { HttpEvent } from '../../core/index.js';
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

export function toHttpEvent(e: SensorEvent, receivedAt: number): HttpEvent {
  const target = e.path ?? '';
  const q = target.indexOf('?');
  return {
    id: e.eventId !== null ? sensorEventId(e.eventId) : randomBytes(8).toString('hex'),
    time: e.time,
    ip: e.sourceIp,
    peerIp: null,
    // Stored requests need a method; '-' is what a log line without a request has too.
    method: e.method ?? '-',
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
