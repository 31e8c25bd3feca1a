/**
 * JSON lines, as nginx writes them with `log_format ... escape=json '{"remote_addr":"$remote_addr",...}'`
 * or as shippers re-emit them. Common key names are mapped; any `http_*` key becomes a header.
 */
import { MAX_FIELD, MAX_LINE } from '../../core/index.js';
import { parseIso8601, parseMsec, parseTimeLocal, type TimeZone } from '../../time/index.js';
import type { LogFormat, LogRecord, ParseResult } from '../types.js';
import { emptyRecord } from './empty-record.js';

/** Headers kept per line at most; more is an attempt to bloat the store. */
const MAX_HEADERS = 64;
const HEADER_NAME = /^[a-z0-9-]{1,64}$/;

type Key =
  | 'remoteAddr'
  | 'timeLocal'
  | 'timeIso'
  | 'msec'
  | 'request'
  | 'method'
  | 'requestUri'
  | 'uri'
  | 'args'
  | 'protocol'
  | 'status'
  | 'bytes'
  | 'bytesSent'
  | 'referer'
  | 'userAgent'
  | 'xForwardedFor'
  | 'host'
  | 'requestTime';

const KEYS: ReadonlyMap<string, Key> = new Map<string, Key>([
  ['remote_addr', 'remoteAddr'],
  ['remote_ip', 'remoteAddr'],
  ['client_ip', 'remoteAddr'],
  ['clientip', 'remoteAddr'],
  ['ip', 'remoteAddr'],
  ['time_local', 'timeLocal'],
  ['time_iso8601', 'timeIso'],
  ['time', 'timeIso'],
  ['timestamp', 'timeIso'],
  ['@timestamp', 'timeIso'],
  ['msec', 'msec'],
  ['request', 'request'],
  ['method', 'method'],
  ['request_method', 'method'],
  ['request_uri', 'requestUri'],
  ['uri', 'uri'],
  ['path', 'uri'],
  ['args', 'args'],
  ['query_string', 'args'],
  ['server_protocol', 'protocol'],
  ['protocol', 'protocol'],
  ['status', 'status'],
  ['body_bytes_sent', 'bytes'],
  ['bytes_sent', 'bytesSent'],
  ['bytes', 'bytes'],
  ['http_referer', 'referer'],
  ['referer', 'referer'],
  ['http_user_agent', 'userAgent'],
  ['user_agent', 'userAgent'],
  ['http_x_forwarded_for', 'xForwardedFor'],
  ['x_forwarded_for', 'xForwardedFor'],
  ['host', 'host'],
  ['http_host', 'host'],
  ['server_name', 'host'],
  ['request_time', 'requestTime'],
]);

function bound(s: string): string {
  return s.length > MAX_FIELD ? s.slice(0, MAX_FIELD) : s;
}

