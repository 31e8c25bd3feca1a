/**
 * Parse benchmark: builds a large combined log in memory from a real sample (repeated with shifted times
 * and varied client addresses), then measures parse-only and parse+normalise throughput for the stock
 * combined format, JSON lines, and a custom log_format compiled at start-up.
 *
 *   node --import tsx bench/parse.ts [sample.log] [lines]
 *
 * Figures are lines per wall-clock second and per CPU second (process.cpuUsage, which also counts GC
 * helper threads): on a shared machine the second is the steadier one. The median of three runs is
 * reported after a warm-up.
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { EventOrigin } from '../src/core/event.js';
import { getFormat } from '../src/ingest/formats/index.js';
import { normaliseRecord } from '../src/ingest/normalise.js';
import type { LogFormat, LogRecord, RawLine } from '../src/ingest/types.js';
import { formatTimeLocalUtc } from '../src/time/nginx-time.js';

export const DEFAULT_SAMPLE = '/work/shared/data/benign/elastic-nginx/nginx_logs';

const CUSTOM_FORMAT =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" ' +
  '"$http_user_agent" rt=$request_time host=$host xff="$http_x_forwarded_for" ja4=$http_ssl_ja4';

export interface ParseBenchOptions {
  /** Sample log in combined format; default the elastic nginx sample. */
  file?: string;
  /** Lines to build; default 1,000,000. */
  lines?: number;
  /** Progress output; default console.log. */
  log?: (message: string) => void;
}

export interface FormatFigures {
  format: string;
  lines: number;
  parsed: number;
  parseLinesPerSec: number;
  parseLinesPerCpuSec: number;
  normaliseLinesPerSec: number;
  normaliseLinesPerCpuSec: number;
}

export type ParseBenchResult =
  | {
      skipped: false;
      sample: string;
      /** Splitting the combined text into lines: the floor any parser sits on, for scale. */
      splitLinesPerSec: number;
      formats: FormatFigures[];
      heapUsedMb: number;
      loadAverage: number;
    }
  | { skipped: true; reason: string };

interface Base {
  record: LogRecord;
}

function sampleRecords(file: string): Base[] {
  const combined = getFormat('combined');
  const out: Base[] = [];
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    const r = combined.parse(text);
    if (r.ok) out.push({ record: r.record });
  }
  return out;
}

/** Copy k of a sample record: time shifted by k days, first octet varied so addresses spread out. */
function variant(r: LogRecord, k: number): { ip: string; time: number } {
  const dot = r.remoteAddr.indexOf('.');
  const ip =
    dot > 0
      ? `${((Number(r.remoteAddr.slice(0, dot)) + k * 7) % 223) + 1}${r.remoteAddr.slice(dot)}`
      : r.remoteAddr;
  return { ip, time: (r.time ?? 0) + k * 86_400_000 };
}

const q = (s: string | null): string => (s === null ? '-' : s);

/**
 * The log as the reader would hand it over: one decoded text split into lines. (Lines kept as built
 * would be concatenation ropes that the first parse flattens, which is not what a reader produces.)
 */
function buildLines(
  base: Base[],
  n: number,
  render: (r: LogRecord, ip: string, time: number, i: number) => string,
): string[] {
  let text = '';
  const chunk: string[] = [];
  for (let i = 0; i < n; i++) {
    const b = base[i % base.length]!;
    const { ip, time } = variant(b.record, Math.floor(i / base.length));
    chunk.push(render(b.record, ip, time, i));
    if (chunk.length === 10_000 || i === n - 1) {
      text += (text === '' ? '' : '\n') + chunk.join('\n');
      chunk.length = 0;
    }
  }
  return text.split('\n');
}

const renderCombined = (r: LogRecord, ip: string, t: number, _i?: number): string =>
  `${ip} - - [${formatTimeLocalUtc(t)}] "${r.request}" ${r.status} ${r.bytes} "${q(r.referer)}" "${q(r.userAgent)}"`;

const renderJson = (r: LogRecord, ip: string, t: number): string =>
  JSON.stringify({
    remote_addr: ip,
    time_local: formatTimeLocalUtc(t),
    request: r.request,
    status: String(r.status),
    body_bytes_sent: String(r.bytes),
    http_referer: r.referer ?? '',
    http_user_agent: r.userAgent ?? '',
    request_time: '0.004',
  });

const renderCustom = (r: LogRecord, ip: string, t: number, i: number): string =>
  `${renderCombined(r, ip, t)} rt=0.${String(i % 1000).padStart(3, '0')} host=shop.example xff="-" ja4=t13d1516h2_8daaf6152771_e5627efa2ab1`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs `body` over all lines three times after a warm-up; median lines/s by wall clock and CPU. */
