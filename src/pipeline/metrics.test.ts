import { describe, expect, it } from 'vitest';
import { PipelineMetrics } from './metrics.js';

describe('PipelineMetrics deltas between threads', () => {
  it('hands over what was counted since the last take, and adds it on the other side', () => {
    const worker = new PipelineMetrics();
    const main = new PipelineMetrics();
    const c = worker.source('a.log');
    c.read = 10;
    c.parsed = 8;
    c.unparsed = 2;
    c.newestEventTime = 5;
    worker.stages.parse.ms = 3;
    worker.stages.parse.events = 10;
    worker.stages.parse.batches = 1;
    main.addDelta('a.log', worker.takeDelta('a.log'));
    c.read = 4;
    c.parsed = 4;
    worker.stages.parse.batches = 1;
    main.addDelta('a.log', worker.takeDelta('a.log'));
    const snap = main.snapshot();
    expect(snap.sources['a.log']).toMatchObject({ read: 14, parsed: 12, unparsed: 2, newestEventTime: null });
    expect(snap.stages.parse).toEqual({ ms: 3, events: 10, batches: 2, errors: 0 });
    // Taken means zeroed, except the position.
    expect(worker.snapshot().sources['a.log']).toMatchObject({ read: 0, parsed: 0, unparsed: 0, newestEventTime: 5 });
    expect(worker.stages.parse).toEqual({ ms: 0, events: 0, batches: 0, errors: 0 });
  });
});
