/**
 * A LogFormat compiled from an nginx log_format string. Parsing walks the line once: each variable ends
 * where the next literal starts (found with indexOf), quoted variables end at the first unescaped quote
 * followed by the rest of the literal. A space in a literal matches a run of spaces, so padded columns
 * still parse. No regex, and the only allocations are the record and its strings.
 */
import { MAX_FIELD as CORE_MAX_FIELD, MAX_LINE as CORE_MAX_LINE } from '../../core/index.js';
import { parseIso8601, parseMsec, parseTimeLocal, type TimeZone } from '../../time/index.js';
import type { LogFormat, LogRecord, ParseResult } from '../types.js';
import { tokenizeLogFormat } from './log-format-syntax.js';
import { unescapeLogField } from './unescape.js';
import { emptyRecord } from './empty-record.js';
import {
  Field as FieldEnum,
  fieldOf,
  headerName,
  isSpaceFree,
  resolveFields,
  type Field,
} from './variables.js';

// Local copies: under a CommonJS-style transpiler (tsx) every imported binding is a getter call, which
// costs more than the rest of the parse on this hot path.
const F = { ...FieldEnum };
const MAX_FIELD = CORE_MAX_FIELD;
const MAX_LINE = CORE_MAX_LINE;

interface Step {
  field: Field;
  /** Variable name as written, for error reasons. */
  variable: string;
  /** Header name for F.Header. */
  header: string;
  /** The value sits between double quotes (the previous literal ends with one, the next starts with one). */
  quoted: boolean;
  /** The literal after the value; '' for a trailing variable. */
  literal: string;
  /** First character of `literal`, searched for with indexOf. */
  stop: string;
  spaceFree: boolean;
}

export interface CompileOptions {
  /** Zone for times without an offset (only ISO times can lack one). */
  zone: TimeZone;
  /**
   * Read one more quoted field after the format as X-Forwarded-For when the format has none: nginx's
   * stock `main` format is combined plus `"$http_x_forwarded_for"`, so combined logs often carry it.
   */
  trailingForwardedFor?: boolean;
}

const EXCERPT = 40;

function excerpt(s: string, start: number, end: number): string {
  return JSON.stringify(s.slice(start, Math.min(end, start + EXCERPT)));
}

/**
 * Position after `lit` matched at `pos`, or -1. A space in `lit` matches one or more spaces or tabs (the
 * value before it still ends at a space).
 */
function matchLiteral(s: string, pos: number, lit: string): number {
  for (let k = 0; k < lit.length; k++) {
    const c = lit.charCodeAt(k);
    if (c === 32) {
      const d = s.charCodeAt(pos);
      if (d !== 32 && d !== 9) return -1;
      pos++;
      for (let d2 = s.charCodeAt(pos); d2 === 32 || d2 === 9; d2 = s.charCodeAt(pos)) pos++;
    } else {
      if (s.charCodeAt(pos) !== c) return -1;
      pos++;
    }
  }
  return pos;
}

/** True when the quote at q is escaped by an odd run of backslashes. */
function isEscapedQuote(s: string, q: number, start: number): boolean {
  let k = q - 1;
  while (k >= start && s.charCodeAt(k) === 92) k--;
  return (q - 1 - k) % 2 === 1;
}

/** Index of the unescaped quote closing a value that starts at `start`, or -1. */
function closingQuote(s: string, start: number): number {
  let q = s.indexOf('"', start);
  while (q >= 0 && isEscapedQuote(s, q, start)) q = s.indexOf('"', q + 1);
  return q;
}

export class CompiledLogFormat implements LogFormat {
  readonly variables: readonly string[];
  private readonly prefix: string;
  private readonly steps: readonly Step[];
  private readonly zone: TimeZone;
  private readonly trailingForwardedFor: boolean;
  /** Set while parsing: a backslash occurs in the line (so quoted values may need unescaping). */
  private hasBackslash = false;
  private args: string | null = null;

