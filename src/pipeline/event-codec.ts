/**
 * HttpEvents as a few flat pieces that cross a thread (or later a process) boundary cheaply: per event one string
 * (its string fields concatenated), the lengths in an Int32Array, the numbers in a Float64Array, one byte of flags
 * per event. The typed arrays are transferred, the strings copied.
 *
 * Why not structured clone of the objects: measured on 200,000 log events, cloning cost about 1.2 µs per event
 * to serialise and 2.5 µs to deserialise, more than parsing the line did; decoding these pieces costs about
 * 0.1 µs per event on the receiving thread (docs/benchmarks.md).
 *
 * Decoded strings are slices of their event's string, as a parser's fields are slices of their line: an event kept
 * beyond its batch (a threat, a held hit) pins about its line's worth, not the batch. (One string per batch was
 * measured as fast, but kept 250 MB of batch text alive on an attack-heavy log.) A consumer that keeps a field
 * beyond its event detaches it, as it already must for fields sliced from a line (behaviour/sketch.ts `detach`).
 */
import { IntList, type EventOrigin, type HttpEvent } from '../core/index.js';

/** A batch of events in transferable form (see the module comment). */
export interface EncodedEvents {
  count: number;
  /** Per event: its string fields in STRINGS order, then its headers' names and values. */
  texts: string[];
  /**
   * Per event: the length of each field of STRINGS (-1 for null), the origin's source index in `sources`,
   * the number of headers (-1 for null), then a name length and a value length per header.
   */
  lengths: Int32Array;
  /** Per event: time, status, bytes, requestTime (0 when null), then two origin numbers (see ORIGIN_KINDS). */
  numbers: Float64Array;
  /** Per event: the origin kind (ORIGIN_KINDS index) in the low bits, REQUEST_TIME_NULL when requestTime is null. */
  flags: Uint8Array;
  /** Distinct origin sources of the batch. */
  sources: string[];
}

/** The string fields, in the order they are written. */
const STRINGS = ['id', 'ip', 'peerIp', 'method', 'host', 'path', 'query', 'protocol', 'referer', 'userAgent', 'ja4', 'ja4h'] as const;
const NUMBERS_PER_EVENT = 6;
const ORIGIN_KINDS = ['file', 'api', 'crowdsec'] as const;
const KIND_MASK = 0x3;
const REQUEST_TIME_NULL = 0x4;

/** The typed arrays' buffers, for postMessage's transfer list. */
export function transferablesOf(encoded: EncodedEvents): ArrayBuffer[] {
  return [encoded.lengths.buffer as ArrayBuffer, encoded.numbers.buffer as ArrayBuffer, encoded.flags.buffer as ArrayBuffer];
}

export function encodeEvents(events: readonly HttpEvent[]): EncodedEvents {
  const count = events.length;
  const w = new Writer(count);
  const numbers = new Float64Array(count * NUMBERS_PER_EVENT);
  const flags = new Uint8Array(count);
  const sources: string[] = [];
  const sourceIndex = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const e = events[i]!;
    w.text = '';
    // Field by field, in STRINGS order: a loop over the names would make each read a megamorphic keyed load.
    w.put(e.id);
    w.put(e.ip);
    w.put(e.peerIp);
    w.put(e.method);
    w.put(e.host);
    w.put(e.path);
    w.put(e.query);
    w.put(e.protocol);
    w.put(e.referer);
    w.put(e.userAgent);
    w.put(e.ja4);
    w.put(e.ja4h);
    const o = e.origin;
    let si = sourceIndex.get(o.source);
    if (si === undefined) {
      si = sources.length;
      sources.push(o.source);
      sourceIndex.set(o.source, si);
    }
    w.lengths.push(si);
    const h = e.headers;
    if (h === null) w.lengths.push(-1);
    else {
      const names = Object.keys(h);
      w.lengths.push(names.length);
      for (const name of names) {
        w.put(name);
        w.put(h[name]!);
      }
    }
    const n = i * NUMBERS_PER_EVENT;
    numbers[n] = e.time;
    numbers[n + 1] = e.status;
    numbers[n + 2] = e.bytes;
    numbers[n + 3] = e.requestTime ?? 0;
    if (o.kind === 'file') {
      numbers[n + 4] = o.offset;
      numbers[n + 5] = o.line;
    } else numbers[n + 4] = o.receivedAt;
    flags[i] = ORIGIN_KINDS.indexOf(o.kind) | (e.requestTime === null ? REQUEST_TIME_NULL : 0);
    w.texts[i] = w.text;
  }
  const { lengths } = w;
  return { count, texts: w.texts, lengths: lengths.items.slice(0, lengths.n), numbers, flags, sources };
}

