import type { LogRecord } from '../types.js';

/** A record with every field unset; formats fill in what their lines carry. */
export function emptyRecord(): LogRecord {
  return {
    remoteAddr: '',
    time: null,
    request: null,
    method: null,
    uri: null,
    protocol: null,
    status: 0,
    bytes: 0,
    referer: null,
    userAgent: null,
    host: null,
    xForwardedFor: null,
    requestTime: null,
    ja4: null,
    ja4h: null,
    headers: null,
  };
}
