/**
 * LogRecord → HttpEvent: pick the client address (trusted-proxy walk), split the request line, bound
 * every string, derive the event id. Garbage request lines (TLS handshakes, bare paths, `-`) still
 * become events, with the raw text kept in `path`, because scanners and exploits are what send them.
 */
import { MAX_FIELD as CORE_MAX_FIELD, MAX_LINE, type HttpEvent } from '../core/index.js';
import { normaliseIp, type TrustedProxies } from '../net/index.js';
import { eventId, eventIdAt } from './event-id.js';
import type { LogRecord, RawLine } from './types.js';

const MAX_FIELD = CORE_MAX_FIELD;
/** Longest method token accepted as a method rather than garbage (WebDAV's are the longest real ones). */
const MAX_METHOD = 32;
/** Longest DNS name; Apache logs host names when HostnameLookups is on. */
const MAX_HOSTNAME = 253;

export interface NormaliseOptions {
  /** Proxies whose X-Forwarded-For is believed; null believes none. */
  trusted: TrustedProxies | null;
  /** Clock for records whose format logs no time (epoch ms). */
  now: () => number;
}

function bound(s: string): string {
  return s.length > MAX_FIELD ? s.slice(0, MAX_FIELD) : s;
}

function boundOrNull(s: string | null): string | null {
  return s === null || s.length <= MAX_FIELD ? s : s.slice(0, MAX_FIELD);
}

/** RFC 9110 token characters. */
function isTokenChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 45 || // -
    c === 95 || // _
    c === 46 || // .
    c === 33 || // !
    (c >= 35 && c <= 39) || // # $ % & '
    c === 42 || // *
    c === 43 || // +
    c === 94 || // ^
    c === 96 || // `
    c === 124 || // |
    c === 126 // ~
  );
}

/** A host name as logged by Apache with HostnameLookups on: letters, digits, dots, hyphens. */
function isHostname(s: string): boolean {
  if (s.length === 0 || s.length > MAX_HOSTNAME) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok =
      (c >= 97 && c <= 122) ||
      (c >= 65 && c <= 90) ||
      (c >= 48 && c <= 57) ||
      c === 45 ||
      c === 46 ||
      c === 95;
    if (!ok) return false;
  }
  return true;
}

/** The parts of a request line. */
export interface RequestParts {
  method: string;
  /** Request target as logged; for garbage requests the whole raw line. */
  target: string;
  protocol: string;
}

/**
 * Splits `METHOD target HTTP/x`. `METHOD target` (HTTP/0.9) has no protocol. Anything whose first word
 * is not a method token is garbage: method '-', the whole text as target. `-` and '' are empty requests.
 */
export function splitRequestLine(request: string): RequestParts {
  if (request === '-' || request === '') return { method: '-', target: '', protocol: '' };
  const sp = request.indexOf(' ');
  const methodEnd = sp < 0 ? request.length : sp;
  let isMethod = sp > 0 && methodEnd <= MAX_METHOD;
  for (let i = 0; isMethod && i < methodEnd; i++) isMethod = isTokenChar(request.charCodeAt(i));
  if (!isMethod) return { method: '-', target: bound(request), protocol: '' };
  const method = request.slice(0, methodEnd);
  let targetStart = sp + 1;
  while (request.charCodeAt(targetStart) === 32) targetStart++;
  let end = request.length;
  while (end > targetStart && request.charCodeAt(end - 1) === 32) end--;
  const last = request.lastIndexOf(' ', end - 1);
  if (last >= targetStart && request.startsWith('HTTP/', last + 1)) {
    let targetEnd = last;
    while (targetEnd > targetStart && request.charCodeAt(targetEnd - 1) === 32) targetEnd--;
    return {
      method,
      target: bound(request.slice(targetStart, targetEnd)),
      protocol: bound(request.slice(last + 1, end)),
    };
  }
  return { method, target: bound(request.slice(targetStart, end)), protocol: '' };
}

// Output of splitRequestInto: module-level so the hot path builds no RequestParts object per line.
let reqMethod = '-';
let reqPath = '';
let reqQuery = '';
let reqProtocol = '';

/**
 * `s.slice(start, end)`, or a literal when the slice is a usual method: the same characters, so the
 * same string value; the literal only saves copying a short slice per line.
 */
function internedMethod(s: string, start: number, end: number): string {
  const n = end - start;
  const c0 = s.charCodeAt(start);
  if (n === 3 && c0 === 71 && s.charCodeAt(start + 1) === 69 && s.charCodeAt(start + 2) === 84) return 'GET';
  if (n === 4 && s.charCodeAt(start + 3) === 84 && c0 === 80 && s.startsWith('POS', start)) return 'POST';
  if (n === 4 && s.charCodeAt(start + 3) === 68 && c0 === 72 && s.startsWith('HEA', start)) return 'HEAD';
  return s.slice(start, end);
}

/** The protocol at s[start..end), which starts with `HTTP/`: a literal for the usual versions. */
function internedProtocol(s: string, start: number, end: number): string {
  // `HTTP/d.d`: the caller checked `HTTP/`, so digit, '.', digit at +5..+7 decide.
  if (end - start === 8 && s.charCodeAt(start + 6) === 46) {
    const major = s.charCodeAt(start + 5);
    const minor = s.charCodeAt(start + 7);
    if (major === 49 && minor === 49) return 'HTTP/1.1';
    if (major === 49 && minor === 48) return 'HTTP/1.0';
    if (major === 50 && minor === 48) return 'HTTP/2.0';
  }
  return s.slice(start, end - start > MAX_FIELD ? start + MAX_FIELD : end);
}

