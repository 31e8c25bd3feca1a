/**
 * A source of generated, distinct access-log lines in batches, each with the checkpoint a file tail would
 * give (offset = lines so far): for fault tests that count what was stored against what was sent.
 */
import type { RawLine, Source, SourceBatch } from '../../ingest/index.js';

const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const BASE = Date.parse('2026-11-21T10:00:00Z');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Line n (0-based): a combined-format request from one of 4096 IPs, one per 10 ms of log time. */
export function generatedLine(n: number): string {
  const d = new Date(BASE + n * 10);
  const p = (x: number) => String(x).padStart(2, '0');
  const t = `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
  return `10.9.${(n >> 8) & 15}.${n & 255} - - [${t}] "GET /item/${n} HTTP/1.1" 200 512 "-" "${UA}"`;
}

export function generatedSource(opts: { id?: string; batches: number; batchLines: number; startBatch?: number }): Source {
  const id = opts.id ?? 'generated';
  let stopped = false;
  return {
    id,
    async *batches(): AsyncIterable<SourceBatch> {
      for (let b = opts.startBatch ?? 0; b < opts.batches && !stopped; b++) {
        const lines: RawLine[] = [];
        for (let i = 0; i < opts.batchLines; i++) {
          const n = b * opts.batchLines + i;
          lines.push({ text: generatedLine(n), key: `${id}:${n}`, origin: { kind: 'file', source: id, offset: n * 200, line: n + 1 } });
        }
        const end = (b + 1) * opts.batchLines;
        yield { sourceId: id, lines, checkpoints: [{ source: id, fileId: 'gen', offset: end * 200, line: end, headHash: 'gen' }] };
      }
    },
    stop: async () => {
      stopped = true;
    },
  };
}
