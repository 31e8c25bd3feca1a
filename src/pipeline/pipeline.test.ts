import { describe, expect, it } from 'vitest';
import type { RawLine, Source, SourceBatch } from '../ingest/index.js';
import type { WriteBatch } from '../store/index.js';
import { PipelineMetrics } from './metrics.js';
import { flushWindows, runSource, type PipelineDeps, type Sink } from './pipeline.js';
import type { DetectionEngine } from '../detect/index.js';
import { startRetention } from './retention.js';
import { BadLineSampler } from './sampler.js';
import { defaultStages } from './testing/default-stages.js';

const T = '21/Nov/2026:10:00:00 +0000';
const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const GOOD = `198.51.100.1 - - [${T}] "GET /products/1 HTTP/1.1" 200 100 "-" "${UA}"`;
const ATTACK = `192.0.2.1 - - [${T}] "GET /?q=%3Cscript%3Ealert(1)%3C/script%3E HTTP/1.1" 200 100 "-" "${UA}"`;

function line(text: string, n: number, overlong = false): RawLine {
  return { text, key: `k:${n}`, origin: { kind: 'file', source: 'mem.log', offset: n * 100, line: n }, ...(overlong ? { overlong } : {}) };
}

/** A source over prepared batches (our own interface, so a plain array is the honest implementation). */
function arraySource(batches: SourceBatch[]): Source {
  return {
    id: 'mem',
    async *batches() {
      yield* batches;
    },
    stop: async () => {},
  };
}

function deps(sink: Sink, logs: object[] = []): PipelineDeps {
  return {
    ...defaultStages(),
    sink,
    metrics: new PipelineMetrics(() => Date.parse('2026-11-21T10:00:05Z')),
    sampler: new BadLineSampler({ warn: (o) => logs.push(o) }),
  };
}

describe('runSource', () => {
  it('counts every line by fate and stores events with their checkpoints', async () => {
    const written: WriteBatch[] = [];
    const logs: object[] = [];
    const d = deps({ write: async (b) => void written.push(b) }, logs);
    const cp = { source: 'mem.log', fileId: '1:2', offset: 500, line: 5, headHash: 'h' };
    await runSource(
      arraySource([
        { sourceId: 'mem', lines: [line(GOOD, 1), line(ATTACK, 2), line('garbage', 3), line('x'.repeat(100), 4, true), line(GOOD, 5)], checkpoints: [cp] },
      ]),
      d,
    );
    const c = d.metrics.snapshot().sources.mem!;
    expect(c).toMatchObject({ read: 5, parsed: 3, unparsed: 2, overlong: 1, detected: 1, threats: 1, stored: 3, dropped: 0, batches: 1 });
    expect(c.lagMs).toBe(5000);
    expect(written).toHaveLength(1);
    expect(written[0]!.events).toHaveLength(3);
    expect(written[0]!.threats.map((t) => t.category)).toEqual(['xss']);
    expect(written[0]!.checkpoints).toEqual([cp]);
    expect(logs).toHaveLength(2); // both bad lines sampled, with their line numbers
    expect(logs.map((l) => (l as { line: number }).line)).toEqual([3, 4]);
  });

  it('counts the stored detections by rule, times each store write, and empties the store queue (for /metrics)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const d = deps({ write: () => gate });
    const writes: number[] = [];
    d.metrics.onStoreWrite = (ms) => writes.push(ms);
    const run = runSource(arraySource([{ sourceId: 'mem', lines: [line(ATTACK, 1)], checkpoints: [] }]), d);
    // The write waits on the gate: the batch is handed to the store and stays pending.
    while (d.metrics.storePending === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    expect(d.metrics.storePending).toBe(1);
    expect(d.metrics.detections.size).toBe(0); // counted once stored, not before
    release();
    await run;
    expect(d.metrics.storePending).toBe(0);
    expect(writes).toHaveLength(1);
    const counted = [...d.metrics.detections.values()];
    expect(counted.length).toBeGreaterThan(0);
    expect(counted.every((c) => c.category === 'xss' && c.count === 1)).toBe(true);
  });

  it('retries a failing store and keeps batches in order, so checkpoints never run ahead', async () => {
    const order: number[] = [];
    let failures = 2;
    const errors: unknown[] = [];
    const d = deps({
      write: async (b) => {
        if (b.checkpoints[0]!.offset === 100 && failures-- > 0) throw new Error('store down');
        order.push(b.checkpoints[0]!.offset);
      },
    });
    const batch = (offset: number): SourceBatch => ({
      sourceId: 'mem',
      lines: [line(GOOD, offset)],
      checkpoints: [{ source: 'mem.log', fileId: '1:2', offset, line: 1, headHash: 'h' }],
    });
    await runSource(arraySource([batch(100), batch(200), batch(300)]), d, { retryDelayMs: 1, onError: (e) => errors.push(e) });
    expect(order).toEqual([100, 200, 300]);
    expect(errors).toHaveLength(2);
    expect(d.metrics.snapshot().stages.store.errors).toBe(2);
    expect(d.metrics.snapshot().sources.mem!.stored).toBe(3);
  });
});