/** Sets reqPath/reqQuery from the target at request[start..end), bounded to MAX_FIELD first. */
function splitTarget(request: string, start: number, end: number): void {
  // bound() then split at '?', as splitRequestLine + normaliseRecord did: the cut applies to the whole
  // target, so a '?' beyond MAX_FIELD is not a query separator.
  const e = end - start > MAX_FIELD ? start + MAX_FIELD : end;
  const q = request.indexOf('?', start);
  if (q < 0 || q >= e) {
    reqPath = start === 0 && e === request.length ? request : request.slice(start, e);
    reqQuery = '';
  } else {
    reqPath = request.slice(start, q);
    reqQuery = request.slice(q + 1, e);
  }
}

/**
 * splitRequestLine followed by the path/query split of normaliseRecord, straight from the request
 * line into method/path/query/protocol: no target string, no parts object. Must agree with
 * splitRequestLine exactly (the tests compare both on every case).
 */
function splitRequestInto(request: string): void {
  reqProtocol = '';
  if (request === '-' || request === '') {
    reqMethod = '-';
    reqPath = '';
    reqQuery = '';
    return;
  }
  const sp = request.indexOf(' ');
  const methodEnd = sp < 0 ? request.length : sp;
  let isMethod = sp > 0 && methodEnd <= MAX_METHOD;
  for (let i = 0; isMethod && i < methodEnd; i++) isMethod = isTokenChar(request.charCodeAt(i));
  if (!isMethod) {
    reqMethod = '-';
    splitTarget(request, 0, request.length);
    return;
  }
  reqMethod = internedMethod(request, 0, methodEnd);
  let targetStart = sp + 1;
  while (request.charCodeAt(targetStart) === 32) targetStart++;
  let end = request.length;
  while (end > targetStart && request.charCodeAt(end - 1) === 32) end--;
  const last = request.lastIndexOf(' ', end - 1);
  if (
    last >= targetStart &&
    request.charCodeAt(last + 1) === 72 && // `HTTP/`, as splitRequestLine's startsWith, compared inline
    request.charCodeAt(last + 2) === 84 &&
    request.charCodeAt(last + 3) === 84 &&
    request.charCodeAt(last + 4) === 80 &&
    request.charCodeAt(last + 5) === 47
  ) {
    let targetEnd = last;
    while (targetEnd > targetStart && request.charCodeAt(targetEnd - 1) === 32) targetEnd--;
    splitTarget(request, targetStart, targetEnd);
    reqProtocol = internedProtocol(request, last + 1, end);
    return;
  }
  splitTarget(request, targetStart, end);
}

/** For tests: the fast split's result. */
export function splitRequestFast(request: string): {
  method: string;
  path: string;
  query: string;
  protocol: string;
} {
  splitRequestInto(request);
  return { method: reqMethod, path: reqPath, query: reqQuery, protocol: reqProtocol };
}

function forwardedFor(record: LogRecord): string | null {
  if (record.xForwardedFor !== null) return record.xForwardedFor;
  const h = record.headers;
  return h !== null && Object.hasOwn(h, 'x-forwarded-for') ? (h['x-forwarded-for'] ?? null) : null;
}

function boundHeaders(h: Record<string, string> | null): Record<string, string> | null {
  if (h === null) return null;
  let needsCopy = false;
  for (const k in h) if (h[k]!.length > MAX_FIELD) needsCopy = true;
  if (!needsCopy) return h;
  const out: Record<string, string> = {};
  for (const k in h) out[k] = bound(h[k]!);
  return out;
}

/** Builds the event for one parsed line, or says why the line cannot be one. */
export function normaliseRecord(
  record: LogRecord,
  line: RawLine,
  opts: NormaliseOptions,
): HttpEvent | { error: string } {
  if (line.overlong === true) return { error: `line is longer than ${MAX_LINE} characters` };
  let peer = normaliseIp(record.remoteAddr);
  if (peer === null) {
    if (!isHostname(record.remoteAddr)) {
      return {
        error: `remote address ${JSON.stringify(record.remoteAddr.slice(0, 64))} is neither an IP address nor a host name`,
      };
    }
    peer = record.remoteAddr.toLowerCase();
  }
  const xff = opts.trusted === null ? null : forwardedFor(record);
  const ip = xff === null || opts.trusted === null ? peer : opts.trusted.clientIp(peer, xff);

  let method: string;
  let path: string;
  let query: string;
  let protocol: string;
  if (record.request !== null) {
    splitRequestInto(record.request);
    method = reqMethod;
    path = reqPath;
    query = reqQuery;
    protocol = reqProtocol;
  } else {
    method = record.method === null ? '-' : bound(record.method);
    protocol = record.protocol === null ? '' : bound(record.protocol);
    if (record.uri === null) {
      path = '';
      query = '';
    } else {
      splitTarget(record.uri, 0, record.uri.length);
      path = reqPath;
      query = reqQuery;
    }
  }
  const host =
    record.host ??
    (record.headers !== null && Object.hasOwn(record.headers, 'host') ? (record.headers.host ?? null) : null);

  return {
    id: line.keyOffset === undefined ? eventId(line.key) : eventIdAt(line.key, line.keyOffset),
    time: record.time ?? opts.now(),
    ip,
    peerIp: ip === peer ? null : peer,
    method,
    host: boundOrNull(host),
    path,
    query,
    protocol,
    status: record.status,
    bytes: record.bytes,
    referer: boundOrNull(record.referer),
    userAgent: boundOrNull(record.userAgent),
    requestTime: record.requestTime,
    ja4: boundOrNull(record.ja4),
    ja4h: boundOrNull(record.ja4h),
    headers: boundHeaders(record.headers),
    origin: line.origin,
  };
}
