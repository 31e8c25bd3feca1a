/**
 * Events across a thread boundary (analyze's parse thread): what it costs per event to send a batch of HttpEvents
 * as a structured clone of the objects, against EncodedEvents (src/pipeline/event-codec.ts), both through V8's
 * serialiser (the one postMessage uses; a real port transfers the typed arrays instead of copying them). The events are the benign benchmark log's first 200,000 lines, parsed and normalised as analyze does.
 * Figures: µs per event on the sending side (encode + postMessage) and on the receiving side (deserialise + decode),
 * the median of three runs after a warm-up.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { deserialize, serialize } from 'node:v8';
import type { HttpEvent } from '../src/core/event.js';
import { loadConfig } from '../src/config/index.js';
import { buildIngest } from '../src/pipeline/build-ingest.js';
import { decodeEvents, encodeEvents } from '../src/pipeline/event-codec.js';

const BATCH = 5000;

export interface CodecFigures {
  events: number;
  /** µs per event. */
  clone: { send: number; receive: number };
  encoded: { send: number; receive: number };
}

async function readEvents(file: string, limit: number): Promise<HttpEvent[]> {
  const { normalise, format } = buildIngest(loadConfig({ env: {}, dotEnv: false }).config);
  const events: HttpEvent[] = [];
  let n = 0;
  for await (const text of createInterface({ input: createReadStream(file) })) {
    const r = format.parse(text);
    n++;
    if (!r.ok) continue;
    const e = normalise(r.record, { text, key: 'bench:', keyOffset: n, origin: { kind: 'file', source: file, offset: n, line: n } });
    if (!('error' in e)) events.push(e);
    if (events.length >= limit) break;
  }
  return events;
}

/** Per event, the sending side (pack, serialise) and the receiving side (deserialise, unpack), in ms over all batches. */
function timed<T>(batches: HttpEvent[][], pack: (b: HttpEvent[]) => T, unpack: (m: T) => HttpEvent[]): { send: number; receive: number } {
  let send = 0;
  let receive = 0;
  for (const batch of batches) {
    let t = performance.now();
    const bytes = serialize(pack(batch));
    send += performance.now() - t;
    t = performance.now();
    if (unpack(deserialize(bytes) as T).length !== batch.length) throw new Error('codec bench: a batch lost events');
    receive += performance.now() - t;
  }
  return { send, receive };
}

export async function runCodecBench(file: string, limit = 200_000): Promise<CodecFigures> {
  const events = await readEvents(file, limit);
  const batches: HttpEvent[][] = [];
  for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH));
  const perEvent = (ms: number) => Math.round((ms * 1000 * 100) / events.length) / 100;
  const runs = { clone: [] as { send: number; receive: number }[], encoded: [] as { send: number; receive: number }[] };
  for (let r = 0; r < 4; r++) {
    const clone = timed(batches, (b) => b, (m) => m);
    const encoded = timed(batches, encodeEvents, decodeEvents);
    if (r === 0) continue; // warm-up
    runs.clone.push({ send: perEvent(clone.send), receive: perEvent(clone.receive) });
    runs.encoded.push({ send: perEvent(encoded.send), receive: perEvent(encoded.receive) });
  }
  const median = (xs: { send: number; receive: number }[]) => {
    const m = (k: 'send' | 'receive') => xs.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return { send: m('send'), receive: m('receive') };
  };
  return { events: events.length, clone: median(runs.clone), encoded: median(runs.encoded) };
}
