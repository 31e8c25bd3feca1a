/**
 * Opens one input of a batch read as a stream of byte chunks: a plain file (large positional reads),
 * a gzip file (detected by its magic bytes, whatever its name), or stdin (which may be gzip too).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError, describeFsError } from './errors.js';

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
export const STDIN = '-';

export interface OpenedInput {
  readonly compressed: boolean;
  /** Size on disk (compressed size for gzip); null for stdin. */
  readonly totalBytes: number | null;
  /** Bytes taken from the file or stdin so far (compressed bytes for gzip): drives a progress bar. */
  rawBytesRead(): number;
  /** Decompressed content. Each chunk is valid only until the next one is requested. */
  readonly chunks: AsyncIterable<Buffer>;
  close(): Promise<void>;
}

export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
}

export async function openInput(name: string, stdin: Readable, chunkBytes: number): Promise<OpenedInput> {
  return name === STDIN ? openStream(name, stdin, chunkBytes) : openFile(name, chunkBytes);
}

async function openFile(name: string, chunkBytes: number): Promise<OpenedInput> {
  let fh: FileHandle;
  try {
    fh = await open(name, 'r');
    const st = await fh.stat();
    if (st.isDirectory()) {
      await fh.close();
      throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    }
  } catch (err) {
    throw new InputError(name, describeFsError(err), { cause: err });
  }
  const st = await fh.stat();
  const head = Buffer.alloc(2);
  const { bytesRead: headLen } = await fh.read(head, 0, 2, 0);
  if (isGzip(head.subarray(0, headLen))) {
    const raw = fh.createReadStream({ start: 0, highWaterMark: chunkBytes, autoClose: true });
    return {
      compressed: true,
      totalBytes: st.size,
      rawBytesRead: () => raw.bytesRead,
      chunks: gunzipped(name, raw, chunkBytes),
      close: async () => {
        raw.destroy();
        await fh.close().catch(() => undefined);
      },
    };
  }
  let position = 0;
  return {
    compressed: false,
    totalBytes: st.size,
    rawBytesRead: () => position,
    chunks: (async function* () {
      const buf = Buffer.allocUnsafe(chunkBytes);
      for (;;) {
        let n: number;
        try {
          ({ bytesRead: n } = await fh.read(buf, 0, buf.length, position));
        } catch (err) {
          throw new InputError(name, `read failed at byte ${position}: ${describeFsError(err)}`, {
            cause: err,
          });
        }
        if (n === 0) return;
        position += n;
        yield buf.subarray(0, n);
      }
    })(),
    close: () => fh.close().catch(() => undefined),
  };
}

async function openStream(name: string, input: Readable, chunkBytes: number): Promise<OpenedInput> {
  let raw = 0;
  const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  // Peek far enough to see the gzip magic, then replay what was peeked.
  const peeked: Buffer[] = [];
  let peekedLen = 0;
  let ended = false;
  while (peekedLen < 2) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    const b = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    peeked.push(b);
    peekedLen += b.length;
  }
  async function* counted(): AsyncGenerator<Buffer> {
    for (const b of peeked) {
      raw += b.length;
      yield b;
    }
    if (ended) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      const b = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      raw += b.length;
      yield b;
    }
  }
  const compressed = isGzip(Buffer.concat(peeked));
  return {
    compressed,
    totalBytes: null,
    rawBytesRead: () => raw,
    chunks: compressed ? gunzipped(name, Readable.from(counted()), chunkBytes) : counted(),
    close: async () => {
      await it.return?.();
    },
  };
}

async function* gunzipped(name: string, raw: Readable, chunkBytes: number): AsyncGenerator<Buffer> {
  // pipeline() forwards an error from either side to the gunzip stream, which our loop then throws.
  const out = pipeline(raw, createGunzip({ chunkSize: Math.min(chunkBytes, 1 << 20) }), () => undefined);
  try {
    for await (const chunk of out as AsyncIterable<Buffer>) yield chunk;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(name, `corrupt gzip data: ${describeFsError(err)}`, { cause: err });
  } finally {
    out.destroy();
  }
}