/** A scalar as bounded text; null for `-`, empty, null, objects and arrays. */
function scalar(v: unknown): string | null {
  if (typeof v === 'string') return v === '' || v === '-' ? null : bound(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

function excerpt(v: unknown): string {
  return JSON.stringify(String(v).slice(0, 40));
}

/** Epoch ms from a JSON time value: numbers are epoch seconds (or ms when beyond year 5138). */
function timeOf(v: unknown, key: Key, zone: TimeZone): number | null {
  if (typeof v === 'number')
    return Number.isFinite(v) && v >= 0 ? (v < 1e11 ? Math.round(v * 1000) : Math.round(v)) : null;
  if (typeof v !== 'string') return null;
  if (key === 'timeLocal') return parseTimeLocal(v);
  if (key === 'msec') return parseMsec(v);
  return parseIso8601(v, zone) ?? parseTimeLocal(v) ?? parseMsec(v);
}

function intOf(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.length <= 16 ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : null;
}

export class JsonLogFormat implements LogFormat {
  readonly name = 'json';
  constructor(private readonly zone: TimeZone) {}

  parse(line: string): ParseResult {
    if (line.length > MAX_LINE)
      return { ok: false, reason: `line is ${line.length} characters (limit ${MAX_LINE})` };
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      return { ok: false, reason: `not JSON: ${(err as Error).message.slice(0, 80)}` };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return {
        ok: false,
        reason: `JSON line is ${Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'null' : `a ${typeof value}`}, expected an object`,
      };
    }
    const obj = value as Record<string, unknown>;
    const rec: LogRecord = emptyRecord();
    let uriRank = 0;
    let bytesRank = 0;
    let hostRank = 0;
    let args: string | null = null;
    let headerCount = 0;
    for (const rawKey in obj) {
      if (!Object.hasOwn(obj, rawKey)) continue;
      const v = obj[rawKey];
      const name = rawKey.toLowerCase();
      const key = KEYS.get(name);
      switch (key) {
        case 'remoteAddr':
          if (rec.remoteAddr === '') rec.remoteAddr = scalar(v) ?? '';
          break;
        case 'timeLocal':
        case 'timeIso':
        case 'msec':
          if (rec.time === null) {
            rec.time = timeOf(v, key, this.zone);
            if (rec.time === null && v !== '-' && v !== '' && v !== null)
              return { ok: false, reason: `"${rawKey.slice(0, 40)}" ${excerpt(v)} is not a time` };
          }
          break;
        case 'request':
          rec.request = typeof v === 'string' ? bound(v) : null;
          break;
        case 'method':
          rec.method = scalar(v);
          break;
        case 'requestUri':
        case 'uri':
          if ((key === 'requestUri' ? 2 : 1) > uriRank) {
            rec.uri = scalar(v);
            uriRank = key === 'requestUri' ? 2 : 1;
          }
          break;
        case 'args':
          args = scalar(v);
          break;
        case 'protocol':
          rec.protocol = scalar(v);
          break;
        case 'status': {
          const s = intOf(v);
          if (s === null || s < 100 || s > 599)
            return {
              ok: false,
              reason: `"${rawKey.slice(0, 40)}" ${excerpt(v)} is not an HTTP status (100-599)`,
            };
          rec.status = s;
          break;
        }
        case 'bytes':
        case 'bytesSent':
          if ((key === 'bytes' ? 2 : 1) > bytesRank) {
            const b = v === '-' ? 0 : intOf(v);
            if (b === null)
              return { ok: false, reason: `"${rawKey.slice(0, 40)}" ${excerpt(v)} is not a byte count` };
            rec.bytes = b;
            bytesRank = key === 'bytes' ? 2 : 1;
          }
          break;
        case 'referer':
          rec.referer = scalar(v);
          break;
        case 'userAgent':
          rec.userAgent = scalar(v);
          break;
        case 'xForwardedFor':
          rec.xForwardedFor = scalar(v);
          break;
        case 'host': {
          // $host (request line, Host header or server name) beats the raw Host header, which beats server_name.
          const rank = name === 'host' ? 3 : name === 'http_host' ? 2 : 1;
          if (rank > hostRank) {
            rec.host = scalar(v);
            hostRank = rank;
          }
          break;
        }
        case 'requestTime': {
          const t = typeof v === 'number' ? v : typeof v === 'string' && v.length <= 20 ? Number(v) : NaN;
          rec.requestTime = Number.isFinite(t) && t >= 0 ? t : null;
          break;
        }
        case undefined:
          if (name.includes('ja4')) {
            if (name.includes('ja4h')) rec.ja4h = scalar(v);
            else rec.ja4 = scalar(v);
          } else if (name.startsWith('http_') && headerCount < MAX_HEADERS) {
            const header = name.slice(5).replaceAll('_', '-');
            const hv = scalar(v);
            if (hv !== null && HEADER_NAME.test(header)) {
              (rec.headers ??= {})[header] = hv;
              headerCount++;
            }
          }
          break;
      }
    }
    if (rec.remoteAddr === '') return { ok: false, reason: 'JSON line has no client address (remote_addr)' };
    if (args !== null && rec.uri !== null && !rec.uri.includes('?')) rec.uri = bound(`${rec.uri}?${args}`);
    return { ok: true, record: rec };
  }
}