/** The strings and their lengths as they are written. */
class Writer {
  readonly lengths: IntList;
  readonly texts: string[];
  // The current event's text, appended with +=: V8 builds a rope, flattened once when the message copies it
  // (measured faster than joining an array of parts).
  text = '';

  constructor(events: number) {
    // Two more per event than its strings (source index, header count); headers grow it.
    this.lengths = new IntList(Math.max(16, events * (STRINGS.length + 2)));
    this.texts = new Array<string>(events);
  }

  put(v: string | null): void {
    if (v === null) this.lengths.push(-1);
    else {
      this.lengths.push(v.length);
      this.text += v;
    }
  }
}

/** The events `encodeEvents` was given, field for field (strings are slices of `encoded.texts`). */
export function decodeEvents(encoded: EncodedEvents): HttpEvent[] {
  const { count, texts, lengths, numbers, flags, sources } = encoded;
  if (texts.length !== count) throw new Error(`encoded events: ${count} events with ${texts.length} texts`);
  const out = new Array<HttpEvent>(count);
  let text = '';
  let p = 0;
  let k = 0;
  const next = (): string | null => {
    const len = lengths[k++]!;
    if (len < 0) return null;
    const v = text.slice(p, p + len);
    p += len;
    return v;
  };
  // Fields whose type is string, never null: the encoder wrote a length >= 0 for them.
  const nextString = next as () => string;
  for (let i = 0; i < count; i++) {
    text = texts[i]!;
    p = 0;
    const id = nextString();
    const ip = nextString();
    const peerIp = next();
    const method = nextString();
    const host = next();
    const path = nextString();
    const query = nextString();
    const protocol = nextString();
    const referer = next();
    const userAgent = next();
    const ja4 = next();
    const ja4h = next();
    const source = sources[lengths[k++]!]!;
    const headerCount = lengths[k++]!;
    let headers: Record<string, string> | null = null;
    if (headerCount >= 0) {
      headers = {};
      for (let h = 0; h < headerCount; h++) {
        const name = nextString();
        const value = nextString();
        // An own `__proto__` (possible in parsed JSON) stays an own property instead of setting the prototype.
        if (name === '__proto__') Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
        else headers[name] = value;
      }
    }
    const n = i * NUMBERS_PER_EVENT;
    const flag = flags[i]!;
    const kind = ORIGIN_KINDS[flag & KIND_MASK]!;
    const origin: EventOrigin =
      kind === 'file'
        ? { kind, source, offset: numbers[n + 4]!, line: numbers[n + 5]! }
        : { kind, source, receivedAt: numbers[n + 4]! };
    if (p !== text.length) throw new Error(`encoded events: event ${i} left ${text.length - p} characters unread`);
    out[i] = {
      id,
      time: numbers[n]!,
      ip,
      peerIp,
      method,
      host,
      path,
      query,
      protocol,
      status: numbers[n + 1]!,
      bytes: numbers[n + 2]!,
      referer,
      userAgent,
      requestTime: (flag & REQUEST_TIME_NULL) !== 0 ? null : numbers[n + 3]!,
      ja4,
      ja4h,
      headers,
      origin,
    };
  }
  if (k !== lengths.length) throw new Error(`encoded events: ${count} events left ${lengths.length - k} lengths unread`);
  return out;
}
