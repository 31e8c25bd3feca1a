import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import type { HttpEvent } from '../core/index.js';
import type { WriteBatch } from '../store/index.js';
import { makeEvent } from '../store/testing/fixtures.js';
import { buildDetection } from './build.js';
import { PipelineMetrics } from './metrics.js';
import { runEventBatches } from './pipeline.js';
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
});
