/**
 * A minimal combined-format reader for behaviour tests on real access logs (the real parsers live in
 * src/ingest/formats): real-logs.test.ts and equivalence.test.ts.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { HttpEvent } from '../../../core/index.js';

const COMBINED = /^(\S+) \S+ \S+ \[([^\]]+)\] "(\S+) (\S+) [^"]*" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"/;
const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

function parseTime(s: string): number {
  // 18/Jul/2023:13:44:16 +0000
  const [date, zone] = s.split(' ');
  const [d, mon, rest] = date!.split('/');
  const [y, hh, mm, ss] = rest!.split(':').map(Number);
  const sign = zone!.startsWith('-') ? -1 : 1;
  const offset = sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(3, 5))) * 60_000;
  return Date.UTC(y!, MONTHS[mon!]!, Number(d), hh, mm, ss) - offset;
}

/** The events of the first `limit` lines of a combined-format log (read only as far as needed). */
export function readCombined(file: string, limit = Infinity): HttpEvent[] {
  const out: HttpEvent[] = [];
  let i = -1;
  for (const line of lines(file, limit)) {
    i++;
    const m = COMBINED.exec(line);
    if (!m) continue;
    const target = m[4]!;
    const q = target.indexOf('?');
    out.push({
      id: `${file}:${i}`,
      time: parseTime(m[2]!),
      ip: m[1]!,
      peerIp: null,
      method: m[3]!,
      host: null,
      path: q < 0 ? target : target.slice(0, q),
      query: q < 0 ? '' : target.slice(q + 1),
      protocol: 'HTTP/1.1',
      status: Number(m[5]),
      bytes: m[6] === '-' ? 0 : Number(m[6]),
      referer: m[7] === '-' ? null : m[7]!,
      userAgent: m[8] === '-' ? null : m[8]!,
      requestTime: null,
      ja4: null,
      ja4h: null,
      headers: null,
      origin: { kind: 'file', source: file, offset: 0, line: i + 1 },
    });
  }
  return out;
}

function* lines(file: string, limit: number): Generator<string> {
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    const utf8 = new StringDecoder('utf8'); // a character split between chunks is completed by the next one
    let rest = '';
    let n = 0;
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, null);
      const text = rest + (read === 0 ? utf8.end() : utf8.write(chunk.subarray(0, read)));
      const parts = text.split('\n');
      rest = read === 0 ? '' : parts.pop()!;
      for (const line of parts) {
        if (n++ === limit) return;
        yield line;
      }
      if (read === 0) return;
    }
  } finally {
    closeSync(fd);
  }
}
