/**
 * HttpEvent: the one record every stage passes along. Parsers produce it, detectors read it,
 * the store keeps it. Everything in it came from a log line or a request, so it is hostile:
 * parsers bound every string field (see MAX_FIELD) before building one.
 */

/** Where an event came from: a byte range in a file, or a call to the ingest API. */
export type EventOrigin =
  | { kind: 'file'; source: string; offset: number; line: number }
  | { kind: 'api'; source: string; receivedAt: number }
  | { kind: 'crowdsec'; source: string; receivedAt: number };

export interface HttpEvent {
  /** Stable id derived from the origin (file identity + byte offset), so a replay never duplicates. */
  id: string;
  /** Epoch milliseconds, UTC. */
  time: number;
  /** Client IP after the trusted-proxy walk; IPv4-mapped IPv6 is folded to IPv4. */
  ip: string;
  /** The TCP peer ($remote_addr) when it differs from `ip`. */
  peerIp: string | null;
  method: string;
  host: string | null;
  /** Request path as logged (still percent-encoded), without the query string. */
  path: string;
  /** Query string without the leading '?', '' when absent. */
  query: string;
  protocol: string;
  status: number;
  bytes: number;
  referer: string | null;
  userAgent: string | null;
  /** Seconds, when the format logs $request_time. */
  requestTime: number | null;
  ja4: string | null;
  ja4h: string | null;
  /** Other logged headers ($http_*), lower-case names. */
  headers: Record<string, string> | null;
  origin: EventOrigin;
}

/** Longest string kept from any single log field; longer values are truncated (and counted by parsers). */
export const MAX_FIELD = 8192;
/** Lines longer than this are rejected as over-long before any parsing. */
export const MAX_LINE = 64 * 1024;
