/**
 * Hand-written scanners for the stock layouts (combined, common): fixed positions and indexOf, no
 * per-variable dispatch. They handle the canonical shape only; any line they are unsure of (backslash
 * escapes, padded columns, stray quotes, bad values) goes to the compiled format for the same layout,
 * which tolerates it or names what is wrong. Both must produce identical records (see the tests).
 */
import { MAX_FIELD as CORE_MAX_FIELD, MAX_LINE as CORE_MAX_LINE } from '../../core/index.js';
import { parseTimeLocal as parseTime } from '../../time/index.js';
import type { LogFormat, LogRecord, ParseResult } from '../types.js';
import type { CompiledLogFormat } from './compiled-format.js';

// Local copies: a transpiler that turns imports into getters would otherwise pay a call per access.
const MAX_FIELD = CORE_MAX_FIELD;
const MAX_LINE = CORE_MAX_LINE;
const parseTimeLocal = parseTime;

export interface CombinedLayout {
  /** Referer and user agent follow the byte count (combined); absent in common. */
  refererAndAgent: boolean;
  /** Read a further quoted field as X-Forwarded-For (nginx's `main`). */
  trailingForwardedFor: boolean;
}

/** `-` or empty means absent; longer values are cut to MAX_FIELD. */
function optional(line: string, start: number, end: number): string | null {
  if (end === start || (end - start === 1 && line.charCodeAt(start) === 45)) return null;
  return line.slice(start, end - start > MAX_FIELD ? start + MAX_FIELD : end);
}

export class CombinedLogFormat implements LogFormat {
  constructor(
    readonly name: string,
    private readonly layout: CombinedLayout,
    /** The same layout compiled from its log_format, for every line the fast path declines. */
    private readonly fallback: CompiledLogFormat,
  ) {}

  parse(line: string): ParseResult {
    const record = line.length <= MAX_LINE && line.indexOf('\\') < 0 ? this.fast(line) : null;
    return record === null ? this.fallback.parse(line) : { ok: true, record };
  }

  /** The record of a canonical line, or null to defer to the fallback. */
  private fast(line: string): LogRecord | null {
    const addrEnd = line.indexOf(' ');
    if (addrEnd <= 0 || line.charCodeAt(addrEnd + 1) !== 45 || line.charCodeAt(addrEnd + 2) !== 32)
      return null;
    const bracket = line.indexOf(' [', addrEnd + 3);
    if (bracket < 0) return null;
    const ts = bracket + 2;
    const te = ts + 26;
    if (line.charCodeAt(te) !== 93 || line.charCodeAt(te + 1) !== 32 || line.charCodeAt(te + 2) !== 34)
      return null;
    const time = parseTimeLocal(line, ts, te);
    if (time === null) return null;
    const rs = te + 3;
    const re = line.indexOf('" ', rs);
    if (re < 0 || line.indexOf('"', rs) !== re) return null;
    // Status: three digits 100..599, then a space.
    const s0 = line.charCodeAt(re + 2) - 48;
    const s1 = line.charCodeAt(re + 3) - 48;
    const s2 = line.charCodeAt(re + 4) - 48;
    if (s0 < 1 || s0 > 5 || s1 < 0 || s1 > 9 || s2 < 0 || s2 > 9 || line.charCodeAt(re + 5) !== 32)
      return null;
    let p = re + 6;
    let bytes = 0;
    const bytesStart = p;
    for (
      let c = line.charCodeAt(p) - 48;
      c >= 0 && c <= 9 && p - bytesStart < 15;
      c = line.charCodeAt(++p) - 48
    )
      bytes = bytes * 10 + c;
    if (p === bytesStart) {
      if (line.charCodeAt(p) !== 45) return null;
      p++; // Apache logs `-` for no body
    }
    let referer: string | null = null;
    let userAgent: string | null = null;
    let xff: string | null = null;
    if (this.layout.refererAndAgent) {
      if (line.charCodeAt(p) !== 32 || line.charCodeAt(p + 1) !== 34) return null;
      const refEnd = line.indexOf('" "', p + 2);
      if (refEnd < 0 || line.indexOf('"', p + 2) !== refEnd) return null;
      const uaEnd = line.indexOf('"', refEnd + 3);
      if (uaEnd < 0) return null;
      referer = optional(line, p + 2, refEnd);
      userAgent = optional(line, refEnd + 3, uaEnd);
      p = uaEnd + 1;
      if (this.layout.trailingForwardedFor && p < line.length) {
        if (line.charCodeAt(p) !== 32 || line.charCodeAt(p + 1) !== 34) return null;
        const xEnd = line.indexOf('"', p + 2);
        if (xEnd < 0) return null;
        xff = optional(line, p + 2, xEnd);
      }
    } else if (p !== line.length && line.charCodeAt(p) !== 32) {
      return null;
    }
    return {
      remoteAddr: line.slice(0, addrEnd),
      time,
      request: line.slice(rs, re - rs > MAX_FIELD ? rs + MAX_FIELD : re),
      method: null,
      uri: null,
      protocol: null,
      status: s0 * 100 + s1 * 10 + s2,
      bytes,
      referer,
      userAgent,
      host: null,
      xForwardedFor: xff,
      requestTime: null,
      ja4: null,
      ja4h: null,
      headers: null,
    };
  }
}
