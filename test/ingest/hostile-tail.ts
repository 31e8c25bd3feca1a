/**
 * Shared by the hostile-input test (small files, every run) and fault (100 MB files, on demand): good
 * combined-format lines, deterministic garbage, and one file tailed through the real pipeline.
 */
import type { HttpEvent } from '../../src/core/event.js';
import { FileTailSource } from '../../src/ingest/tail/index.js';
import { waitFor } from '../../src/ingest/tail/test-helpers.js';
import { PipelineMetrics } from '../../src/pipeline/metrics.js';
import { runSource } from '../../src/pipeline/pipeline.js';
import type { BadLineSampler } from '../../src/pipeline/sampler.js';
import { defaultStages } from '../../src/pipeline/testing/default-stages.js';

const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

/** A combined-format line for `/p/n` that parses and stores (n is one digit: it is also the second). */
export const goodLine = (n: number) =>
  `198.51.100.${n} - - [21/Nov/2026:10:00:0${n} +0000] "GET /p/${n} HTTP/1.1" 200 100 "-" "${UA}"\n`;

/** Deterministic garbage (xorshift), so a failure reproduces. */
export function garbage(bytes: number, seed: number): Buffer {
  const out = Buffer.alloc(bytes);
  let x = seed;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * Tails `path` from its start through the real ingest, detection and an in-memory sink until an event
 * for `lastPath` is stored (or throws after `timeoutMs`), then stops the source.
 */
export async function tailUntilStored(
  path: string,
  lastPath: string,
  options: { sampler: BadLineSampler; timeoutMs: number },
) {
  const metrics = new PipelineMetrics();
  const stored: HttpEvent[] = [];
  const source = new FileTailSource({
    id: 'hostile',
    patterns: [path],
    startAt: 'start',
    pollIntervalMs: 50,
  });
  const run = runSource(source, {
    ...defaultStages(),
    sink: { write: async (b) => void stored.push(...b.events) },
    metrics,
    sampler: options.sampler,
  });
  const t0 = Date.now();
  await waitFor(
    `${lastPath} from ${path} to be stored`,
    () => stored.some((e) => e.path === lastPath),
    options.timeoutMs,
  );
  const ms = Date.now() - t0;
  await source.stop();
  await run;
  return { counters: metrics.snapshot().sources.hostile!, stored, ms, stats: source.stats()[0]! };
}
