/**
 * Throughput of the batch reader: `node --import tsx src/ingest/read/throughput.bench.ts [lines]`.
 * Generates a file of ~200-byte access-log lines in a temp dir, then times raw splitting (LineSplitter
 * over 1 MiB reads) and the full FileReadSource (RawLine objects in batches), plain and gzip.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { FileReadSource } from './file-read-source.js';
import { LineSplitter } from './line-splitter.js';

const LINES = Number(process.argv[2] ?? 1_000_000);

async function generate(path: string): Promise<void> {
  const out = createWriteStream(path);
  const block: string[] = [];
  for (let i = 0; i < LINES; i++) {
    block.push(
      `203.0.113.${i % 250} - - [10/Oct/2024:13:55:36 +0000] "GET /shop/item.php?id=${i}&ref=abc HTTP/1.1" 200 ${i % 9000} "https://example.com/" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari"\n`,
    );
    if (block.length === 10_000) {
      if (!out.write(block.join(''))) await once(out, 'drain');
      block.length = 0;
    }
  }
  out.end(block.join(''));
  await once(out, 'finish');
}

async function rawSplit(path: string): Promise<number> {
  const fh = await open(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  const splitter = new LineSplitter(0);
  let lines = 0;
  let chars = 0;
  const emit = (text: string) => {
    lines++;
    chars += text.length;
  };
  for (let pos = 0; ;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) break;
    splitter.push(buf.subarray(0, bytesRead), emit);
    pos += bytesRead;
  }
  splitter.finish(emit);
  await fh.close();
  if (chars === 0) throw new Error('nothing read');
  return lines;
}

async function viaSource(path: string): Promise<number> {
  let lines = 0;
  for await (const b of new FileReadSource({ id: 'bench', inputs: [path] }).batches())
    lines += b.lines.length;
  return lines;
}

async function time(label: string, bytes: number, fn: () => Promise<number>): Promise<void> {
  const t0 = process.hrtime.bigint();
  const lines = await fn();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const rate = Math.round(lines / s).toLocaleString('en');
  console.log(
    `${label.padEnd(28)} ${lines} lines in ${s.toFixed(3)} s: ${rate} lines/s, ${(bytes / s / 2 ** 20).toFixed(0)} MiB/s`,
  );
}

const dir = await mkdtemp(join(tmpdir(), 'rampart-bench-'));
try {
  const plain = join(dir, 'access.log');
  await generate(plain);
  const gz = join(dir, 'access.log.gz');
  await pipeline(createReadStream(plain), createGzip(), createWriteStream(gz));
  const size = (await stat(plain)).size;
  console.log(
    `${LINES} lines, ${(size / 2 ** 20).toFixed(0)} MiB (avg ${Math.round(size / LINES)} bytes/line)`,
  );
  for (let round = 1; round <= 3; round++) {
    await time(`raw split (round ${round})`, size, () => rawSplit(plain));
    await time(`FileReadSource (round ${round})`, size, () => viaSource(plain));
  }
  await time('FileReadSource gzip', size, () => viaSource(gz));
} finally {
  await rm(dir, { recursive: true, force: true });
}
