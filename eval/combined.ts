/**
 * Access-log lines → the fields rules need. Uses the real parsers (src/ingest/formats `combined`, then
 * `common` for NCSA lines without referer/agent); a minimal regex is the last resort so a parser
 * change never silently shrinks the evaluation (lines it takes are counted as `fallback`).
 */
import { getFormat } from '../src/ingest/formats/index.js';
import { splitRequestLine } from '../src/ingest/normalise.js';
import type { LogRecord } from '../src/ingest/types.js';
import type { EventLike } from '../src/detect/rules/index.js';
import type { HttpEvent } from '../src/core/event.js';

const LINE = /^(\S+) \S+ \S+ \[[^\]]*\] "((?:[^"\\]|\\.)*)" (\d{3}) (?:\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?/;

export interface ParsedLine {
  ip: string;
  event: EventLike;
  via: 'combined' | 'common' | 'fallback';
}

const combined = getFormat('combined');
const common = getFormat('common');

function fromRecord(r: LogRecord): EventLike {
  const req = r.request !== null ? splitRequestLine(r.request) : { method: r.method ?? '-', target: r.uri ?? '', protocol: r.protocol ?? '' };
  const q = req.target.indexOf('?');
  return {
    method: req.method,
    path: q === -1 ? req.target : req.target.slice(0, q),
    query: q === -1 ? '' : req.target.slice(q + 1),
    status: r.status,
    userAgent: r.userAgent,
    referer: r.referer,
    host: r.host,
    headers: r.headers,
  };
}

export function parseCombined(line: string): ParsedLine | null {
  for (const [via, fmt] of [['combined', combined], ['common', common]] as const) {
    const res = fmt.parse(line);
    if (res.ok) return { ip: res.record.remoteAddr, event: fromRecord(res.record), via };
  }
  const m = LINE.exec(line);
  if (m === null) return null;
  const req = splitRequestLine(m[2] ?? '');
  const q = req.target.indexOf('?');
  const ua = m[5];
  const ref = m[4];
  return {
    ip: m[1] ?? '',
    via: 'fallback',
    event: {
      method: req.method,
      path: q === -1 ? req.target : req.target.slice(0, q),
      query: q === -1 ? '' : req.target.slice(q + 1),
      status: Number(m[3]),
      userAgent: ua === undefined || ua === '-' ? null : ua,
      referer: ref === undefined || ref === '-' ? null : ref,
      host: null,
      headers: null,
    },
  };
}

/**
 * A whole HttpEvent for the detection engine (rules + behaviour), built from the real parsers' record.
 * The behaviour detector needs time, bytes and the IP; lines the formats cannot parse are skipped
 * (null), as the pipeline would reject them. Built here rather than through src/ingest's normaliser so
 * the eval does not depend on the pipeline's internal options; no trusted-proxy walk (these logs have
 * no proxy in front).
 */
export function parseHttpEvent(line: string, source: string, lineNo: number): HttpEvent | null {
  for (const fmt of [combined, common]) {
    const res = fmt.parse(line);
    if (!res.ok) continue;
    const r = res.record;
    if (r.time === null) return null;
    const e = fromRecord(r);
    return {
      id: `${source}:${lineNo}`,
      time: r.time,
      ip: r.remoteAddr.toLowerCase(),
      peerIp: null,
      method: e.method,
      host: r.host,
      path: e.path,
      query: e.query,
      protocol: r.protocol ?? '',
      status: r.status,
      bytes: r.bytes,
      referer: r.referer,
      userAgent: r.userAgent,
      requestTime: r.requestTime,
      ja4: r.ja4,
      ja4h: r.ja4h,
      headers: r.headers,
      origin: { kind: 'file', source, offset: 0, line: lineNo },
    };
  }
  return null;
}