  constructor(
    readonly name: string,
    readonly formatString: string,
    opts: CompileOptions,
  ) {
    const tokens = tokenizeLogFormat(formatString);
    let prefix = '';
    let i = 0;
    if (tokens[0]?.kind === 'literal') {
      prefix = tokens[0].text;
      i = 1;
    }
    const names: string[] = [];
    const literals: string[] = [];
    for (; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.kind !== 'variable') throw new Error('log_format: internal tokenizer error'); // merged literals
      const next = tokens[i + 1];
      if (next?.kind === 'variable') {
        throw new Error(
          `log_format: $${t.name} and $${next.name} have nothing between them, so they cannot be told apart`,
        );
      }
      names.push(t.name);
      literals.push(next?.kind === 'literal' ? next.text : '');
      if (next !== undefined) i++;
    }
    if (names.length === 0) throw new Error('log_format has no variables');
    const fields = resolveFields(names.map(fieldOf), names);
    if (!fields.includes(F.RemoteAddr)) {
      throw new Error(
        `log_format has no $remote_addr; Rampart needs the client address (variables: ${names.map((n) => '$' + n).join(' ')})`,
      );
    }
    this.steps = names.map((variable, k) => {
      const before = k === 0 ? prefix : literals[k - 1]!;
      const literal = literals[k]!;
      return {
        field: fields[k]!,
        variable,
        header: fields[k] === F.Header ? headerName(variable) : '',
        quoted: before.endsWith('"') && literal.startsWith('"'),
        literal,
        stop: literal.charAt(0),
        spaceFree: isSpaceFree(fields[k]!),
      };
    });
    this.prefix = prefix;
    this.variables = names;
    this.zone = opts.zone;
    this.trailingForwardedFor = (opts.trailingForwardedFor ?? false) && !fields.includes(F.XForwardedFor);
  }

  parse(line: string): ParseResult {
    if (line.length > MAX_LINE)
      return { ok: false, reason: `line is ${line.length} characters (limit ${MAX_LINE})` };
    let pos = this.prefix === '' ? 0 : matchLiteral(line, 0, this.prefix);
    if (pos < 0) return { ok: false, reason: `line does not start with ${JSON.stringify(this.prefix)}` };
    this.hasBackslash = line.indexOf('\\') >= 0;
    this.args = null;
    const rec = emptyRecord();
    const steps = this.steps;
    for (let k = 0; k < steps.length; k++) {
      const step = steps[k]!;
      const start = pos;
      let end: number;
      if (step.quoted) {
        // Retry past quotes not followed by the rest of the literal: a stray unescaped quote in a value.
        for (end = closingQuote(line, pos); end >= 0; end = closingQuote(line, end + 1)) {
          pos = matchLiteral(line, end, step.literal);
          if (pos >= 0) break;
        }
      } else if (step.literal === '') {
        end = line.length;
        if (step.spaceFree) {
          const sp = line.indexOf(' ', start);
          if (sp >= 0) end = sp;
        }
        while (end > start && (line.charCodeAt(end - 1) === 32 || line.charCodeAt(end - 1) === 13)) end--;
        pos = end;
      } else {
        for (end = line.indexOf(step.stop, pos); end >= 0; end = line.indexOf(step.stop, end + 1)) {
          pos = matchLiteral(line, end, step.literal);
          if (pos >= 0) break;
        }
      }
      if (end < 0) return { ok: false, reason: `line ends inside $${step.variable} (truncated?)` };
      const reason = this.assign(rec, step, line, start, end);
      if (reason !== null) return { ok: false, reason };
    }
    if (this.trailingForwardedFor) this.readTrailingForwardedFor(rec, line, pos);
    if (this.args !== null && rec.uri !== null && !rec.uri.includes('?')) {
      const joined = `${rec.uri}?${this.args}`;
      rec.uri = joined.length > MAX_FIELD ? joined.slice(0, MAX_FIELD) : joined;
    }
    return { ok: true, record: rec };
  }

  private readTrailingForwardedFor(rec: LogRecord, line: string, pos: number): void {
    while (line.charCodeAt(pos) === 32) pos++;
    if (line.charCodeAt(pos) !== 34) return;
    const end = closingQuote(line, pos + 1);
    if (end >= 0) rec.xForwardedFor = this.optional(line, pos + 1, end);
  }

  /** The value as a bounded string, unescaped when it holds escapes. */
  private text(line: string, start: number, end: number): string {
    if (end - start > MAX_FIELD) end = start + MAX_FIELD;
    if (this.hasBackslash) {
      const bs = line.indexOf('\\', start);
      if (bs >= 0 && bs < end) return unescapeLogField(line, start, end);
    }
    return line.slice(start, end);
  }

  /** Like text(), but nginx's `-` (and an empty value) mean absent. */
  private optional(line: string, start: number, end: number): string | null {
    if (end === start || (end - start === 1 && line.charCodeAt(start) === 45)) return null;
    return this.text(line, start, end);
  }

  /** Stores one value; returns a reason when the value is invalid for its field. */
  private assign(rec: LogRecord, step: Step, line: string, start: number, end: number): string | null {
    switch (step.field) {
      case F.Skip:
        return null;
      case F.RemoteAddr:
        if (end === start) return `$${step.variable} is empty`;
        rec.remoteAddr = this.text(line, start, end);
        return null;
      case F.TimeLocal:
        rec.time = parseTimeLocal(line, start, end);
        return rec.time === null
          ? `$${step.variable} ${excerpt(line, start, end)} is not dd/Mon/yyyy:HH:MM:SS ±hhmm`
          : null;
      case F.TimeIso:
        rec.time = parseIso8601(line, this.zone, start, end);
        return rec.time === null
          ? `$${step.variable} ${excerpt(line, start, end)} is not an ISO 8601 time`
          : null;
      case F.Msec:
        rec.time = parseMsec(line, start, end);
        return rec.time === null
          ? `$${step.variable} ${excerpt(line, start, end)} is not seconds.milliseconds`
          : null;
      case F.Request:
        rec.request = this.text(line, start, end);
        return null;
      case F.Method:
        rec.method = this.optional(line, start, end);
        return null;
      case F.RequestUri:
      case F.Uri:
        rec.uri = this.optional(line, start, end);
        return null;
      case F.Args:
        this.args = this.optional(line, start, end);
        return null;
      case F.Protocol:
        rec.protocol = this.optional(line, start, end);
        return null;
      case F.Status:
        rec.status = parseStatus(line, start, end);
        return rec.status < 0
          ? `$${step.variable} ${excerpt(line, start, end)} is not an HTTP status (100-599)`
          : null;
      case F.BodyBytes:
      case F.BytesSent:
        rec.bytes = parseBytes(line, start, end);
        return rec.bytes < 0 ? `$${step.variable} ${excerpt(line, start, end)} is not a byte count` : null;
      case F.Referer:
        rec.referer = this.optional(line, start, end);
        return null;
      case F.UserAgent:
        rec.userAgent = this.optional(line, start, end);
        return null;
      case F.RequestTime:
        rec.requestTime = parseSeconds(line, start, end);
        return null;
      case F.XForwardedFor:
        rec.xForwardedFor = this.optional(line, start, end);
        return null;
      case F.Host:
      case F.HttpHost:
      case F.ServerName:
        rec.host = this.optional(line, start, end);
        return null;
      case F.Ja4:
        rec.ja4 = this.optional(line, start, end);
        return null;
      case F.Ja4h:
        rec.ja4h = this.optional(line, start, end);
        return null;
      case F.Header: {
        const v = this.optional(line, start, end);
        if (v !== null) (rec.headers ??= {})[step.header] = v;
        return null;
      }
    }
  }
}

/** Three digits, 100..599; -1 otherwise. */
export function parseStatus(s: string, start: number, end: number): number {
  if (end - start !== 3) return -1;
  const a = s.charCodeAt(start) - 48;
  const b = s.charCodeAt(start + 1) - 48;
  const c = s.charCodeAt(start + 2) - 48;
  if (a < 1 || a > 5 || b < 0 || b > 9 || c < 0 || c > 9) return -1;
  return a * 100 + b * 10 + c;
}

/** Decimal byte count; `-` (Apache's zero) is 0; -1 when not a count. */
export function parseBytes(s: string, start: number, end: number): number {
  if (end - start === 1 && s.charCodeAt(start) === 45) return 0;
  if (end === start || end - start > 15) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Seconds with a fraction ($request_time); null for `-` or anything unreadable. */
export function parseSeconds(s: string, start: number, end: number): number | null {
  if (end === start || end - start > 20) return null;
  const v = Number(s.slice(start, end));
  return Number.isFinite(v) && v >= 0 ? v : null;
}