function measure(
  lines: readonly string[],
  body: (line: string, i: number) => boolean,
): { wall: number; cpu: number; ok: number } {
  const warm = Math.min(lines.length, 100_000);
  for (let i = 0; i < warm; i++) body(lines[i]!, i);
  const walls: number[] = [];
  const cpus: number[] = [];
  let ok = 0;
  for (let run = 0; run < 3; run++) {
    ok = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < lines.length; i++) if (body(lines[i]!, i)) ok++;
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    walls.push((lines.length / wallMs) * 1000);
    cpus.push((lines.length / (cpu.user + cpu.system)) * 1e6);
  }
  return { wall: median(walls), cpu: median(cpus), ok };
}

function benchFormat(name: string, format: LogFormat, lines: readonly string[]): FormatFigures {
  const parse = measure(lines, (l) => format.parse(l).ok);
  const origin: EventOrigin = { kind: 'file', source: 'bench.log', offset: 0, line: 0 };
  const opts = { trusted: null, now: () => 0 };
  const full = measure(lines, (l, i) => {
    const r = format.parse(l);
    if (!r.ok) return false;
    // The reader hands over a RawLine per line (per-file key prefix + byte offset, see
    // RawLine.keyOffset); building one here keeps that cost in the figure.
    const raw: RawLine = { text: l, key: '64769:131:', keyOffset: i * 200, origin, overlong: false };
    return !('error' in normaliseRecord(r.record, raw, opts));
  });
  return {
    format: name,
    lines: lines.length,
    parsed: parse.ok,
    parseLinesPerSec: Math.round(parse.wall),
    parseLinesPerCpuSec: Math.round(parse.cpu),
    normaliseLinesPerSec: Math.round(full.wall),
    normaliseLinesPerCpuSec: Math.round(full.cpu),
  };
}

export function runParseBench(opts: ParseBenchOptions = {}): ParseBenchResult {
  const file = opts.file ?? DEFAULT_SAMPLE;
  const n = opts.lines ?? 1_000_000;
  const log = opts.log ?? ((m: string) => console.log(m));
  if (!existsSync(file))
    return { skipped: true, reason: `sample log ${file} is absent; parse bench skipped` };
  const base = sampleRecords(file);
  if (base.length === 0)
    return { skipped: true, reason: `sample log ${file} has no combined-format lines; parse bench skipped` };
  log(
    `parse bench: ${base.length} sample lines from ${file}, building ${n.toLocaleString('en')} lines per format`,
  );

  const formats: FormatFigures[] = [];
  let heapUsed = 0;
  let splitLinesPerSec = 0;
  const cases: [string, LogFormat, (r: LogRecord, ip: string, t: number, i: number) => string][] = [
    ['combined', getFormat('combined'), renderCombined],
    ['json', getFormat('json'), renderJson],
    ['custom', getFormat({ logFormat: CUSTOM_FORMAT, name: 'custom' }), renderCustom],
  ];
  for (const [name, format, render] of cases) {
    let lines: string[] | null = buildLines(base, n, render);
    if (name === 'combined') {
      const text = lines.join('\n');
      splitLinesPerSec = Math.round(measure([text], (t) => t.split('\n').length > 0).wall * n);
    }
    heapUsed = Math.max(heapUsed, process.memoryUsage().heapUsed);
    const figures = benchFormat(name, format, lines);
    heapUsed = Math.max(heapUsed, process.memoryUsage().heapUsed);
    lines = null;
    formats.push(figures);
    log(
      `${name.padEnd(9)} parse ${figures.parseLinesPerSec.toLocaleString('en')} lines/s (${figures.parseLinesPerCpuSec.toLocaleString('en')}/cpu-s)` +
        `  parse+normalise ${figures.normaliseLinesPerSec.toLocaleString('en')} lines/s (${figures.normaliseLinesPerCpuSec.toLocaleString('en')}/cpu-s)` +
        `  parsed ${figures.parsed}/${figures.lines}`,
    );
  }
  const result: ParseBenchResult = {
    skipped: false,
    sample: file,
    splitLinesPerSec,
    formats,
    heapUsedMb: Math.round(heapUsed / 1048576),
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
  };
  log(
    `split '\\n' ${splitLinesPerSec.toLocaleString('en')} lines/s; heap used ${result.heapUsedMb} MB; load average ${result.loadAverage}`,
  );
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = runParseBench({
    ...(process.argv[2] ? { file: process.argv[2] } : {}),
    ...(process.argv[3] !== undefined ? { lines: Number(process.argv[3]) } : {}),
  });
  if (result.skipped) console.log(result.reason);
}
