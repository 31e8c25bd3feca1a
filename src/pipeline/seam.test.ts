import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import type { HttpEvent } from '../core/index.js';
import type { WriteBatch } from '../store/index.js';
import { makeEvent } from '../store/testing/fixtures.js';
import { buildDetection } from './build.js';
import { PipelineMetrics } from './metrics.js';
import { DETECT_SLICE, runEventBatches } from './pipeline.js';
import type { EventBatch } from './types.js';

/** Events from an ingest API: no log line behind them, no checkpoint to keep. */
function apiEvent(id: string, over: Partial<HttpEvent> = {}): HttpEvent {
  const userAgent = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
  return makeEvent(id, { userAgent, origin: { kind: 'api', source: 'ingest-api', receivedAt: Date.parse('2026-11-21T10:00:00Z') }, ...over });
}

describe('runEventBatches: events enter at detect', () => {
  it('detects and stores ready-made events in order, with their own ids, counting them under their producer', async () => {
    const { config } = loadConfig({ env: {} });
    const written: WriteBatch[] = [];
    const metrics = new PipelineMetrics();
    const batches: EventBatch[] = [
      { sourceId: 'ingest-api', events: [apiEvent('a1', { query: 'q=%3Cscript%3Ealert(1)%3C/script%3E' }), apiEvent('a2')], checkpoints: [] },
      { sourceId: 'ingest-api', events: [apiEvent('a3', { path: '/../../etc/passwd' })], checkpoints: [] },
    ];
    await runEventBatches(
      (async function* () {
        yield* batches;
      })(),
      { evaluator: buildDetection(config).engine, sink: { write: async (b) => void written.push(b) }, metrics },
    );
    expect(written.map((w) => w.events.map((e) => e.id))).toEqual([['a1', 'a2'], ['a3']]);
    expect(written.map((w) => w.threats.map((t) => t.event.id))).toEqual([['a1'], ['a3']]);
    expect(written.every((w) => w.checkpoints.length === 0)).toBe(true);
    const c = metrics.snapshot().sources['ingest-api']!;
    // Not lines: nothing read or parsed, everything detected and stored.
    expect(c).toMatchObject({ read: 0, parsed: 0, detected: 2, stored: 3, batches: 2 });
    expect(metrics.stages.detect.events).toBe(3);
    expect(metrics.stages.parse.events).toBe(0);
  });

  it('detects a big batch in slices with yields between them, and still writes it as one batch in order', async () => {
    const { config } = loadConfig({ env: {} });
    const written: WriteBatch[] = [];
    const n = DETECT_SLICE * 2 + 17;
    const events = Array.from({ length: n }, (_, i) =>
      apiEvent(`b${i}`, i % 500 === 7 ? { path: '/../../etc/passwd' } : { ip: `198.51.100.${i % 200}` }),
    );
    const checkpoints = [{ path: '/var/log/x', fileId: '1:2', offset: 99, headHash: 'h' }] as unknown as EventBatch['checkpoints'];
    // A macrotask queued before the batch runs before its write only if detection yielded to the event loop.
    let ticked = false;
    setImmediate(() => (ticked = true));
    let tickedBeforeWrite = false;
    await runEventBatches(
      (async function* () {
        yield { sourceId: 'big', events, checkpoints };
      })(),
      {
        evaluator: buildDetection(config).engine,
        sink: { write: async (b) => void ((tickedBeforeWrite = ticked), written.push(b)) },
        metrics: new PipelineMetrics(),
      },
    );
    expect(tickedBeforeWrite).toBe(true);
    expect(written).toHaveLength(1);
    expect(written[0]!.events.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(written[0]!.checkpoints).toEqual(checkpoints);
    const flagged = written[0]!.threats.map((t) => t.event.id);
    expect(flagged).toEqual(events.filter((_, i) => i % 500 === 7).map((e) => e.id));
  });
});
