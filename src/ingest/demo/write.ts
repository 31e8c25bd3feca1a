/** `rampart demo --lines N --out file.log`: a simulated log (and its labels) written in large batches. */
import { open, type FileHandle } from 'node:fs/promises';
import { makeDirectory } from '../../core/index.js';
import { dirname } from 'node:path';
import { TrafficSimulator, checkLineCount, type GenerateOptions } from './simulator.js';
import type { DemoLabel } from './types.js';

export interface WriteDemoOptions extends GenerateOptions {
  /** Log file to create (replaced if it exists); parent folders are created. */
  out: string;
  /** Optional JSON-lines sidecar: `{"line":n,"actor":...,"category":...,"ip":...}` per log line, n from 1. */
  labelsOut?: string;
}

export interface WriteDemoResult {
  lines: number;
  bytes: number;
  elapsedMs: number;
}

/** Labels hold only identifiers and IP text, so plain concatenation is valid JSON and much faster. */
export function labelJson(line: number, label: DemoLabel): string {
  const category = label.category === undefined ? '' : `,"category":"${label.category}"`;
  return `{"line":${line},"actor":"${label.actor}"${category},"ip":"${label.ip}"}`;
}

const BUFFER_BYTES = 1 << 20;

/**
 * Lines are copied into one reused 1 MB buffer as they are made, so each line's string dies young
 * (cheap for the GC) and a write costs one syscall per megabyte.
 */
class LineWriter {
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  bytes = 0;

  constructor(private readonly file: FileHandle) {}

  /** Adds a line and its newline; false when the buffer must be flushed first. */
  tryAdd(text: string): boolean {
    if (this.used + 3 * text.length + 1 > BUFFER_BYTES) return false;
    this.used += this.buffer.write(text, this.used, 'utf8');
    this.buffer[this.used++] = 10;
    return true;
  }

  async add(text: string): Promise<void> {
    if (this.tryAdd(text)) return;
    await this.flush();
    if (!this.tryAdd(text)) await this.writeBytes(Buffer.from(text + '\n', 'utf8'));
  }

  async flush(): Promise<void> {
    if (this.used === 0) return;
    await this.writeBytes(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  private async writeBytes(bytes: Buffer): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) offset += (await this.file.write(bytes, offset)).bytesWritten;
    this.bytes += bytes.length;
  }
}

async function openForWriting(path: string): Promise<FileHandle> {
  await makeDirectory(dirname(path));
  return open(path, 'w');
}

export async function writeDemoLog(options: WriteDemoOptions): Promise<WriteDemoResult> {
  const started = performance.now();
  const total = checkLineCount(options.lines);
  const simulator = new TrafficSimulator(options); // validates options before any file is touched
  const logFile = await openForWriting(options.out);
  const files = [logFile];
  try {
    const log = new LineWriter(logFile);
    let labels: LineWriter | undefined;
    if (options.labelsOut !== undefined) {
      const labelsFile = await openForWriting(options.labelsOut);
      files.push(labelsFile);
      labels = new LineWriter(labelsFile);
    }
    for (let n = 1; n <= total; n++) {
      const line = simulator.next();
      if (!log.tryAdd(line.text)) await log.add(line.text);
      if (labels) {
        const json = labelJson(n, line.label);
        if (!labels.tryAdd(json)) await labels.add(json);
      }
    }
    await log.flush();
    await labels?.flush();
    return { lines: total, bytes: log.bytes, elapsedMs: performance.now() - started };
  } finally {
    await Promise.all(files.map((file) => file.close()));
  }
}
