import { describe, expect, it } from 'vitest';
import type { RawLine, Source, SourceBatch } from '../ingest/index.js';
import type { WriteBatch } from '../store/index.js';
import { PipelineMetrics } from './metrics.js';
import { runSource, type PipelineDeps } from './pipeline.js';
import { BadLineSampler } from './sampler.js';
import { ThreatSinks } from './sinks.js';
import type { StoredBatch, ThreatSink } from './types.js';
import { defaultStages } from './testing/default-stages.js';

const T = '21/Nov/2026:10:00:00 +0000';
const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const ATTACK = `192.0.2.1 - - [${T}] "GET /?q=%3Cscript%3Ealert(1)%3C/script%3E HTTP/1.1" 200 100 "-" "${UA}"`;
const GOOD = `198.51.100.1 - - [${T}] "GET /products/1 HTTP/1.1" 200 100 "-" "${UA}"`;
const BATCHES = 50;

function line(text: string, n: number): RawLine {
  return { text, key: `k:${n}`, origin: { kind: 'file', source: 'mem.log', offset: n * 100, line: n } };
}

/** Each batch: one attack (a threat) and one clean line; the last one clean only (no threat, not offered). */
function source(): Source {
  const batches: SourceBatch[] = [];
  for (let i = 0; i < BATCHES; i++) {
    batches.push({ sourceId: 'mem', lines: [line(ATTACK, 2 * i), line(GOOD, 2 * i + 1)], checkpoints: [] });
  }
  batches.push({ sourceId: 'mem', lines: [line(GOOD, 1000)], checkpoints: [] });
  return { id: 'mem', batches: async function* () { yield* batches; }, stop: async () => {} };
}

function pipelineDeps(sinks: ThreatSinks, metrics: PipelineMetrics, written: WriteBatch[]): PipelineDeps {
  return {
    ...defaultStages(),
    sink: { write: async (b) => void written.push(b) },
    metrics,
    sampler: new BadLineSampler({ warn: () => {} }),
    sinks,
  };
}

describe('ThreatSinks', () => {
  it('a sink that never resolves and one that throws stall neither ingest nor the other sink; drops are counted', async () => {
    const metrics = new PipelineMetrics();
    const healthy: StoredBatch[] = [];
    const stuckGot: StoredBatch[] = [];
    const errors: string[] = [];
    const sinks: ThreatSink[] = [
      {
        name: 'stuck',
        write: (b) => {
          stuckGot.push(b);
          return new Promise<void>(() => {});
        },
      },
      {
        name: 'throws',
        write: () => {
          throw new Error('sink down');
        },
      },
      { name: 'healthy', write: async (b) => void healthy.push(b) },
    ];
    const set = new ThreatSinks(
      sinks.map((sink) => ({ sink, options: { capacity: 4 } })),
      metrics,
      (name, err) => errors.push(`${name}: ${(err as Error).message}`),
    );
    const written: WriteBatch[] = [];
    const run = runSource(source(), pipelineDeps(set, metrics, written));
    const outcome = await Promise.race([run.then(() => 'done'), new Promise((r) => setTimeout(() => r('stalled'), 10_000))]);
    expect(outcome).toBe('done');
    expect(written).toHaveLength(BATCHES + 1); // every batch stored
    await new Promise((r) => setImmediate(r));
    expect(healthy).toHaveLength(BATCHES); // batches without threats are not offered
    expect(healthy.map((b) => b.threats[0]!.event.origin)).toEqual(
      Array.from({ length: BATCHES }, (_, i) => ({ kind: 'file', source: 'mem.log', offset: 200 * i, line: 2 * i })),
    );
    expect(stuckGot).toHaveLength(1); // the first, which never returns
    expect(errors).toHaveLength(BATCHES);
    expect(errors[0]).toBe('throws: sink down');
    const snap = metrics.snapshot().sinks;
    expect(snap).toEqual({
      stuck: { delivered: 0, failed: 0, dropped: BATCHES - 1 - 4, queued: 4 },
      throws: { delivered: 0, failed: BATCHES, dropped: 0, queued: 0 },
      healthy: { delivered: BATCHES, failed: 0, dropped: 0, queued: 0 },
    });
    // Shutdown does not wait on the stuck sink beyond its bound; what waits is dropped and counted.
    const t0 = Date.now();
    await set.close(50);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(metrics.snapshot().sinks.stuck).toEqual({ delivered: 0, failed: 0, dropped: BATCHES - 1, queued: 0 });
  });

  it('a queued batch holds the threats only, not the batch events: a stuck sink pins at most capacity x threats events', async () => {
    // Each source batch stores two events (an attack and a clean line). What a sink queue keeps is what it
    // pins while the sink is stuck: 256 batches of 5,000 events were 640 MB when the events came along.
    const metrics = new PipelineMetrics();
    const got: StoredBatch[] = [];
    const set = new ThreatSinks([{ sink: { name: 'records', write: async (b) => void got.push(b) } }], metrics);
    const written: WriteBatch[] = [];
    await runSource(source(), pipelineDeps(set, metrics, written));
    await set.close(1_000);
    expect(written.slice(0, BATCHES).every((w) => w.events.length === 2)).toBe(true);
    expect(got).toHaveLength(BATCHES);
    const pinned = got.map((b) => reachableEvents(b).size);
    expect(pinned).toEqual(Array.from({ length: BATCHES }, () => 1));
  });

  it('refuses two sinks with one name (their counters would mix)', () => {
    const sink: ThreatSink = { name: 'live-bus', write: () => {} };
    expect(() => new ThreatSinks([{ sink }, { sink }], new PipelineMetrics())).toThrow(/two sinks are named "live-bus"/);
  });
});

/** The distinct events (objects with an `origin` and an `ip`) reachable from a value: what holding it keeps alive. */
function reachableEvents(root: unknown): Set<object> {
  const seen = new Set<object>();
  const events = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    if ('origin' in v && 'ip' in v) events.add(v);
    for (const child of Object.values(v)) stack.push(child);
  }
  return events;
}