describe('startRetention', () => {
  it('prunes requests (and IP windows with them) older than the retention period and survives a failing store', async () => {
    const asked: number[] = [];
    const windowsAsked: number[] = [];
    const warnings: object[] = [];
    let fail = true;
    const r = startRetention(
      {
        requests: {
          prune: async (before) => {
            asked.push(before);
            if (fail) throw new Error('locked');
            return 42;
          },
        },
        windows: { prune: async (before) => windowsAsked.push(before) },
      },
      7,
      { info: () => {}, warn: (o) => warnings.push(o) },
      { now: () => 10 * 86_400_000 },
    );
    expect(await r.runOnce()).toBe(0);
    fail = false;
    expect(await r.runOnce()).toBe(42);
    r.stop();
    expect(asked).toEqual([3 * 86_400_000, 3 * 86_400_000]);
    expect(windowsAsked).toEqual([3 * 86_400_000]);
    expect(warnings).toHaveLength(1);
  });
});

describe('IP windows', () => {
  const at = (time: string, path: string) => `192.0.2.9 - - [21/Nov/2026:${time} +0000] "GET ${path} HTTP/1.1" 404 10 "-" "curl/8.5.0"`;

  it('stores the windows a batch closes with that batch, and flushes the open ones at the end', async () => {
    const written: WriteBatch[] = [];
    const d = deps({ write: async (b) => void written.push(b) });
    await runSource(
      arraySource([
        { sourceId: 'mem', lines: [line(at('10:00:01', '/a'), 1), line(at('10:00:02', '/b'), 2)], checkpoints: [] },
        { sourceId: 'mem', lines: [line(at('10:01:30', '/c'), 3)], checkpoints: [] },
      ]),
      d,
    );
    expect(written.map((b) => b.windows?.length ?? 0)).toEqual([0, 1]);
    expect(written[1]!.windows![0]).toMatchObject({ ip: '192.0.2.9', hits: 2, ratio404: 1, start: Date.parse('2026-11-21T10:00:00Z') });

    const sink = { write: async (b: WriteBatch) => void written.push(b) };
    expect(await flushWindows(sink, d.evaluator as DetectionEngine)).toBe(1);
    expect(written[2]).toMatchObject({ events: [], threats: [], checkpoints: [] });
    expect(written[2]!.windows!.map((w) => w.hits)).toEqual([1]);
    // Nothing is left to flush, and nothing is written for it.
    expect(await flushWindows(sink, d.evaluator as DetectionEngine)).toBe(0);
    expect(written).toHaveLength(3);
  });

  it('does not drain windows when the evaluator does not offer them', async () => {
    const written: WriteBatch[] = [];
    const d = deps({ write: async (b) => void written.push(b) });
    const engine = d.evaluator;
    d.evaluator = { evaluate: (events) => engine.evaluate(events) };
    await runSource(arraySource([{ sourceId: 'mem', lines: [line(at('10:00:01', '/a'), 1), line(at('10:02:00', '/b'), 2)], checkpoints: [] }]), d);
    expect(written[0]!.windows).toBeUndefined();
  });
});
